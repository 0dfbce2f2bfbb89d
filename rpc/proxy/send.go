package proxy

import (
	"errors"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc"
)

// The proxy decides under its lock and sends after letting it go: a send may write the
// connection itself (a syscall), and the other side's goroutine should not wait for that. What
// a send that fails undoes is settled under the lock again, after the batch.

// sendKind says what a message out is, for what its failure undoes.
type sendKind byte

const (
	sendPlain    sendKind = iota // a CANCEL, a DISCONNECT: lost when it cannot go
	sendForward                  // a request to srv, which spent a credit on it
	sendBeat                     // a HEARTBEAT to srv: its connection gone, srv is lost
	sendReply                    // a REPLY to a client, counted in Stats.Replies
	sendProgress                 // a PROGRESS to a client, counted in Stats.Progress
)

// outMsg is a message to send once the lock is let go.
type outMsg struct {
	frames [][]byte
	back   bool // to the backend, else the frontend
	kind   sendKind
	srv    *server   // sendForward, sendBeat
	rid    []byte    // sendForward: the client's routing id
	h      header    // sendForward: the request's
	status rpc.Code  // sendReply
	in     time.Time // sendReply: when its call came in
}

// failed is a message that could not go, and why.
type failed struct {
	m   outMsg
	err error
}

// outLocked queues a message for after the lock.
func (p *Proxy) outLocked(m outMsg) { p.out = append(p.out, m) }

// locked runs fn under the lock and returns what it queued to send, in buf's memory.
func (p *Proxy) locked(buf []outMsg, fn func()) []outMsg {
	p.mu.Lock()
	p.out = buf[:0]
	fn()
	buf, p.out = p.out, nil
	p.mu.Unlock()
	return buf
}

// flush sends buf without waiting (a peer that does not read loses its message), then settles
// the failures under the lock, which may queue more (answers to the callers): those go too. It
// returns buf emptied, for reuse.
func (p *Proxy) flush(buf []outMsg, fails []failed) ([]outMsg, []failed) {
	for len(buf) > 0 {
		fails = fails[:0]
		for i := range buf {
			m := &buf[i]
			s := p.front
			if m.back {
				s = p.back
			}
			if err := s.Send(p.now, zmq.Msg{Frames: m.frames}); err != nil {
				fails = append(fails, failed{*m, err})
				continue
			}
			// Counted once sent (the metrics first: whoever sees Stats count a reply finds it
			// in the metrics too); the caller may have it a moment before.
			switch m.kind {
			case sendReply:
				p.cfg.Metrics.reply(m.status, m.in)
				p.replies.Add(1)
			case sendProgress:
				p.progress.Add(1)
			}
		}
		clear(buf)
		buf = buf[:0]
		if len(fails) == 0 {
			break
		}
		buf = p.locked(buf, func() {
			for _, f := range fails {
				p.failedLocked(f.m, f.err)
			}
		})
		clear(fails)
	}
	return buf, fails
}

// failedLocked undoes what a message that could not go had done.
func (p *Proxy) failedLocked(m outMsg, err error) {
	if errors.Is(err, zmq.ErrClosed) {
		return // the proxy is closing
	}
	switch m.kind {
	case sendReply, sendProgress:
		// A client that does not read loses it (and waits for its deadline), counted.
		p.dropLocked("client_unreachable")
	case sendBeat:
		if errors.Is(err, zmq.ErrHostUnreachable) {
			p.loseLocked(m.srv, "gone")
		}
	case sendForward:
		p.forwardFailedLocked(m, err)
	}
}

// forwardFailedLocked settles a request its server did not get.
func (p *Proxy) forwardFailedLocked(m outMsg, err error) {
	srv, ref := m.srv, callRef{string(m.rid), m.h.ID}
	c, ok := p.st.calls[ref]
	mine := m.h.answered && ok && c.srv == srv // not answered since (the server lost, the call expired)
	if errors.Is(err, zmq.ErrHostUnreachable) {
		// Its connection closed: losing it answers its calls, this one included, Unavailable.
		if !m.h.answered {
			p.dropLocked("server_lost")
		}
		p.loseLocked(srv, "gone")
		return
	}
	// Not reading, its queue full: this request did not reach it.
	if p.st.servers[srv.id] == srv {
		srv.credit++
	}
	if !m.h.answered {
		p.dropLocked("server_busy")
		return
	}
	if mine {
		delete(p.st.calls, ref)
		p.cfg.Metrics.inflight(len(p.st.calls))
		p.answerLocked(m.rid, m.h, "server_busy", unavailable, "server not reading: "+err.Error())
	}
}
