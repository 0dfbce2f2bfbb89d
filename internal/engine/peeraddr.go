package engine

import "net"

// peerAddress is what libzmq calls the connection's peer address, for the Peer-Address property
// and ZAP requests: the IP address of a tcp peer; for an ipc peer, "localhost:uid:gid:pid" where the
// system tells them (Linux), else "".
func peerAddress(nc net.Conn) string {
	switch a := nc.RemoteAddr().(type) {
	case *net.TCPAddr:
		return a.IP.String()
	case *net.UnixAddr:
		return unixPeerCred(nc)
	}
	return ""
}
