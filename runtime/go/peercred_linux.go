//go:build linux

package main

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// forstCheckPeer accepts a Unix-socket connection only from a process of our own user (SO_PEERCRED). The socket's
// directory is already private to that user; this keeps it so even if the directory's permissions were changed.
func forstCheckPeer(c net.Conn) error {
	uc, ok := forstConnOf(c).(*net.UnixConn)
	if !ok {
		return nil
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if credErr != nil {
		return fmt.Errorf("could not read the peer's credentials: %v", credErr)
	}
	if int(cred.Uid) != os.Getuid() {
		return fmt.Errorf("the peer (pid %d) runs as uid %d, not as this process's uid %d", cred.Pid, cred.Uid, os.Getuid())
	}
	return nil
}
