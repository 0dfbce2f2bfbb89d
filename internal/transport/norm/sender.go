package norm

import (
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/transport"
)

// What a sender puts on the wire, as libzmq's NORM sender: one stream object (id 0) of 1400-
// byte segments in RS8 blocks of 16. It advertises no parity: it sends none, so that NRL
// receivers ask for the lost segments themselves, which it keeps for repair.
const (
	segSize     = 1400
	blockLen    = 16
	streamBuf   = 2 << 20 // the stream buffer libzmq gives NORM, and our repair window
	advertGRTT  = 20 * time.Millisecond
	flushRepeat = 3                  // FLUSHes after the data stops (NORM_FLUSH_ACTIVE)
	keepalive   = time.Second        // a FLUSH this often while idle, so receivers keep us
	minRate     = 10e3               // bytes/s, whatever RATE says
	maxBurst    = 8 * (segSize + 64) // bytes the rate limiter lets go at once
	sendFTISize = streamBuf / (blockLen * segSize) * blockLen * segSize
)

// sender is a NORM sender of libzmq's stream framing.
type sender struct {
	s        *session
	rate     float64 // bytes/s (RATE)
	instance uint16
	hdr      SenderHeader
	seq      uint16
	next     symPos // the next source symbol
	offset   uint32 // the stream offset of the next byte
	last     symPos // the latest symbol sent, for FLUSH
	sentAny  bool
	queue    []txSeg // built, waiting for the rate limiter
	window   map[symPos][]byte
	order    []symPos // window's symbols, oldest first
	winBytes int
	repair   []symPos
	pending  map[symPos]bool
	nextSend time.Time // the rate limiter: when the next datagram may go
	flushes  int       // FLUSHes still to send after the data stopped
	flushAt  time.Time
	out      []byte
	stream   []byte // a batch's stream bytes being cut into segments
	starts   []int  // where its messages start in stream

	busy  atomic.Bool
	nacks chan *Nack
	done  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
}

type txSeg struct {
	pos     symPos
	payload []byte // the stream segment: header and data
}

func newSender(s *session, c *transport.Config) *sender {
	x := &sender{
		s: s, rate: max(float64(c.Multicast.Rate)*1000/8, minRate), instance: uint16(rand.Uint32()),
		window: map[symPos][]byte{}, pending: map[symPos]bool{}, nacks: make(chan *Nack, 64), done: make(chan struct{}),
	}
	x.hdr = SenderHeader{Instance: x.instance, GRTT: quantizeRTT(advertGRTT), Backoff: 4, GSize: 2}
	x.wg.Add(1)
	go x.readFeedback()
	return x
}

// Run implements transport.Engine.
func (x *sender) Run(l transport.Link) error {
	var batch []pipe.Msg
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		for more := true; more; {
			x.busy.Store(true) // before the drain: LINGER must not see the queue empty and us idle
			batch, more = l.Out.Drain(batch[:0], 64<<10)
			if len(batch) > 0 {
				x.messages(batch)
			}
			clear(batch)
			if err := x.pump(time.Now()); err != nil {
				return err
			}
			if len(x.queue) == 0 && len(x.repair) == 0 {
				x.busy.Store(false)
				l.Idle()
			}
			if len(x.queue) > 0 {
				break // the rate limiter holds the rest back
			}
		}
		timer.Reset(x.wakeAt(time.Now()))
		select {
		case <-l.Out.Wake():
		case n := <-x.nacks:
			x.handleNack(n)
		case <-timer.C:
		case <-x.done:
			return nil
		}
	}
}

