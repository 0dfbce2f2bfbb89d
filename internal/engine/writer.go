package engine

import (
	"net"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
)

const (
	bigFrame     = 8 << 10  // bodies at least this big go out by writev, uncopied
	keepWriteBuf = 1 << 20 // a write buffer grown past this is dropped after use
)

// writeLoop drains q (and queued commands) whenever woken, encodes everything it took into one
// buffer, large bodies referenced in place, and writes once. The faster senders outrun the
// network, the more each write carries.
func (c *Conn) writeLoop(q *pipe.OutQueue, readDone, quit <-chan struct{}, idle func()) error {
	var (
		batch []pipe.Msg
		wbuf  = make([]byte, 0, 64<<10)
		bufs  net.Buffers
	)
	for {
		c.busy.Store(true)
		c.ctrlMu.Lock()
		for _, f := range c.ctrl {
			wbuf = append(wbuf, f...)
		}
		clear(c.ctrl)
		c.ctrl = c.ctrl[:0]
		c.ctrlMu.Unlock()
		batch = q.Drain(batch[:0])
		if len(batch) == 0 && len(wbuf) == 0 {
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
		bufs = bufs[:0]
		seg := 0
		for _, m := range batch {
			for i, f := range m {
				flags := byte(0)
				if i < len(m)-1 {
					flags = zmtp.FlagMore
				}
				wbuf = zmtp.AppendFrameHeader(wbuf, flags, len(f))
				if len(f) >= bigFrame {
					bufs = append(bufs, wbuf[seg:], f)
					seg = len(wbuf)
				} else {
					wbuf = append(wbuf, f...)
				}
			}
		}
		var err error
		if len(bufs) == 0 {
			_, err = c.nc.Write(wbuf)
		} else {
			if seg < len(wbuf) {
				bufs = append(bufs, wbuf[seg:])
			}
			out := bufs
			_, err = out.WriteTo(c.nc)
			clear(bufs)
		}
		clear(batch)
		if err != nil {
			c.busy.Store(false)
			return err
		}
		if cap(wbuf) > keepWriteBuf {
			wbuf = make([]byte, 0, 64<<10)
		}
		wbuf = wbuf[:0]
	}
}
