package socket

import "github.com/purezmq/zmq/internal/pipe"

// Send keeps the frames it is given, not the caller's list of them: the list goes into the
// socket's own storage first. A caller that builds a message per Send
// (Msg{Frames: [][]byte{b}}) then hands over a list the compiler can keep on its stack, one
// allocation fewer per message, and may reuse a list it built once.
//
// The lists of small messages (pipe.SmallList) are carved, one after another, from an array
// the socket allocates every sendListsLen frames, as the engine carves received ones; a bigger
// message gets a list of its own. An array lives while any message carved from it does, or
// while the socket carves from it, and keeps its other messages' frames alive as long: at most
// sendListsLen messages of pipe.SmallListBytes, 32 KiB, what a chunk of a publisher's log may
// keep alive too (pipe.Log).
const sendListsLen = 32

// A publisher whose connections share a log (dist.sendMatching) copies the list into the log
// instead, where the lists of small messages are carved from chunks the log reuses
// (pipe.Log.Own): a steady publisher then allocates none.
//
// SendCopy copies the frames as well, a small message's into the same places (the bytes of
// its frames carved from a slab the socket allocates every sendDataLen bytes, or the log
// chunk's data), a bigger one's into storage of its own.
const sendDataLen = 8 << 10

// sendLists is the unused rest of the array the socket carves lists from, and of the slab it
// carves copied frames from, and the pattern when it may send into a log; guarded by s.mu.
type sendLists struct {
	free   [][]byte
	data   []byte
	logger logger
}

// logger is a pattern that may send a message only into a log its connections share.
type logger interface {
	// sendLog returns the log the next send writes its message into, when that is all the
	// send does, or nil.
	sendLog() *pipe.Log
}

// own returns a copy of frames' list, and with copyFrames of the frames too, in the socket's
// storage, or in the log the send goes to.
func (l *sendLists) own(frames pipe.Msg, copyFrames bool) pipe.Msg {
	if l.logger != nil {
		if log := l.logger.sendLog(); log != nil {
			return log.Own(frames, copyFrames)
		}
	}
	if !pipe.SmallList(frames) {
		return pipe.OwnApart(frames, copyFrames)
	}
	if len(frames) > len(l.free) {
		l.free = make([][]byte, sendListsLen)
	}
	var m pipe.Msg
	if copyFrames {
		size := pipe.MsgSize(frames)
		if size > len(l.data) {
			l.data = make([]byte, sendDataLen)
		}
		m = pipe.CarveCopy(l.free, l.data, frames)
		l.data = l.data[size:]
	} else {
		m = pipe.CarveList(l.free, frames)
	}
	l.free = l.free[len(m):]
	return m
}
