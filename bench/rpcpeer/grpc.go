package rpcpeer

import (
	"context"
	"errors"
	"fmt"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// gRPC-Go unary over plaintext HTTP/2, the payload a wrapperspb.BytesValue: the service
// descriptor is what protoc would generate for
// `service Echo { rpc Echo(google.protobuf.BytesValue) returns (google.protobuf.BytesValue); }`.
const grpcMethod = "/bench.Echo/Echo"

var echoDesc = grpc.ServiceDesc{
	ServiceName: "bench.Echo",
	HandlerType: (*any)(nil),
	Methods:     []grpc.MethodDesc{{MethodName: "Echo", Handler: grpcEcho}},
	Metadata:    "bench/echo.proto",
}

func grpcEcho(_ any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
	in := new(wrapperspb.BytesValue)
	if err := dec(in); err != nil {
		return nil, err
	}
	echo := func(context.Context, any) (any, error) { return in, nil }
	if icpt == nil {
		return echo(ctx, in)
	}
	return icpt(ctx, in, &grpc.UnaryServerInfo{FullMethod: grpcMethod}, echo)
}

func serveGRPC(ctx context.Context, endpoint string, ready func(string)) error {
	lis, err := net.Listen("tcp", endpoint)
	if err != nil {
		return fmt.Errorf("rpcpeer: grpc listen: %w", err)
	}
	srv := grpc.NewServer()
	srv.RegisterService(&echoDesc, struct{}{})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	ready(lis.Addr().String())
	select {
	case err := <-served:
		return fmt.Errorf("rpcpeer: grpc serve: %w", err)
	case <-ctx.Done():
	}
	srv.Stop()
	if err := <-served; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}

type grpcCaller struct{ cc *grpc.ClientConn }

func dialGRPC(_ context.Context, endpoint string) (Caller, error) {
	cc, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("rpcpeer: grpc client: %w", err)
	}
	return grpcCaller{cc}, nil
}

func (g grpcCaller) Call(ctx context.Context, args []byte) ([]byte, error) {
	out := new(wrapperspb.BytesValue)
	if err := g.cc.Invoke(ctx, grpcMethod, wrapperspb.Bytes(args), out); err != nil {
		return nil, err
	}
	return out.GetValue(), nil
}

func (g grpcCaller) Close() error { return g.cc.Close() }
