package forst

import (
	"syscall"
	"unsafe"
)

// From <sys/un.h> and <sys/ucred.h>; the standard library's syscall package does not define them (x/sys/unix does,
// but generated Go uses the standard library only).
const (
	forstSolLocal       = 0     // SOL_LOCAL
	forstLocalPeerCred  = 0x001 // LOCAL_PEERCRED: a struct xucred
	forstLocalPeerPID   = 0x002 // LOCAL_PEERPID: the peer's pid
	forstXucredVersion  = 0     // XUCRED_VERSION
	forstXucredNGroups  = 16    // NGROUPS
	forstXucredByteSize = 4 + 4 + 2 + 2 + 4*forstXucredNGroups
)

// forstXucred is struct xucred: version, uid, the number of groups, the groups (the padding is the C layout's).
type forstXucred struct {
	Version uint32
	UID     uint32
	NGroups int16
	_       int16
	Groups  [forstXucredNGroups]uint32
}

// SO_REUSEPORT on macOS.
const forstSoReusePort = syscall.SO_REUSEPORT

// forstPeerCred reads the peer's uid with LOCAL_PEERCRED (what getpeereid(3) reads) and its pid with LOCAL_PEERPID.
func forstPeerCred(fd uintptr) (pid, uid int, err error) {
	var cred forstXucred
	size := uint32(unsafe.Sizeof(cred))
	_, _, errno := syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, forstSolLocal, forstLocalPeerCred,
		uintptr(unsafe.Pointer(&cred)), uintptr(unsafe.Pointer(&size)), 0)
	if errno != 0 {
		return 0, 0, errno
	}
	if cred.Version != forstXucredVersion || size != forstXucredByteSize {
		return 0, 0, syscall.EINVAL
	}
	pid, err = syscall.GetsockoptInt(int(fd), forstSolLocal, forstLocalPeerPID)
	if err != nil {
		return 0, 0, err
	}
	return pid, int(cred.UID), nil
}
