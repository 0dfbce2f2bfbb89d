package socket

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/purezmq/zmq/internal/engine"
	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

// Socket is the generic socket: it owns the inbound queue, the peers' pipes and the endpoints,
// and applies its type's pattern to every message.
type Socket struct {
	ctx  *Context
	typ  Type
	caps Caps
	// optp is the current options, replaced whole (copy on write, under mu) by SetOptions:
	// readers load it without a lock, and bind and connect keep the snapshot they started with.
	optp atomic.Pointer[Options]

	watch ctxWatch // interrupts a Recv reading its sole peer when its ctx ends (direct.go); its own lock

	mu        sync.Mutex // guards everything below and the pattern's state
	pat       pattern
	closed    bool
	closeErr  error // what calls on the closed socket return: ErrClosed or ErrContextClosed
	links     map[*link]struct{}
	endpoints map[string]endpoint
	lastEP    string
	connectID []byte                // CONNECT_ROUTING_ID for the next Connect
	nconns    map[net.Conn]endpoint // every open connection and the endpoint that made it

	inbox     *pipe.Inbox
	sole      *link         // the peer Recv may read itself (direct.go)
	soleConn  *engine.Conn  // its connection
	answered  bool          // the last call was a Recv that returned a message: a Send answers it
	ds        directSend    // the Send under way that may write its peer itself (direct.go)
	turnSends int           // messages sent since the socket's senders last gave up their turn (sendTurn)
	lists     sendLists     // where Send copies the caller's list of frames (sendlists.go)
	sendWake  chan struct{} // a pipe gained room or a peer arrived
	idleWake  chan struct{} // a writer finished its work (linger)
	closing   chan struct{} // closed when Close starts: blocked calls return
	quit      chan struct{} // closed when linger ends: connections stop
	done      chan struct{} // closed when the socket is torn down, after its linger
	base      context.Context
	endBase   context.CancelFunc // cancels base when quit closes: dials and reconnect waits end
	wg        sync.WaitGroup
	mon       monitors // Monitor's sinks (monitor.go)

	ready readiness // pollers waiting on this socket (ready.go)
}

// endpoint is something Unbind or Disconnect can stop.
type endpoint interface{ stop() }

