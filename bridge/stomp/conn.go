package stomp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/purezmq/zmq/bridge"
)

// handshakeTimeout bounds CONNECT → CONNECTED when ctx has no deadline.
const handshakeTimeout = 30 * time.Second

// closeTimeout bounds how long Close waits for DISCONNECT's and UNSUBSCRIBE's receipts.
const closeTimeout = 5 * time.Second

// writeTimeout bounds one write: a broker that stops reading fails the connection.
const writeTimeout = 30 * time.Second

// Dial returns a Dialer for the broker at url (stomp://user:pass@host:port/vhost).
func Dial(url string, opts ...Option) bridge.Dialer {
	o := options{heartbeat: DefaultHeartbeat, limits: DefaultLimits}
	for _, opt := range opts {
		opt(&o)
	}
	return func(ctx context.Context) (bridge.Broker, error) {
		t, err := parseURL(url)
		if err != nil {
			return nil, err
		}
		c, err := dial(ctx, t, o)
		if err != nil {
			return nil, err
		}
		return &broker{t: t, o: o, main: c, subs: map[*consumer]struct{}{}}, nil
	}
}

// conn is one STOMP connection: a broker's for its publishers, or a consumer's. The reader
// goroutine alone reads nc and dispatches; the writer goroutine alone writes it. Everything
// else is under mu.
type conn struct {
	nc   net.Conn
	dec  *Decoder
	kick chan struct{} // wakes the writer; one slot
	done chan struct{} // closed once err is set
	wg   sync.WaitGroup

	sendEvery  time.Duration // the writer's heart-beat; 0: none
	recvWithin time.Duration // the broker's silence that fails the connection; 0: none

	mu       sync.Mutex
	out      [][]byte               // encoded frames for the writer
	err      error                  // why the connection ended; set once
	closing  bool                   // Close sent DISCONNECT: an end now is ErrClosed
	seq      uint64                 // receipt and subscription ids
	receipts map[string]func(error) // awaited receipts; called under mu
	subs     map[string]*consumer
}

func dial(ctx context.Context, t target, o options) (*conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", bridge.ErrConnection, err)
	}
	c := &conn{
		nc: nc, kick: make(chan struct{}, 1), done: make(chan struct{}),
		receipts: map[string]func(error){}, subs: map[string]*consumer{},
	}
	c.dec = NewDecoder(liveReader{c}, o.limits)
	if err := c.handshake(ctx, t, o); err != nil {
		nc.Close()
		return nil, err
	}
	c.wg.Add(2)
	go c.reader()
	go c.writer()
	return c, nil
}

func (c *conn) handshake(ctx context.Context, t target, o options) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(handshakeTimeout)
	}
	c.nc.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Now()) })
	defer stop()
	o.heartbeat = max(o.heartbeat, 0)
	hb := strconv.FormatInt(o.heartbeat.Milliseconds(), 10)
	f := &Frame{Command: "CONNECT"}
	f.Add("accept-version", "1.2")
	f.Add("host", t.vhost)
	f.Add("heart-beat", hb+","+hb)
	if t.login != "" {
		f.Add("login", t.login)
		f.Add("passcode", t.passcode)
	}
	b, err := AppendFrame(nil, f)
	if err != nil {
		return fmt.Errorf("stomp: CONNECT: %w", err)
	}
	if _, err := c.nc.Write(b); err != nil {
		return fmt.Errorf("%w: CONNECT: %w", bridge.ErrConnection, err)
	}
	r, err := c.dec.Read()
	if err != nil {
		return fmt.Errorf("%w: waiting for CONNECTED: %w", bridge.ErrConnection, err)
	}
	switch r.Command {
	case "CONNECTED":
	case "ERROR":
		msg, _ := r.Get("message")
		return fmt.Errorf("stomp: broker refused CONNECT: %s: %.200s", msg, r.Body)
	default:
		return fmt.Errorf("%w: %s instead of CONNECTED", bridge.ErrConnection, r.Command)
	}
	if v, _ := r.Get("version"); v != "1.2" {
		return fmt.Errorf("stomp: broker speaks STOMP %q, not 1.2", v)
	}
	// heart-beat: sx,sy — the broker sends every sx, wants ours every sy (0: not at all).
	var sx, sy time.Duration
	if v, ok := r.Get("heart-beat"); ok {
		a, b, _ := strings.Cut(v, ",")
		sx, sy = beatPeriod(a), beatPeriod(b)
	}
	if o.heartbeat > 0 && sy > 0 {
		c.sendEvery = max(o.heartbeat, sy)
	}
	if o.heartbeat > 0 && sx > 0 {
		c.recvWithin = 3 * max(o.heartbeat, sx)
	}
	c.nc.SetDeadline(time.Time{})
	return ctx.Err()
}

// maxBeat caps a broker's heart-beat period: beyond it the arithmetic could overflow.
const maxBeat = time.Hour

