package engine

import (
	"net"

	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
)

const (
	bigFrame = 8 << 10   // bodies at least this big go out by writev, uncopied
	flushAt  = 64 << 10  // write once this much is encoded, so the buffer stays small
	keepIdle = 128 << 10 // an idle writer keeps a buffer up to this size (a burst of big ones is dropped)
)

// writer encodes messages into one buffer, large bodies referenced in place, and writes it
// with a single write (or writev).
type writer struct {
	nc      net.Conn
	wbuf    []byte
	bufs    net.Buffers
	seg     int // start of the part of wbuf not yet in bufs
	pending int // bytes encoded and not yet written
	seal    mechanism.Codec
}

func (w *writer) frame(flags byte, body []byte) {
	if w.seal != nil {
		n := len(w.wbuf)
		w.wbuf = w.seal.Seal(w.wbuf, flags, body)
		w.pending += len(w.wbuf) - n
		return
	}
	w.wbuf = zmtp.AppendFrameHeader(w.wbuf, flags, len(body))
	if len(body) >= bigFrame {
		w.bufs = append(w.bufs, w.wbuf[w.seg:], body)
		w.seg = len(w.wbuf)
	} else {
		w.wbuf = append(w.wbuf, body...)
	}
	w.pending += len(body) + 9
}

func (w *writer) raw(b []byte) {
	if w.seal != nil { // a command frame: sealed like any other
		flags, size, n, _ := zmtp.ParseFrameHeader(b, -1)
		w.frame(flags, b[n:n+size])
		return
	}
	w.wbuf = append(w.wbuf, b...)
	w.pending += len(b)
}

func (w *writer) flush() error {
	if w.pending == 0 {
		return nil
	}
	var err error
	if len(w.bufs) == 0 {
		_, err = w.nc.Write(w.wbuf)
	} else {
		if w.seg < len(w.wbuf) {
			w.bufs = append(w.bufs, w.wbuf[w.seg:])
		}
		out := w.bufs
		_, err = out.WriteTo(w.nc)
		clear(w.bufs)
		w.bufs = w.bufs[:0]
	}
	w.wbuf, w.seg, w.pending = w.wbuf[:0], 0, 0
	return err
}

// writeLoop drains q (and queued commands) whenever woken and writes everything it took, in
// writes of up to flushAt bytes: the faster senders outrun the network, the more each write
// carries, with no per-message system call.
func (c *Conn) writeLoop(q *pipe.OutQueue, readDone, quit <-chan struct{}, idle func()) error {
	w := &writer{nc: c.nc, wbuf: make([]byte, 0, 4<<10), seal: c.codec} // grows with the traffic
	var batch []pipe.Msg
	for {
		c.busy.Store(true)
		c.ctrlMu.Lock()
		for _, f := range c.ctrl {
			w.raw(f)
		}
		clear(c.ctrl)
		c.ctrl = c.ctrl[:0]
		c.ctrlMu.Unlock()
		batch = q.Drain(batch[:0])
		if len(batch) == 0 && w.pending == 0 {
			if cap(w.wbuf) > keepIdle {
				w.wbuf = make([]byte, 0, 4<<10) // a burst is over: do not hold its buffer while idle
			}
			c.busy.Store(false)
			if idle != nil {
				idle()
			}
			select {
			case <-q.Wake():
			case <-c.kick:
			case <-readDone:
				return nil
			case <-quit:
				return nil
			}
			continue
		}
		for _, m := range batch {
			for i, f := range m {
				flags := byte(0)
				if i < len(m)-1 {
					flags = zmtp.FlagMore
				}
				w.frame(flags, f)
			}
			if w.pending >= flushAt {
				if err := w.flush(); err != nil {
					c.busy.Store(false)
					return err
				}
			}
		}
		err := w.flush()
		clear(batch)
		if err != nil {
			c.busy.Store(false)
			return err
		}
	}
}
