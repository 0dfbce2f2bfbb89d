package mdp

import (
	"context"
	"errors"
	"time"

	"github.com/purezmq/zmq"
)

// ErrNoReply is a request that got no FINAL reply in any of its attempts.
var ErrNoReply = errors.New("mdp: no reply")

// MaxPartials bounds the PARTIAL replies a request collects, so a broken peer cannot make a
// client hold replies without end.
const MaxPartials = 1024

// Client is the synchronous MDP/Client API: one request at a time, each retried on a new
// socket when its reply does not come in time. A Client is for one goroutine.
type Client struct {
	endpoint string
	timeout  time.Duration
	retries  int
	sock     *zmq.Socket
}

// NewClient makes a client of the broker at endpoint whose requests wait timeout for each
// reply and are sent again up to retries times.
func NewClient(endpoint string, timeout time.Duration, retries int) *Client {
	return &Client{endpoint: endpoint, timeout: timeout, retries: retries}
}

// Reply is what a request got back: zero or more PARTIAL bodies, then the FINAL one.
type Reply struct {
	Partials [][][]byte
	Final    [][]byte
}

// Request sends body to service and waits for its FINAL reply, collecting the PARTIALs on
// the way. After retries+1 attempts without one it fails with ErrNoReply.
func (c *Client) Request(ctx context.Context, service string, body ...[]byte) (Reply, error) {
	if err := checkService([]byte(service)); err != nil {
		return Reply{}, err
	}
	if len(body) == 0 {
		return Reply{}, malformed("a request needs a body of one frame or more")
	}
	req := ClientMsg{Command: Request, Service: service, Body: body}
	for range c.retries + 1 {
		if c.sock == nil {
			if err := c.connect(); err != nil {
				return Reply{}, err
			}
		}
		reply, err := c.attempt(ctx, req)
		if err == nil {
			return reply, nil
		}
		if ctx.Err() != nil || !errors.Is(err, zmq.ErrAgain) {
			return Reply{}, err
		}
		// No reply in time: the broker or the worker may be gone. A new socket makes sure a
		// late reply to this attempt is never taken for the next one's.
		c.sock.Close()
		c.sock = nil
	}
	return Reply{}, ErrNoReply
}

// Close closes the client's socket.
func (c *Client) Close() error {
	if c.sock == nil {
		return nil
	}
	err := c.sock.Close()
	c.sock = nil
	return err
}

func (c *Client) connect() error {
	// The spec wants a DEALER. LINGER 0: a request abandoned by Close is not worth sending.
	sock, err := zmq.NewSocket(zmq.DEALER, zmq.WithLinger(0))
	if err != nil {
		return err
	}
	if err := sock.Connect(c.endpoint); err != nil {
		sock.Close()
		return err
	}
	c.sock = sock
	return nil
}

// attempt sends req once and waits for its FINAL; every PARTIAL restarts the wait, as it shows
// the worker is at work. It fails with zmq.ErrAgain when the wait runs out.
func (c *Client) attempt(ctx context.Context, req ClientMsg) (Reply, error) {
	deadline := time.Now().Add(c.timeout)
	// A copy per attempt: once sent, frames belong to the library, and a retry sends again.
	if err := c.within(ctx, deadline, func(ctx context.Context) error {
		return c.sock.Send(ctx, zmq.NewMsg(cloneFrames(req.Frames())...))
	}); err != nil {
		return Reply{}, err
	}
	var reply Reply
	for {
		var msg zmq.Msg
		err := c.within(ctx, deadline, func(ctx context.Context) (err error) {
			msg, err = c.sock.Recv(ctx)
			return err
		})
		if err != nil {
			return Reply{}, err
		}
		m, err := ParseClient(msg.Frames)
		if err != nil || m.Service != req.Service || m.Command == Request {
			continue // not an answer to this request: drop it
		}
		if m.Command == Final {
			reply.Final = m.Body
			return reply, nil
		}
		if len(reply.Partials) == MaxPartials {
			return Reply{}, malformed("more than %d PARTIAL replies", MaxPartials)
		}
		reply.Partials = append(reply.Partials, m.Body)
		deadline = time.Now().Add(c.timeout)
	}
}

// within runs op under ctx bounded by deadline.
func (c *Client) within(ctx context.Context, deadline time.Time, op func(context.Context) error) error {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	return op(ctx)
}

func cloneFrames(frames [][]byte) [][]byte {
	c := make([][]byte, len(frames))
	for i, f := range frames {
		c[i] = append([]byte(nil), f...)
	}
	return c
}
