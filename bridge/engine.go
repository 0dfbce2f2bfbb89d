package bridge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	zmq "github.com/purezmq/zmq"
)

// DrainTimeout bounds a route's clean stop: once Run's context ends, a route stops receiving
// and has this long to settle what it holds (publish and have confirmed what it received,
// acknowledge what it sent) before it closes, leaving the rest for the broker to deliver again.
const DrainTimeout = 10 * time.Second

// ErrRoute: a route's configuration cannot work (wrong socket type for its direction, a
// missing broker or address, an endpoint that does not bind).
var ErrRoute = errors.New("bridge: bad route")

// maxBackoff caps the wait between dials.
const maxBackoff = time.Minute

// Run runs every route until ctx ends, then stops them cleanly within DrainTimeout and returns
// nil. A route's broker connection failing is never fatal (the route dials again with
// backoff); its ZeroMQ side failing is: Run then stops the other routes the same way and
// returns the first such error. A configuration that cannot work is ErrRoute, before
// anything runs. m may be nil.
func Run(ctx context.Context, routes []Route, m *Metrics) error {
	if err := validate(routes); err != nil {
		return err
	}
	zctx := zmq.NewContext()
	var socks []*zmq.Socket
	for i := range routes {
		s, err := open(zctx, &routes[i].Socket)
		if err != nil {
			_ = zctx.Shutdown(context.Background())
			return fmt.Errorf("%w: route %q: %w", ErrRoute, routes[i].Name, err)
		}
		socks = append(socks, s)
	}

	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	hard, cancelHard := drainContext(stop, DrainTimeout)
	defer cancelHard()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for i := range routes {
		r := newRunner(&routes[i], socks[i], m)
		wg.Go(func() {
			if err := r.run(stop, hard); err != nil {
				once.Do(func() { first = err })
				cancel()
			}
		})
	}
	wg.Wait()
	// What the sockets still queue goes out within what is left of the drain.
	_ = zctx.Shutdown(hard)
	return first
}

// drainContext is a context that ends d after stop ends.
func drainContext(stop context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	hard, cancel := context.WithCancel(context.WithoutCancel(stop))
	var (
		mu    sync.Mutex
		timer *time.Timer
	)
	unregister := context.AfterFunc(stop, func() {
		mu.Lock()
		timer = time.AfterFunc(d, cancel)
		mu.Unlock()
	})
	return hard, func() {
		unregister()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

var (
	toTypes   = []zmq.Type{zmq.PULL, zmq.SUB, zmq.ROUTER}
	fromTypes = []zmq.Type{zmq.PUSH, zmq.PUB, zmq.DEALER}
)

func validate(routes []Route) error {
	names := map[string]bool{}
	for i := range routes {
		r := &routes[i]
		bad := func(format string, a ...any) error {
			return fmt.Errorf("%w: route %q: %s", ErrRoute, r.Name, fmt.Sprintf(format, a...))
		}
		switch {
		case r.Name == "":
			return fmt.Errorf("%w: route %d has no name", ErrRoute, i)
		case names[r.Name]:
			return bad("name used twice")
		case r.Direction == ToBroker && !slices.Contains(toTypes, r.Socket.Type):
			return bad("%v cannot receive for %v (PULL, SUB or ROUTER)", r.Socket.Type, r.Direction)
		case r.Direction == FromBroker && !slices.Contains(fromTypes, r.Socket.Type):
			return bad("%v cannot send for %v (PUSH, PUB or DEALER)", r.Socket.Type, r.Direction)
		case r.Direction != ToBroker && r.Direction != FromBroker:
			return bad("direction %v", r.Direction)
		case r.PeerAck && (r.Direction != FromBroker || r.Socket.Type != zmq.DEALER):
			return bad("PeerAck needs a from-broker DEALER")
		case r.Broker == nil:
			return bad("no broker")
		case r.Address == "":
			return bad("no address")
		case r.Window < 0 || r.Backoff < 0 || r.AckTimeout < 0:
			return bad("negative window, backoff or ack timeout")
		case len(r.Socket.Bind)+len(r.Socket.Connect) == 0:
			return bad("socket neither binds nor connects")
		case len(r.Socket.Subscribe) > 0 && r.Socket.Type != zmq.SUB:
			return bad("subscriptions on a %v", r.Socket.Type)
		}
		names[r.Name] = true
	}
	return nil
}

// open makes a route's socket, subscribed, bound and connected.
func open(zctx *zmq.Context, c *SocketConfig) (*zmq.Socket, error) {
	s, err := zctx.NewSocket(c.Type, c.Options...)
	if err != nil {
		return nil, err
	}
	err = subscribe(s, c)
	for _, ep := range c.Bind {
		if err == nil {
			err = s.Bind(ep)
		}
	}
	for _, ep := range c.Connect {
		if err == nil {
			err = s.Connect(ep)
		}
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func subscribe(s *zmq.Socket, c *SocketConfig) error {
	if c.Type != zmq.SUB {
		return nil
	}
	if len(c.Subscribe) == 0 {
		return s.Subscribe(nil)
	}
	for _, p := range c.Subscribe {
		if err := s.Subscribe([]byte(p)); err != nil {
			return err
		}
	}
	return nil
}

// runner is one route at work.
type runner struct {
	r    *Route
	sock *zmq.Socket
	m    *routeMetrics
	log  *slog.Logger
}

func newRunner(r *Route, sock *zmq.Socket, m *Metrics) *runner {
	log := r.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &runner{r: r, sock: sock, m: m.route(r.Name), log: log.With("route", r.Name)}
}

func (x *runner) window() int {
	if x.r.Window > 0 {
		return x.r.Window
	}
	return DefaultWindow
}

// run moves messages until stop ends and the route has drained (or hard ended).
func (x *runner) run(stop, hard context.Context) error {
	defer x.sock.Close()
	if x.r.Direction == ToBroker {
		return x.toBroker(stop, hard)
	}
	return x.fromBroker(stop, hard)
}