// messages writes a batch of messages to the stream, cut into full segments (the last one
// short: the batch is flushed, as libzmq flushes after each message). A segment marks its
// first message start, where a late or resynchronising receiver starts; frames that are not a
// message's first are not marked, since libzmq's receivers would skip them anyway. Full
// segments keep the segment count, and with it the blocks receivers must hold, low.
func (x *sender) messages(batch []pipe.Msg) {
	x.stream = x.stream[:0]
	x.starts = x.starts[:0]
	for _, m := range batch {
		x.starts = append(x.starts, len(x.stream))
		for i, f := range m {
			x.stream = appendFrame(x.stream, i == 0, i < len(m)-1, f)
		}
	}
	next := 0 // the first of starts not yet passed
	for j := 0; j < len(x.stream); j += segSize {
		end := min(j+segSize, len(x.stream))
		st := Stream{Offset: x.offset, Data: x.stream[j:end]}
		for next < len(x.starts) && x.starts[next] < j {
			next++
		}
		if next < len(x.starts) && x.starts[next] < end {
			st.MsgStart = uint16(x.starts[next]-j) + 1
		}
		x.queue = append(x.queue, txSeg{pos: x.next, payload: st.Append(nil)})
		x.offset += uint32(end - j)
		x.next = x.next.next(blockLen)
	}
	x.flushes = 0
}

