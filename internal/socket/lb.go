package socket

import (
	"slices"

	"github.com/purezmq/zmq/internal/pipe"
)

// lb load-balances outbound messages round-robin over the pipes that have room (RFC 28/30).
type lb struct {
	pipes []*pipe.Pipe
	next  int
}

func (l *lb) add(p *pipe.Pipe) { l.pipes = append(l.pipes, p) }

func (l *lb) remove(p *pipe.Pipe) {
	if i := slices.Index(l.pipes, p); i >= 0 {
		l.pipes = slices.Delete(l.pipes, i, i+1)
		if l.next > i {
			l.next--
		}
	}
}

// send gives m to the next pipe with room, or errAgain when none has.
func (l *lb) send(m pipe.Msg) (*pipe.Pipe, error) {
	n := len(l.pipes)
	for i := 0; i < n; i++ {
		j := (l.next + i) % n
		if l.pipes[j].TryPush(m) {
			l.next = (j + 1) % n
			return l.pipes[j], nil
		}
	}
	return nil, errAgain
}
