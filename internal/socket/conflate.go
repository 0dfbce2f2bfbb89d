package socket

import "github.com/purezmq/zmq/internal/pipe"

// CONFLATE keeps only the newest message in each of a socket's pipes, both ways, for the types
// libzmq applies it to (PUSH, PULL, PUB, SUB, DEALER; others ignore it). Inbound, a pipe's
// message not yet read is replaced (pipe.SetConflate); outbound, the message not yet taken by
// the connection's writer, or not yet linked to an inproc peer (OutQueue.SetConflate), so a
// PUSH that queued ten messages before its peer existed delivers only the last. Unlike
// libzmq, which keeps one frame, a multipart message is kept whole.

// conflates reports whether CONFLATE is on in o and applies to s's type.
func (s *Socket) conflates(o *Options) bool { return o.Conflate && s.caps.Conflate }

// conflateOut applies CONFLATE in o to s's outbound queue q.
func (s *Socket) conflateOut(q *pipe.OutQueue, o *Options) {
	if s.conflates(o) {
		q.SetConflate()
	}
}

// conflateInproc sets CONFLATE on the inproc pipe p that delivers sender's messages straight
// into receiver's inbox, there being no queue in between: on when either side asks for it
// (in the options so, ro of their endpoints). A connecter's persistent pipe is set anew for
// each binder it links to.
func conflateInproc(p *pipe.Pipe, sender, receiver *Socket, so, ro *Options) {
	p.SetConflate(sender.conflates(so) || receiver.conflates(ro))
}