// pump sends what the rate limiter allows: repairs first, then new data, then FLUSHes.
func (x *sender) pump(now time.Time) error {
	for now.After(x.nextSend) || now.Equal(x.nextSend) {
		var b []byte
		switch {
		case len(x.repair) > 0:
			p := x.repair[0]
			x.repair = x.repair[1:]
			delete(x.pending, p)
			payload, ok := x.window[p]
			if !ok {
				continue
			}
			b = x.data(p, payload, FlagRepair)
		case len(x.queue) > 0:
			sg := x.queue[0]
			x.queue = x.queue[1:]
			x.keep(sg)
			b = x.data(sg.pos, sg.payload, 0)
			x.last, x.sentAny = sg.pos, true
			if len(x.queue) == 0 {
				x.flushes, x.flushAt = flushRepeat, now
			}
		case x.sentAny && !now.Before(x.flushAt):
			b = x.flush()
			if x.flushes > 0 {
				x.flushes--
				x.flushAt = now.Add(2 * advertGRTT)
			} else {
				x.flushAt = now.Add(keepalive)
			}
		default:
			return nil
		}
		if err := x.write(b); err != nil {
			return err
		}
		x.nextSend = maxTime(x.nextSend, now.Add(-time.Duration(float64(maxBurst)/x.rate*float64(time.Second)))).
			Add(time.Duration(float64(len(b)+28) / x.rate * float64(time.Second)))
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// wakeAt is how long Run may sleep: until the rate limiter lets the next datagram go, or the
// next FLUSH is due.
func (x *sender) wakeAt(now time.Time) time.Duration {
	if len(x.queue) > 0 || len(x.repair) > 0 {
		return max(x.nextSend.Sub(now), time.Millisecond)
	}
	if x.sentAny {
		return max(x.flushAt.Sub(now), time.Millisecond)
	}
	return time.Hour
}

func (x *sender) data(p symPos, payload []byte, flags uint8) []byte {
	d := Data{Header: Header{Seq: x.nextSeq(), Source: x.s.node},
		ObjectHeader: ObjectHeader{SenderHeader: x.hdr, Flags: FlagStream | flags, FecID: FecRS8},
		ID:           PayloadID{Block: p.block, Symbol: p.sym},
		Exts:         []Ext{FTI{Size: sendFTISize, Segment: segSize, NData: blockLen}.Ext(FecRS8)},
		Payload:      payload}
	return d.Append(x.out[:0])
}

func (x *sender) flush() []byte {
	c := Cmd{Header: Header{Seq: x.nextSeq(), Source: x.s.node}, SenderHeader: x.hdr, Flavor: CmdFlush,
		FecID: FecRS8, ID: PayloadID{Block: x.last.block, Symbol: x.last.sym}}
	return c.Append(x.out[:0])
}

func (x *sender) nextSeq() uint16 { x.seq++; return x.seq - 1 }

// write sends one datagram to the session address. A full socket buffer drops it, as the
// network might: NACKs recover it.
func (x *sender) write(b []byte) error {
	x.out = b
	_, err := x.s.conn.WriteToUDPAddrPort(b, x.s.dest)
	if err != nil && errors.Is(err, net.ErrClosed) {
		return nil
	}
	return nil
}

// keep puts a sent segment in the repair window, dropping the oldest beyond its size.
func (x *sender) keep(sg txSeg) {
	x.window[sg.pos] = sg.payload
	x.order = append(x.order, sg.pos)
	x.winBytes += len(sg.payload)
	for x.winBytes > streamBuf && len(x.order) > 0 {
		old := x.order[0]
		x.order = x.order[1:]
		x.winBytes -= len(x.window[old])
		delete(x.window, old)
	}
}

// handleNack queues the segments a receiver asks for, or squelches what is gone.
func (x *sender) handleNack(n *Nack) {
	squelch := false
	want := func(p symPos) {
		if _, ok := x.window[p]; !ok {
			// Gone from the window: squelch. Not sent yet (queued): it comes anyway.
			squelch = squelch || len(x.order) > 0 && p.before(x.order[0])
			return
		}
		if !x.pending[p] {
			x.pending[p] = true
			x.repair = append(x.repair, p)
		}
	}
	for _, r := range n.Requests {
		if r.Flags&(RepairSegment|RepairBlock) == 0 {
			continue
		}
		for i := 0; i < len(r.Items); i++ {
			from := r.Items[i]
			to := from
			if r.Form == FormRanges && i+1 < len(r.Items) {
				i++
				to = r.Items[i]
			}
			if from.Object != 0 || from.FecID != FecRS8 {
				continue
			}
			a, z := symPos{from.ID.Block, from.ID.Symbol}, symPos{to.ID.Block, to.ID.Symbol}
			if r.Flags&RepairSegment == 0 { // whole blocks
				a.sym, z.sym = 0, blockLen-1
			}
			for p, k := a, 0; !z.before(p) && k < 4*blockLen; p, k = p.next(blockLen), k+1 {
				if p.sym < blockLen {
					want(p)
				}
			}
		}
	}
	if squelch && len(x.order) > 0 {
		oldest := x.order[0]
		c := Cmd{Header: Header{Seq: x.nextSeq(), Source: x.s.node}, SenderHeader: x.hdr, Flavor: CmdSquelch,
			FecID: FecRS8, ID: PayloadID{Block: oldest.block, Symbol: oldest.sym}}
		x.write(c.Append(x.out[:0]))
	}
}

// readFeedback reads what receivers send, and hands the NACKs for us to Run.
func (x *sender) readFeedback() {
	defer x.wg.Done()
	buf := make([]byte, 65536)
	for {
		nb, _, err := x.s.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		m, err := Parse(buf[:nb])
		if err != nil {
			continue
		}
		if n, ok := m.(*Nack); ok && n.Server == x.s.node && n.Instance == x.instance {
			select {
			case x.nacks <- n:
			default: // a flood of NACKs: the next ones ask again
			}
		}
	}
}

// Busy implements transport.Engine: segments wait for the rate limiter.
func (x *sender) Busy() bool { return x.busy.Load() }

// Close implements transport.Engine.
func (x *sender) Close() error {
	var err error
	x.once.Do(func() {
		close(x.done)
		err = x.s.conn.Close()
		x.wg.Wait()
	})
	return err
}

// quantizeRTT is NORM's 8-bit form of a round-trip time (RFC 5740 §5.5.1).
func quantizeRTT(d time.Duration) uint8 {
	rtt := min(max(d.Seconds(), 1e-6), 1000)
	if rtt < 3.3e-5 {
		return uint8(math.Ceil(rtt*1e6) - 1)
	}
	return uint8(math.Ceil(255 - 13*math.Log(1000/rtt)))
}