// beatPeriod reads one of the broker's heart-beat figures (milliseconds); 0 when absent or
// malformed (no heart-beat that way).
func beatPeriod(s string) time.Duration {
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil {
		return 0
	}
	return time.Duration(min(n, uint64(maxBeat/time.Millisecond))) * time.Millisecond
}

// liveReader fails a read once the broker said nothing, heart-beats included, for recvWithin.
type liveReader struct{ c *conn }

func (l liveReader) Read(p []byte) (int, error) {
	if w := l.c.recvWithin; w > 0 {
		l.c.nc.SetReadDeadline(time.Now().Add(w))
	}
	return l.c.nc.Read(p)
}

// fail ends the connection with err (or ErrClosed once Close began): every awaited receipt
// gets it, consumers see done, and nc is closed so both goroutines return.
func (c *conn) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	if c.closing {
		err = bridge.ErrClosed
	}
	c.err = err
	for id, settle := range c.receipts {
		delete(c.receipts, id)
		settle(err)
	}
	close(c.done)
	c.nc.Close()
}

// lostErr makes an I/O error a bridge.ErrConnection.
func lostErr(err error) error {
	if errors.Is(err, bridge.ErrConnection) {
		return err
	}
	return fmt.Errorf("%w: %w", bridge.ErrConnection, err)
}

// send queues f for the writer; receipt, when set, is called with the broker's answer (nil
// for its RECEIPT, ErrRejected for an ERROR about it, or why the connection ended).
func (c *conn) send(f *Frame, receipt func(error)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sendLocked(f, receipt)
}

func (c *conn) sendLocked(f *Frame, receipt func(error)) error {
	if c.err != nil {
		return c.err
	}
	if receipt != nil {
		id := c.nextID("r")
		f.Add("receipt", id)
		c.receipts[id] = receipt
	}
	b, err := AppendFrame(nil, f)
	if err != nil {
		return err
	}
	c.out = append(c.out, b)
	select {
	case c.kick <- struct{}{}:
	default:
	}
	return nil
}

func (c *conn) nextID(prefix string) string {
	c.seq++
	return prefix + strconv.FormatUint(c.seq, 10)
}

func (c *conn) writer() {
	defer c.wg.Done()
	var tick <-chan time.Time
	if c.sendEvery > 0 {
		// Ticking at half the period, a beat after a quiet tick keeps every gap under it.
		t := time.NewTicker(c.sendEvery / 2)
		defer t.Stop()
		tick = t.C
	}
	wrote := false
	var spare [][]byte
	for {
		beat := false
		select {
		case <-c.kick:
		case <-tick:
			beat = !wrote
			wrote = false
		case <-c.done:
			return
		}
		c.mu.Lock()
		out := c.out
		c.out, spare = spare[:0], nil // the two arrays swap: never both ours and the senders'
		c.mu.Unlock()
		if len(out) == 0 && beat {
			out = append(out, []byte{'\n'})
		}
		if len(out) == 0 {
			spare = out
			continue
		}
		c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
		bufs := net.Buffers(out)
		if _, err := bufs.WriteTo(c.nc); err != nil {
			c.fail(lostErr(err))
			return
		}
		wrote = true
		clear(out)
		spare = out[:0]
	}
}

func (c *conn) reader() {
	defer c.wg.Done()
	for {
		f, err := c.dec.Read()
		if err != nil {
			c.fail(lostErr(err))
			return
		}
		if err := c.dispatch(f); err != nil {
			c.fail(err)
			return
		}
	}
}

func (c *conn) dispatch(f *Frame) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch f.Command {
	case "MESSAGE":
		id, _ := f.Get("subscription")
		if cs := c.subs[id]; cs != nil {
			return cs.deliver(f)
		}
	case "RECEIPT":
		id, _ := f.Get("receipt-id")
		if settle := c.receipts[id]; settle != nil {
			delete(c.receipts, id)
			settle(nil)
		}
	case "ERROR":
		// STOMP ends the connection after an ERROR; the frame it names is rejected.
		msg, _ := f.Get("message")
		if id, ok := f.Get("receipt-id"); ok && c.receipts[id] != nil {
			c.receipts[id](fmt.Errorf("%w: %s", bridge.ErrRejected, msg))
			delete(c.receipts, id)
		}
		return fmt.Errorf("%w: broker ERROR: %s: %.200s", bridge.ErrConnection, msg, f.Body)
	}
	return nil
}

// Close sends DISCONNECT, waits (closeTimeout at most) for its receipt so that what was sent
// before is processed, and closes the connection; links and pending confirms fail with
// bridge.ErrClosed.
func (c *conn) Close() error {
	got := make(chan struct{})
	c.mu.Lock()
	if c.err == nil && !c.closing {
		c.closing = true
		if c.sendLocked(&Frame{Command: "DISCONNECT"}, func(error) { close(got) }) != nil {
			close(got)
		}
	} else {
		close(got)
	}
	c.mu.Unlock()
	t := time.NewTimer(closeTimeout)
	select {
	case <-got:
	case <-t.C:
	}
	t.Stop()
	c.fail(bridge.ErrClosed)
	c.wg.Wait()
	return nil
}
