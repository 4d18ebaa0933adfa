//go:build !linux && !darwin

package forst

import (
	"net"
	"syscall"
)

// forstCheckPeer: the runtime gives the sidecar a Unix socket only on Linux and macOS (Windows calls use loopback TCP,
// where every request needs the token); elsewhere the socket's private directory (mode 0700) keeps other users out.
func forstCheckPeer(net.Conn) error { return nil }

// forstReusePort does nothing: Windows has no SO_REUSEPORT (its SO_REUSEADDR would let any local process take the
// port). The first child binds as usual; a second one on the same port (`forst dev`'s hot swap on its session port)
// fails to listen, and the old child keeps serving (see README "Platforms").
func forstReusePort(network, address string, c syscall.RawConn) error { return nil }
