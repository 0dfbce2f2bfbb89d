package rpcpeer

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"
)

// natsSubject is the subject the responder answers on.
const natsSubject = "bench.echo"

func serveNATS(ctx context.Context, url string, ready func(string)) error {
	nc, err := nats.Connect(url, nats.Name("rpcpeer responder"))
	if err != nil {
		return fmt.Errorf("rpcpeer: nats connect %s: %w", url, err)
	}
	defer nc.Close()
	sub, err := nc.Subscribe(natsSubject, func(m *nats.Msg) {
		// A failed Respond means the requester or the connection is gone; the requester's
		// deadline reports it.
		_ = m.Respond(m.Data)
	})
	if err != nil {
		return fmt.Errorf("rpcpeer: nats subscribe: %w", err)
	}
	defer sub.Unsubscribe()
	// The server has the subscription once the flush's PONG is back: only then may calls come.
	if err := nc.Flush(); err != nil {
		return fmt.Errorf("rpcpeer: nats flush: %w", err)
	}
	ready(url)
	<-ctx.Done()
	return nil
}

type natsCaller struct{ nc *nats.Conn }

func dialNATS(_ context.Context, url string) (Caller, error) {
	nc, err := nats.Connect(url, nats.Name("rpcpeer client"))
	if err != nil {
		return nil, fmt.Errorf("rpcpeer: nats connect %s: %w", url, err)
	}
	return natsCaller{nc}, nil
}

func (n natsCaller) Call(ctx context.Context, args []byte) ([]byte, error) {
	m, err := n.nc.RequestWithContext(ctx, natsSubject, args)
	if err != nil {
		return nil, err
	}
	return m.Data, nil
}

func (n natsCaller) Close() error { n.nc.Close(); return nil }
