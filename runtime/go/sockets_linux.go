package forst

import "syscall"

// SO_REUSEPORT on Linux (the syscall package does not define it there).
const forstSoReusePort = 0xf

// forstPeerCred reads the peer's pid and uid with SO_PEERCRED.
func forstPeerCred(fd uintptr) (pid, uid int, err error) {
	cred, err := syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	if err != nil {
		return 0, 0, err
	}
	return int(cred.Pid), int(cred.Uid), nil
}