// New creates a socket of type t in ctx.
func New(ctx *Context, t Type, o Options) (*Socket, error) {
	if err := o.Security.Prepare(); err != nil {
		return nil, err
	}
	k, err := lookupKind(t)
	if err != nil {
		return nil, err
	}
	if k.caps.Raw && o.Security.Name() != mechanism.Null {
		// libzmq ignores a mechanism on a raw socket; refusing it keeps a program that asked for
		// CURVE from sending plaintext unawares.
		return nil, fmt.Errorf("%w: %v speaks raw bytes, without a security mechanism", zerr.ErrNotSupported, t)
	}
	s := &Socket{
		ctx: ctx, typ: t, caps: k.caps, pat: k.newPattern(&o),
		links:     map[*link]struct{}{},
		endpoints: map[string]endpoint{},
		nconns:    map[net.Conn]endpoint{},
		inbox:     pipe.NewInbox(),
		sendWake:  pipe.NewWake(),
		idleWake:  pipe.NewWake(),
		closing:   make(chan struct{}),
		quit:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	s.lists.logger, _ = s.pat.(logger)
	s.optp.Store(&o)
	s.base, s.endBase = context.WithCancel(context.Background())
	if err := ctx.add(s); err != nil {
		return nil, err
	}
	return s, nil
}

// Type returns the socket's type.
func (s *Socket) Type() Type { return s.typ }

// Caps returns what the socket's type can do.
func (s *Socket) Caps() Caps { return s.caps }

// Options returns the socket's options.
func (s *Socket) Options() Options { return *s.opts() }

// opts is the current options; read only (SetOptions replaces them whole).
func (s *Socket) opts() *Options { return s.optp.Load() }

// Send queues frames on the pipe the pattern chooses, waiting for room until ctx is done. It
// keeps the frames, not the list of them (sendlists.go).
func (s *Socket) Send(ctx context.Context, frames pipe.Msg) error { return s.send(ctx, frames, false) }

// SendCopy is Send of a copy of the frames, which stay the caller's.
func (s *Socket) SendCopy(ctx context.Context, frames pipe.Msg) error {
	return s.send(ctx, frames, true)
}

func (s *Socket) send(ctx context.Context, frames pipe.Msg, copyFrames bool) error {
	if len(frames) == 0 {
		return fmt.Errorf("%w: a message needs at least one frame", zerr.ErrInvalid)
	}
	var m pipe.Msg // frames, in the socket's own list
	waited := false
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return s.closeErr
		}
		if m == nil {
			m = s.lists.own(frames, copyFrames)
		}
		s.ds.on = s.answered
		err := s.pat.send(m)
		if err == errAgain && s.lists.logger != nil {
			m = nil // its list may be in the log: own it again for the next try
		}
		to := s.ds.to
		var conn *engine.Conn
		if to != nil {
			conn = to.conn
		}
		s.ds = directSend{}
		s.answered = false
		yield := false
		if err == nil {
			s.turnSends++
			if yield = s.turnSends >= sendTurn(s.opts().SendHWM); yield {
				s.turnSends = 0
			}
		}
		s.mu.Unlock()
		if to != nil {
			conn.WriteNow(to.q)
		}
		if err != errAgain {
			if waited && err == nil || yield {
				s.wakeSenders() // there may be room for another waiting sender too
			}
			if yield {
				runtime.Gosched() // see sendTurn
			}
			return err
		}
		if err := ctx.Err(); err != nil && !waited {
			return zerr.Again(err) // a done ctx only tries (ZMQ_DONTWAIT)
		}
		select {
		case <-s.sendWake:
			waited = true
			// Whoever freed the room (a connection's writer) readied us to run next on its
			// processor, in its time slice: a sender and its writer handing the processor to
			// each other keep it from every other sender until the scheduler preempts them
			// (10 ms). Going to the back of the scheduler's queue once per wait is what lets N
			// senders in one process share the link.
			runtime.Gosched()
		case <-ctx.Done():
			return ctxEnded(ctx.Err())
		case <-s.closing:
			return s.closeErr
		}
	}
}

// Recv returns the next message the pattern accepts and the metadata of the connection it came
// from, waiting until ctx is done.
func (s *Socket) Recv(ctx context.Context) (pipe.Msg, any, error) {
	waited := false
	readOwn := false // read the connection itself: what it queued woke no other receiver
	yield := false   // a Pop woke a producer, and the socket has others (yieldToFreed)
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, nil, s.closeErr
		}
		if err := s.pat.canRecv(); err != nil {
			s.mu.Unlock()
			if readOwn {
				s.inbox.Nudge() // what this Recv read quietly is left for the others
			}
			return nil, nil, err
		}
		for {
			p, m, freed, ok := s.inbox.Pop()
			if !ok {
				break
			}
			yield = yield || freed && len(s.links) > 1
			if out, keep := s.pat.recv(p, m); keep {
				s.answered = true
				meta := p.Meta
				s.mu.Unlock()
				if yield {
					runtime.Gosched() // see yieldToFreed
				}
				return out, meta, nil
			}
		}
		sole := s.soleConn
		s.mu.Unlock()
		// A done ctx (DONTWAIT) only looks: it leaves reading to the background reader.
		if sole != nil && ctx.Err() == nil {
			err := s.readDirect(ctx, sole)
			if err == nil {
				readOwn = true
				continue
			}
			if isInterrupted(err) {
				if err := ctx.Err(); err != nil {
					return nil, nil, ctxEnded(err)
				}
				continue // closing, or another peer: the next round sees it
			}
			// Someone else reads it, or it failed: wait for what arrives.
		}
		if err := ctx.Err(); err != nil && !waited {
			return nil, nil, zerr.Again(err) // a done ctx only looks (ZMQ_DONTWAIT)
		}
		if !s.inbox.BeginWait() {
			continue
		}
		waited = true
		select {
		case <-s.inbox.Wake():
		case <-ctx.Done():
			s.inbox.EndWait()
			return nil, nil, ctxEnded(ctx.Err())
		case <-s.closing:
			s.inbox.EndWait()
			return nil, nil, s.closeErr
		}
		s.inbox.EndWait()
	}
}

