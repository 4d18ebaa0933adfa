//go:build linux || darwin

package forst

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// forstCheckPeer accepts a Unix-socket connection only from a process of our own user. The socket's directory is
// already private to that user; this keeps it so even if the directory's permissions were changed. How the peer's
// credentials are read is per platform (forstPeerCred: SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS).
func forstCheckPeer(c net.Conn) error {
	uc, ok := forstConnOf(c).(*net.UnixConn)
	if !ok {
		return nil
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	var pid, uid int
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		pid, uid, credErr = forstPeerCred(fd)
	}); err != nil {
		return err
	}
	if credErr != nil {
		return fmt.Errorf("could not read the peer's credentials: %v", credErr)
	}
	if uid != os.Getuid() {
		return fmt.Errorf("the peer (pid %d) runs as uid %d, not as this process's uid %d", pid, uid, os.Getuid())
	}
	return nil
}

// forstReusePort lets a new child bind the port its predecessor still listens on (a hot swap with a fixed port).
func forstReusePort(network, address string, c syscall.RawConn) error {
	var sockErr error
	err := c.Control(func(fd uintptr) {
		sockErr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, forstSoReusePort, 1)
	})
	if err != nil {
		return err
	}
	return sockErr
}
