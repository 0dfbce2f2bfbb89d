package rpcpeer

import (
	"context"
	"fmt"
	"time"

	"github.com/purezmq/zmq/rpc"
)

// purezmq's rpc package as its users call it: rpc.Client.Call with the default JSON codec (the
// args a []byte, so base64 in a JSON string), a deadline on every call, ids and deadlines on
// the wire, the server's default worker pool (64, more than the 16 callers).

// rpcTarget is what the server serves and the client calls.
var rpcTarget = rpc.Target{Topic: "bench"}

const rpcMethod = "echo"

// rpcStopTimeout bounds the server's drain at the end of a run.
const rpcStopTimeout = 5 * time.Second

func serveRPC(ctx context.Context, endpoint string, ready func(string)) error {
	srv, err := rpc.NewServer(rpcTarget, rpc.WithEndpoint(endpoint))
	if err != nil {
		return fmt.Errorf("rpcpeer: rpc server: %w", err)
	}
	if err := rpc.Handle(srv, rpcMethod, func(_ context.Context, args []byte) ([]byte, error) { return args, nil }); err != nil {
		return fmt.Errorf("rpcpeer: rpc handle: %w", err)
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("rpcpeer: rpc start %s: %w", endpoint, err)
	}
	ready(srv.Endpoint())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), rpcStopTimeout)
	defer cancel()
	return srv.Stop(sctx)
}

type rpcCaller struct{ cl *rpc.Client }

func dialRPC(_ context.Context, endpoint string) (Caller, error) {
	cl, err := rpc.NewClient(rpcTarget, rpc.WithEndpoint(endpoint))
	if err != nil {
		return nil, fmt.Errorf("rpcpeer: rpc client %s: %w", endpoint, err)
	}
	return rpcCaller{cl}, nil
}

func (r rpcCaller) Call(ctx context.Context, args []byte) ([]byte, error) {
	var reply []byte
	if err := r.cl.Call(ctx, rpcMethod, args, &reply); err != nil {
		return nil, err
	}
	return reply, nil
}

func (r rpcCaller) Close() error { return r.cl.Close() }