// Recycle gives m's big frames to the socket's pool and empties m's slots (pipe.BufPool.Recycle).
func (s *Socket) Recycle(m pipe.Msg) {
	s.inbox.Bufs().Recycle(m)
}

// ctxEnded is the error of a call whose ctx ended while it waited: ErrAgain for a deadline, as
// libzmq's SNDTIMEO and RCVTIMEO give EAGAIN, and the ctx's own error for a cancellation.
func ctxEnded(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return zerr.Again(err)
	}
	return err
}

// yieldToFreed: a Recv whose Pop woke a producer waiting for credit (a connection's reader,
// an inproc sender) gives it the processor before returning, when the socket has several
// peers. The wake-up put the producer to run next on this processor, after this goroutine,
// and each later wake-up takes that place from the one before, which goes to the back of the
// queue: of the producers a receiver frees one after another, in the fair queue's order, the
// last one woken ran first. The same reader came last at every round and got ahead for good
// (one PULL with 10 libzmq PUSH peers over tcp: fairness at half-way 38-50 %, where libzmq's
// PULL has 92-98 %; with the yield 75-94 %). Yielding lets each run as it is freed, in the
// fair queue's order; it costs one yield per low-water crossing of a pipe (half its RCVHWM).
//
// sendTurn is how many messages a socket's senders send before one of them yields the
// processor: one queue's worth (SNDHWM, 1000 when unlimited), what a sender would send before
// waiting if its peer were slower. A sender that never waits, because its connection's writer
// keeps up on the other processor, would otherwise keep the processor for the scheduler's whole
// time slice (10 ms, tens of thousands of small messages) while the process's other senders
// wait. Shorter turns share better but cost one sender's stream: measured paired on two cores,
// ipc 16 B, one PUSH → one PULL, a turn of 100 took 1.30× the wall time of no yield, a turn of
// 1000 1.03× (while 100 PUSH → one PULL over tcp reached 34-60 % fairness at half-way with 100
// against 12-15 % with 1000). That is the Go scheduler's sharing, not the sockets': goroutines
// with no I/O yielding every 1000 units of work share two processors at 22-43 % at half-way,
// every 100 at 82-87 % (a prototype without the library, not kept; README).
func sendTurn(hwm int) int {
	if hwm <= 0 {
		return 1000
	}
	return hwm
}

func (s *Socket) wakeSenders() {
	pipe.Signal(s.sendWake)
	if s.ready.n.Load() > 0 {
		s.notifyReady()
	}
}

func (s *Socket) wakeIdle() { pipe.Signal(s.idleWake) }

// LastEndpoint is LAST_ENDPOINT: the endpoint of the last successful Bind or Connect, with
// wildcards resolved.
func (s *Socket) LastEndpoint() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastEP
}

// SetConnectRoutingID sets CONNECT_ROUTING_ID: the routing id given to the peer of the next
// Connect.
func (s *Socket) SetConnectRoutingID(id []byte) {
	s.mu.Lock()
	s.connectID = append([]byte(nil), id...)
	s.mu.Unlock()
}

// engineConfig configures a connection from the options o its endpoint started with.
func (s *Socket) engineConfig(o *Options) engine.Config {
	return engine.Config{
		SocketType:       s.typ.String(),
		Identity:         o.RoutingID,
		AnnounceIdentity: s.caps.Identity,
		MaxMsgSize:       o.MaxMsgSize,
		HandshakeIvl:     o.HandshakeIvl,
		Security:         s.security(o),
		Metadata:         o.Metadata,

		HeartbeatIvl:     o.HeartbeatIvl,
		HeartbeatTTL:     o.HeartbeatTTL,
		HeartbeatTimeout: o.HeartbeatTimeout,
	}
}
