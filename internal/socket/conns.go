package socket

import "net"

// track registers an open connection made by owner; false (and the connection closed) once the
// socket has quit.
func (s *Socket) track(nc net.Conn, owner endpoint) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.quit:
		nc.Close()
		return false
	default:
	}
	s.nconns[nc] = owner
	return true
}

func (s *Socket) untrack(nc net.Conn) {
	s.mu.Lock()
	delete(s.nconns, nc)
	s.mu.Unlock()
}

// closeConns closes the connections made by owner, or all of them when owner is nil.
func (s *Socket) closeConns(owner endpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for nc, o := range s.nconns {
		if owner == nil || o == owner {
			nc.Close()
		}
	}
}
