package amqp10

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/go-amqp"
	"github.com/purezmq/zmq/bridge"
)

// Option configures Dial.
type Option func(*options)

type options struct {
	idleTimeout time.Duration
	transient   bool
}

// WithIdleTimeout is how long the broker may stay silent before the connection counts as
// lost (AMQP 1.0 idle-time-out; the broker is asked to send heartbeats within it). Default 60 s.
func WithIdleTimeout(d time.Duration) Option { return func(o *options) { o.idleTimeout = d } }

// WithTransientQueues makes links to /queue/Q addresses ask for a transient queue (the
// plugin declares Q non-durable) instead of a durable one.
func WithTransientQueues() Option { return func(o *options) { o.transient = true } }

// Dial returns a Dialer for the broker at url (amqp://user:pass@host:port).
func Dial(url string, opts ...Option) bridge.Dialer {
	o := options{idleTimeout: 60 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	return func(ctx context.Context) (bridge.Broker, error) {
		c, err := amqp.Dial(ctx, url, &amqp.ConnOptions{IdleTimeout: o.idleTimeout})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("%w: %w", bridge.ErrConnection, err)
		}
		return &broker{conn: c, opts: o}, nil
	}
}

// broker is one AMQP 1.0 connection; each link gets its own session, so a session the
// plugin ends takes only that link down, and closing a link is ending its session: the
// 3.10 plugin answers a closing detach with a non-closing one, which go-amqp takes for an
// error and waits on until its timeout, while it answers an end at once.
type broker struct {
	conn   *amqp.Conn
	opts   options
	closed atomic.Bool
}

// durability is the terminus durability for addr: the plugin declares a /queue/Q queue
// durable or not by it; the private queue of an exchange or topic source is transient.
func (b *broker) durability(addr string) amqp.Durability {
	if b.opts.transient || !strings.HasPrefix(addr, "/queue/") {
		return amqp.DurabilityNone
	}
	return amqp.DurabilityConfiguration
}

func (b *broker) Publisher(ctx context.Context, dest string) (bridge.Publisher, error) {
	s, err := b.conn.NewSession(ctx, nil)
	if err != nil {
		return nil, b.err(nil, err)
	}
	snd, err := s.NewSender(ctx, dest, &amqp.SenderOptions{TargetDurability: b.durability(dest)})
	if err != nil {
		closeSession(s)
		return nil, b.attachErr(dest, err)
	}
	return &publisher{b: b, s: s, snd: snd}, nil
}

func (b *broker) Consumer(ctx context.Context, source string, window int) (bridge.Consumer, error) {
	if window < 1 {
		window = bridge.DefaultWindow
	}
	s, err := b.conn.NewSession(ctx, nil)
	if err != nil {
		return nil, b.err(nil, err)
	}
	rcv, err := s.NewReceiver(ctx, source, &amqp.ReceiverOptions{
		Credit:           -1, // managed by consumer.grant
		SourceDurability: b.durability(source),
	})
	if err != nil {
		closeSession(s)
		return nil, b.attachErr(source, err)
	}
	c := &consumer{b: b, s: s, rcv: rcv, window: min(window, 1<<31-1)}
	if err := c.grant(); err != nil {
		closeSession(s)
		return nil, b.err(nil, err)
	}
	return c, nil
}

// Close closes the connection; an error it already had is not news.
func (b *broker) Close() error {
	b.closed.Store(true)
	_ = b.conn.Close()
	return nil
}

// closeTimeout bounds a session end waiting for the broker's answer.
const closeTimeout = 5 * time.Second

func closeSession(s *amqp.Session) {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = s.Close(ctx)
}

// err maps a go-amqp error: the caller's ctx error as it is, ErrClosed once the bridge
// closed the link (linkClosed) or the connection, anything else ErrConnection.
func (b *broker) err(linkClosed *atomic.Bool, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if b.closed.Load() || (linkClosed != nil && linkClosed.Load()) {
		return fmt.Errorf("%w: %w", bridge.ErrClosed, err)
	}
	return fmt.Errorf("%w: %w", bridge.ErrConnection, err)
}

// attachErr maps an error opening a link: the broker's refusal of the address (no such
// exchange or queue, a durability mismatch, access refused) is a configuration error that
// dialling again does not cure, so it is not ErrConnection.
func (b *broker) attachErr(addr string, err error) error {
	var le *amqp.LinkError
	var se *amqp.SessionError
	if errors.As(err, &le) && le.RemoteErr != nil || errors.As(err, &se) && se.RemoteErr != nil {
		return fmt.Errorf("amqp10: broker refused address %q: %w", addr, err)
	}
	return b.err(nil, err)
}
