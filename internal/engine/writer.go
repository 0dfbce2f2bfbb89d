package engine

import (
	"net"
	"slices"
	"sync"

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
//
// It only reads a message: no path here, nor the queue's, changes, recycles or keeps a list or
// a frame once written, so a publisher queues one message to many connections at once
// (pipe.Pipe.Encodes; TestWriterLeavesMessagesAlone).
//
// Two paths write the connection: the writer goroutine (writeQueued) and a sender writing
// directly (WriteNow). Whoever holds the Conn's wmu owns every field here and the right to
// write nc; nobody looks at them without it. What each path leaves the other when it lets go:
//   - The writer goroutine leaves nothing: it lets go once pending is 0, or the connection
//     has failed.
//   - WriteNow starts only when pending is 0, and may leave a partial write: the messages it
//     encoded stay in wbuf, pending counts all their bytes, and sent how many at the front of
//     the stream are on the wire already. It keeps busy set and wakes the writer goroutine,
//     which appends what it takes next (command frames, messages, big bodies in bufs) after
//     them; every flush, by write or by writev, starts sent bytes in.
//   - The codec's nonces (CURVE) are taken in encoding order, under wmu, and the bytes go out
//     in that same order, whichever path writes them.
type writer struct {
	nc      net.Conn
	wbuf    []byte
	bufs    net.Buffers
	out     net.Buffers // what a writev has still to write
	seg     int         // start of the part of wbuf not yet in bufs
	pending int         // bytes encoded and not yet written, sent included
	sent    int         // bytes at the front of what is encoded that a direct write got out already
	seal    mechanism.Codec
	batch   []pipe.Msg
	lent    *[]byte // the burst buffer wbuf is (or was, before it outgrew it), to give back
	own     []byte  // the connection's own buffer while it writes from a burst buffer
	more    bool    // the last take left messages queued
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

// messages encodes ms and, with flushing, writes every flushAt bytes (a direct write encodes
// a batch and writes it itself). Small frames of an unsealed stream are appended to a copy of
// wbuf on the stack, stored back once per write: the writer lives on the heap, and each store
// of a pointer into it costs a write barrier while the garbage collector marks, which a
// publisher's steady allocation keeps it doing much of the time (two stores a frame cost a
// 10-subscriber publisher about a tenth of its CPU).
func (w *writer) messages(ms []pipe.Msg, flushing bool) error {
	buf, pending := w.room(w.wbuf, ms, flushing), w.pending
	for _, m := range ms {
		for i, f := range m {
			flags := byte(0)
			if i < len(m)-1 {
				flags = zmtp.FlagMore
			}
			if w.seal != nil || len(f) >= bigFrame {
				w.wbuf, w.pending = buf, pending
				w.frame(flags, f)
				buf, pending = w.wbuf, w.pending
				continue
			}
			buf = zmtp.AppendFrameHeader(buf, flags, len(f))
			buf = append(buf, f...)
			pending += len(f) + 9
		}
		if flushing && pending >= flushAt {
			w.wbuf, w.pending = buf, pending
			if err := w.flush(); err != nil {
				return err
			}
			buf, pending = w.wbuf, w.pending
		}
	}
	w.wbuf, w.pending = buf, pending
	return nil
}

// A connection encodes a burst (a batch more than its own small buffer holds) into a buffer it
// takes from bursts and gives back once the burst is on the wire (reset). A hundred busy
// connections so share the few buffers being written at any moment, warm in the cache, and an
// idle one holds only its own 4 KiB. Each used to grow its own, in steps that copied and
// cleared every size on the way, and keep it: a publisher's first messages to 100 subscribers
// spent half its CPU growing their buffers and faulting in their pages.
var bursts = sync.Pool{New: func() any {
	b := make([]byte, 0, burstSize)
	return &b
}}

const (
	burstSize = flushAt + bigFrame // a write's worth and a message over it
	ownSize   = 4 << 10
	sealed    = 33 // what CURVE's MESSAGE command adds to a body: its name, the nonce, the MAC, the flags
)

// room returns buf with room for what encoding ms copies into it before a write (with
// flushing, a write's worth and the message that crosses it): buf itself, a burst buffer holding
// buf's bytes, or, for more than a burst buffer holds (big sealed messages), buf grown.
func (w *writer) room(buf []byte, ms []pipe.Msg, flushing bool) []byte {
	need, largest := 0, 0
	for _, m := range ms {
		n := 0
		for _, f := range m {
			switch {
			case w.seal != nil:
				n += 9 + sealed + len(f)
			case len(f) < bigFrame:
				n += 9 + len(f)
			default:
				n += 9 // the body goes by writev
			}
		}
		need, largest = need+n, max(largest, n)
	}
	if flushing {
		need = min(need, flushAt+largest)
	}
	switch {
	case cap(buf)-len(buf) >= need:
		return buf
	case w.lent == nil && len(buf)+need <= burstSize:
		w.lent, w.own = bursts.Get().(*[]byte), buf
		return append((*w.lent)[:0], buf...)
	}
	return slices.Grow(buf, need)
}

func (w *writer) flush() error {
	if w.pending == 0 {
		return nil
	}
	var err error
	if len(w.bufs) == 0 {
		_, err = w.nc.Write(w.wbuf[w.sent:])
	} else {
		if w.seg < len(w.wbuf) {
			w.bufs = append(w.bufs, w.wbuf[w.seg:])
		}
		// WriteTo consumes its receiver; w.out lives in the Conn, so it costs no allocation.
		w.out = skip(w.bufs, w.sent)
		_, err = w.out.WriteTo(w.nc)
		clear(w.bufs)
		w.bufs = w.bufs[:0]
	}
	w.reset()
	return err
}

// skip drops the first n bytes of bs, which are on the wire already; bs's slices are trimmed
// in place.
func skip(bs net.Buffers, n int) net.Buffers {
	for n > 0 && len(bs) > 0 {
		if n < len(bs[0]) {
			bs[0] = bs[0][n:]
			break
		}
		n -= len(bs[0])
		bs = bs[1:]
	}
	return bs
}

// reset empties the buffer once what it held is written, giving back a burst buffer.
func (w *writer) reset() {
	w.wbuf, w.seg, w.pending, w.sent = w.wbuf[:0], 0, 0, 0
	if w.lent != nil {
		bursts.Put(w.lent)
		w.wbuf, w.own, w.lent = w.own[:0], nil, nil
	}
}

// take moves queued command frames, and queued messages up to one flush's worth, into the
// batch; false when there is nothing to write. Messages are taken as they are about to be
// written, not before: until then they count against SNDHWM, so a writer stalled on a slow
// peer holds one flush beyond the HWM, not a second queue's worth.
func (c *Conn) take(q *pipe.OutQueue) bool {
	w := &c.w
	c.ctrlMu.Lock()
	for _, f := range c.ctrl {
		w.raw(f)
	}
	clear(c.ctrl)
	c.ctrl = c.ctrl[:0]
	if c.ping != nil {
		w.raw(c.ping)
		c.ping = nil
	}
	if len(c.pong) > 0 {
		w.raw(c.pong) // copied (or sealed) into wbuf: the next PONG reuses c.pong
		c.pong = c.pong[:0]
	}
	c.ctrlMu.Unlock()
	w.batch, w.more = q.Drain(w.batch[:0], max(flushAt-w.pending, 1))
	return len(w.batch) > 0 || w.pending > 0
}

// writeQueued writes everything queued until a look finds nothing more, in writes of up to
// flushAt bytes: the faster senders outrun the network, the more each write carries, with no
// per-message system call. With wmu held.
func (c *Conn) writeQueued(q *pipe.OutQueue) error {
	w := &c.w
	for c.take(q) {
		if err := w.messages(w.batch, true); err != nil {
			return err
		}
		clear(w.batch)
		if err := w.flush(); err != nil {
			return err
		}
	}
	return nil
}

// writeLoop writes what q (and the command queue) holds whenever woken, until writing fails,
// reading has ended or quit closes.
func (c *Conn) writeLoop(q *pipe.OutQueue, readDone, quit <-chan struct{}, idle func()) error {
	w := &c.w
	c.wmu.Lock()
	w.nc, w.seal, w.wbuf = c.nc, c.codec, make([]byte, 0, ownSize)
	c.wmu.Unlock()
	for {
		c.wmu.Lock()
		c.busy.Store(true)
		err := c.writeQueued(q)
		if err == nil && cap(w.wbuf) > keepIdle {
			w.wbuf = make([]byte, 0, ownSize) // a burst is over: do not hold its buffer while idle
		}
		c.busy.Store(false)
		c.wmu.Unlock()
		if err != nil {
			return err
		}
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
	}
}

// WriteNow writes what q holds from the sender's goroutine, sparing it the hand-off to the
// writer goroutine (turn.go says what that costs): a Send that answers a Recv does this, for
// whichever connection of its socket the answer goes to, as a request-reply exchange is bound
// by latency, not by batching. Senders of several sockets or goroutines may call it at once:
// wmu admits one per connection, and the others leave it to the writer. It writes only when
// the writer goroutine is idle, without blocking, and never big frames (those go by writev);
// whatever it does not write, the writer goroutine is woken for.
func (c *Conn) WriteNow(q *pipe.OutQueue) {
	if !c.canWriteNow() || !c.wmu.TryLock() {
		q.WakeWriter()
		return
	}
	w := &c.w
	done := false
	if w.pending == 0 && w.nc != nil {
		c.busy.Store(true)
		c.take(q)
		w.messages(w.batch, false) // cannot fail: it does not write
		clear(w.batch)
		if len(w.bufs) == 0 && w.pending > 0 {
			w.sent = c.writeNonBlocking(w.wbuf)
			if w.sent == len(w.wbuf) {
				w.reset()
			}
		}
		done = w.pending == 0 && !w.more
		c.busy.Store(!done)
	}
	c.wmu.Unlock()
	if !done {
		q.WakeWriter()
	} else if c.idle != nil {
		c.idle()
	}
}
