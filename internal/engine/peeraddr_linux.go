package engine

import (
	"fmt"
	"net"
	"syscall"
)

// unixPeerCred reads the peer process's credentials (SO_PEERCRED) as libzmq 4.3 on glibc gives
// them, "localhost:uid:gid:pid": the host part is what getnameinfo says of a unix socket.
func unixPeerCred(nc net.Conn) string {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return ""
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return ""
	}
	var cred *syscall.Ucred
	cerr := rc.Control(func(fd uintptr) {
		cred, err = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if cerr != nil || err != nil {
		return ""
	}
	return fmt.Sprintf("localhost:%d:%d:%d", cred.Uid, cred.Gid, cred.Pid)
}
