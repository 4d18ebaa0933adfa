// Listeners with limits: what an unauthenticated client can hold open is bounded.
//
// Every accepted connection counts against its listener's cap until it closes; a connection over the cap is closed
// at once (not left in the kernel's backlog, where it would make legitimate clients wait for a SYN timeout).
// Connections that never finish their headers are closed by the server's ReadHeaderTimeout, a 401 closes its
// connection, and the Unix socket — the one the parent process uses — has a listener and a cap of its own, so a
// flood on the TCP port cannot starve the parent's calls.

package forst

import (
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// forstDefaultMaxConns caps connections on the TCP port (FORST_MAX_CONNECTIONS overrides).
	forstDefaultMaxConns = 512
	// forstSocketMaxConns caps connections on the Unix socket; the parent's pool stays far below it.
	forstSocketMaxConns = 4096
)

type forstLimitListener struct {
	net.Listener
	max     int64
	open    atomic.Int64
	refused atomic.Int64
	// accept decides whether a connection may be served at all (peer credentials on the Unix socket).
	accept func(net.Conn) error
	warned sync.Once
}

func forstLimit(ln net.Listener, max int, accept func(net.Conn) error) *forstLimitListener {
	return &forstLimitListener{Listener: ln, max: int64(max), accept: accept}
}

func (l *forstLimitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.accept != nil {
			if err := l.accept(c); err != nil {
				fmt.Fprintf(os.Stderr, "forst: refused a connection on %s: %v\n", l.Addr(), err)
				c.Close()
				continue
			}
		}
		if l.open.Add(1) > l.max {
			l.open.Add(-1)
			l.refused.Add(1)
			l.warned.Do(func() {
				fmt.Fprintf(os.Stderr, "forst: %s has %d connections open, its limit; further connections are closed at once until some end (FORST_MAX_CONNECTIONS)\n", l.Addr(), l.max)
			})
			// Linger 0: the refused peer gets a reset instead of a half-open socket it could keep.
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			c.Close()
			continue
		}
		return &forstCountedConn{Conn: c, l: l}, nil
	}
}

type forstCountedConn struct {
	net.Conn
	l    *forstLimitListener
	once sync.Once
}

func (c *forstCountedConn) Close() error {
	c.once.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}

// forstConnOf reaches the connection under the counting wrapper (for peer credentials and deadlines).
func forstConnOf(c net.Conn) net.Conn {
	if cc, ok := c.(*forstCountedConn); ok {
		return cc.Conn
	}
	return c
}

// Timeouts of the HTTP server: slow headers are cut short for everybody, idle keep-alive connections end.
const (
	forstReadHeaderTimeout = 5 * time.Second
	forstIdleTimeout       = 90 * time.Second
)

// forstBodyIdleTimeout: a request body that makes no progress for this long is abandoned (408 body_timeout). It is a
// no-progress limit, not a total one, so that large uploads over slow links still work. A variable for the tests.
var forstBodyIdleTimeout = 30 * time.Second
