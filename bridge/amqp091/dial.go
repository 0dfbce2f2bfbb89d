package amqp091

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/purezmq/zmq/bridge"
)

// Option configures Dial.
type Option func(*amqp.Config)

// WithConfig starts from c (TLS, heartbeat, SASL, properties...) instead of amqp091-go's
// defaults. Its Dial field is replaced so that dialling honours the context.
func WithConfig(c amqp.Config) Option { return func(dst *amqp.Config) { *dst = c } }

// dialTimeout bounds the TCP connection and the AMQP handshake when ctx has no deadline.
const dialTimeout = 30 * time.Second

// Dial returns a Dialer for the broker at url.
func Dial(url string, opts ...Option) bridge.Dialer {
	return func(ctx context.Context) (bridge.Broker, error) {
		var cfg amqp.Config
		for _, o := range opts {
			o(&cfg)
		}
		cfg.Dial = func(network, addr string) (net.Conn, error) {
			d := net.Dialer{Timeout: dialTimeout}
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			deadline := time.Now().Add(dialTimeout)
			if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
				deadline = dl
			}
			// The handshake's deadline; amqp091-go clears it once connected.
			return c, c.SetDeadline(deadline)
		}
		if cfg.Heartbeat == 0 {
			cfg.Heartbeat = 10 * time.Second
		}
		conn, err := amqp.DialConfig(url, cfg)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", bridge.ErrConnection, err)
		}
		return &broker{conn: conn}, nil
	}
}

// broker is one AMQP connection; each link gets its own channel.
type broker struct {
	conn   *amqp.Connection
	closed atomic.Bool
}

func (b *broker) Close() error {
	b.closed.Store(true)
	if err := b.conn.Close(); err != nil && !b.conn.IsClosed() {
		return err
	}
	return nil
}

// lost is the error of a link whose channel ended: ErrClosed when the bridge closed it,
// ErrConnection otherwise.
func (b *broker) lost(linkClosed *atomic.Bool, cause error) error {
	if b.closed.Load() || linkClosed.Load() {
		return bridge.ErrClosed
	}
	if cause == nil {
		return bridge.ErrConnection
	}
	return fmt.Errorf("%w: %w", bridge.ErrConnection, cause)
}

func (b *broker) channel() (*amqp.Channel, error) {
	ch, err := b.conn.Channel()
	if err != nil {
		var closed atomic.Bool
		return nil, b.lost(&closed, err)
	}
	return ch, nil
}
