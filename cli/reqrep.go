package cli

import (
	zmq "github.com/purezmq/zmq"
)

// replier answers each message zmq recv takes: with fixed frames (--reply) or the message
// itself (--echo).
type replier struct {
	t     zmq.Type
	echo  bool
	reply [][]byte // --reply, cut at --sep
}

// canReply lists the types whose recv may answer: those whose peer takes an answer on the
// connection it asked on.
func canReply(t zmq.Type) bool {
	switch t {
	case zmq.REP, zmq.ROUTER, zmq.DEALER, zmq.PAIR, zmq.STREAM:
		return true
	}
	return false
}

// answer builds the reply to body, received from the peer with routing id id (ROUTER, STREAM;
// nil otherwise). A REP adds the envelope itself. A ROUTER or DEALER answering a REQ (whose
// request starts with the empty delimiter frame) keeps that frame ahead of a --reply, as a REQ
// peer needs it; --echo returns it with the rest. The frames are sent with SendCopy, so the
// --reply frames serve every answer.
func (r *replier) answer(id []byte, body [][]byte) [][]byte {
	var frames [][]byte
	if id != nil {
		frames = append(frames, id)
	}
	if r.echo {
		return append(frames, body...)
	}
	if r.t != zmq.REP && len(body) > 1 && len(body[0]) == 0 {
		frames = append(frames, []byte{})
	}
	return append(frames, r.reply...)
}
