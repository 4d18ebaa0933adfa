// Loopback floor server: the smallest Go net/http echo we can write (standard library only). The overhead
// suite compares the addon's call path against this server driven by a minimal Rust client and by Node's fetch.
// It listens on 127.0.0.1:0 and prints the chosen port as the first line on stdout.
//
// For the transport comparison: FLOOR_UNIX=<path> also serves HTTP/1.1 on that Unix socket, and the TCP
// listener accepts HTTP/2 without TLS (h2c, prior knowledge) next to HTTP/1.1.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
)

func echo(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{Handler: http.HandlerFunc(echo), Protocols: &protocols}
	if path := os.Getenv("FLOOR_UNIX"); path != "" {
		os.Remove(path)
		uln, err := net.Listen("unix", path)
		if err != nil {
			fail(err)
		}
		go func() { fail(srv.Serve(uln)) }()
	}
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	fail(srv.Serve(ln))
}
