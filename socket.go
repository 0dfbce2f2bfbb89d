package zmq

import (
	"context"

	"github.com/purezmq/zmq/internal/socket"
	"github.com/purezmq/zmq/zmtp"
)

// Context owns the inproc namespace and a set of sockets closed together. Most programs use
// the default one through NewSocket.
type Context struct{ c *socket.Context }

// NewContext returns a new context (zmq_ctx_new). Inproc endpoints are visible only within
// their context.
func NewContext() *Context { return &Context{c: socket.NewContext()} }

// defaultCtx is made with the package, not at first use: a context made inside a
// testing/synctest bubble would tie its channels to the bubble, and a socket lingering in it
// later, outside, would crash the program.
var defaultCtx = NewContext()

func defaultContext() *Context { return defaultCtx }

// DefaultContext returns the context NewSocket uses, for what is set per context, such as a ZAP
// handler (package auth). Nothing closes it for the program: when main returns, sockets still
// lingering in it are abandoned with whatever they had not written yet. A program that wants
// its last messages delivered calls DefaultContext().Close (or Shutdown) before it exits;
// after that NewSocket fails with ErrClosed.
func DefaultContext() *Context { return defaultContext() }

// Close is Shutdown without a deadline of its own: it closes every socket of the context,
// refuses new ones, and waits as long as each socket's LINGER says (forever for a socket with
// LINGER -1 whose messages cannot be delivered, as zmq_ctx_term).
func (c *Context) Close() error { return c.c.Close() }

// Shutdown closes every socket of the context and refuses new ones, then waits until each
// socket closed so far (now or earlier, with Socket.Close) has lingered: written the messages
// it had queued, or reached the end of its LINGER period. If ctx ends first, the sockets still
// lingering drop what they hold and Shutdown returns ctx's error. When it returns, the sockets'
// connections are closed and none of their goroutines is left. A second Close or Shutdown
// returns ErrClosed at once. It is zmq_ctx_term with a deadline (zmq_ctx_shutdown does not
// wait).
func (c *Context) Shutdown(ctx context.Context) error { return c.c.Shutdown(ctx) }

// Socket is a ZeroMQ socket. It is safe for concurrent use: each Send and Recv moves one whole
// multipart message, so concurrent callers never interleave frames.
type Socket struct {
	s *socket.Socket
}

// NewSocket creates a socket of type t in the default context (zmq_socket).
func NewSocket(t Type, opts ...Option) (*Socket, error) {
	return defaultContext().NewSocket(t, opts...)
}

// NewSocket creates a socket of type t in c (zmq_socket).
func (c *Context) NewSocket(t Type, opts ...Option) (*Socket, error) {
	o := socket.DefaultOptions()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if err := checkOptionTypes(&o, t); err != nil {
		return nil, err
	}
	s, err := socket.New(c.c, socket.Type(t), o)
	if err != nil {
		return nil, err
	}
	return &Socket{s: s}, nil
}

// Type returns the socket's type (ZMQ_TYPE).
func (s *Socket) Type() Type { return Type(s.s.Type()) }

// Bind accepts peers on endpoint (zmq_bind): "tcp://host:port" ("*" for every interface or an
// ephemeral port, see LastEndpoint), "ipc://path" ("ipc://@name" is Linux's abstract
// namespace), "inproc://name".
func (s *Socket) Bind(endpoint string) error { return s.s.Bind(endpoint) }

// Connect starts connecting to endpoint and returns at once (zmq_connect); the socket connects, and
// reconnects after failures, in the background.
func (s *Socket) Connect(endpoint string) error { return s.s.Connect(endpoint) }

// Unbind stops accepting on an endpoint given to Bind, or as LastEndpoint reported it
// (zmq_unbind).
func (s *Socket) Unbind(endpoint string) error { return s.s.Unbind(endpoint) }

// Disconnect stops connecting to an endpoint given to Connect (zmq_disconnect).
func (s *Socket) Disconnect(endpoint string) error { return s.s.Disconnect(endpoint) }

// LastEndpoint is ZMQ_LAST_ENDPOINT: the last endpoint bound or connected, with wildcards
// resolved ("tcp://0.0.0.0:41234").
func (s *Socket) LastEndpoint() string { return s.s.LastEndpoint() }

// SetConnectRoutingID sets ZMQ_CONNECT_ROUTING_ID: the routing id a ROUTER gives the peer of
// its next Connect, instead of the peer's own. 1 to 255 bytes, not starting with a zero byte.
// As in libzmq, a ROUTER can send to the alias as soon as Connect returns (unless IMMEDIATE):
// messages queue, within SNDHWM, until the connection is up. Connect fails with ErrOption when
// the alias already names a peer, unless ROUTER_HANDOVER. A socket other than a ROUTER (or a
// REP, a ROUTER underneath, or a STREAM) refuses it with ErrOption, as libzmq does.
func (s *Socket) SetConnectRoutingID(id []byte) error {
	if err := checkOptionType(OptConnectRoutingID, s.Type()); err != nil {
		return err
	}
	if err := checkRoutingID("CONNECT_ROUTING_ID", id); err != nil {
		return err
	}
	s.s.SetConnectRoutingID(id)
	return nil
}

// Send queues m, all its frames, for sending (zmq_msg_send with ZMQ_SNDMORE on all but the
// last), waiting while the socket's pattern says it must (every eligible peer at its HWM, or
// no peer yet) until ctx is done. A ctx that is already done makes Send non-blocking
// (libzmq's ZMQ_DONTWAIT). A Send that cannot queue m before ctx's deadline, or at once with a
// done ctx, fails with ErrAgain (matching ctx's error too); one whose ctx is cancelled while it
// waits returns context.Canceled. A message with no frame is ErrInvalid. After Send returns
// nil the frames belong to the library; m.Frames, the list of them, stays the caller's to
// reuse (Send copies it, so a message built for the call costs no allocation for its list).
func (s *Socket) Send(ctx context.Context, m Msg) error { return s.s.Send(ctx, m.Frames) }

// SendCopy is Send of a copy of m (zmq_send, where Send is zmq_msg_send): m's frames stay the
// caller's, to change or reuse as soon as SendCopy returns, at the cost of copying their
// bytes. Small messages (up to 8 frames and 1 KiB) are copied into storage the socket carves
// many messages from; a publisher whose subscribers are connections (two or more, no inproc
// peer) copies them into storage it reuses once every subscriber's connection has written them,
// so a program that publishes from a buffer it reuses allocates nothing per message. Send,
// which keeps the frames it is given, suits big messages and frames built for the call;
// SendCopy, buffers a program keeps.
func (s *Socket) SendCopy(ctx context.Context, m Msg) error { return s.s.SendCopy(ctx, m.Frames) }

// Recv returns the next whole message, all its frames (zmq_msg_recv until ZMQ_RCVMORE is 0),
// waiting until ctx is done; it fails with ErrAgain, as Send does, when none came in time.
func (s *Socket) Recv(ctx context.Context) (Msg, error) {
	frames, meta, err := s.s.Recv(ctx)
	if err != nil {
		return Msg{}, err
	}
	md, _ := meta.(zmtp.Metadata)
	return Msg{Frames: frames, meta: md}, nil
}

// Recycle gives m, a message received from s that is no longer needed, back to s, which reads
// later big frames (8 KiB and more) into its frames' memory instead of allocating. It is
// optional: big frames a program drops come back to s by themselves once the garbage collector
// finds nothing refers to them, a collection cycle later; Recycle has them back at once, while
// their memory is still in the CPU's caches. Afterwards m's frames must not be used, and only
// frames the caller owns may be given back: not ones it has sent since. Recycle empties
// m.Frames (the list stays the caller's, the library never reuses it), so recycling m a second
// time gives nothing back.
func (s *Socket) Recycle(m Msg) { s.s.Recycle(m.Frames) }

// Close closes the socket and returns at once, as zmq_close: calls blocked in Send or Recv
// return ErrClosed, and bound endpoints stop accepting. Messages queued before Close keep going
// out in the background, to peers connected now or later, for up to the LINGER period
// (WithLinger); the socket's Context.Close or Shutdown is what waits for them.
func (s *Socket) Close() error { return s.s.Close() }
