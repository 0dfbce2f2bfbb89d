// Command ironhouse is the guide's strongest security model: CURVE encryption with both sides
// authenticated. The server knows its own key pair and the public keys of the clients it lets
// in; a ZAP handler (package auth) checks each client's key and IP address before a byte of
// data flows. Keys live in czmq certificate files, as the guide's do.
//
//	go run ./examples/ironhouse keygen -out server.cert
//	go run ./examples/ironhouse keygen -out clients/alice.cert
//	go run ./examples/ironhouse server -bind tcp://*:9000 -cert server.cert -clients clients -allow 127.0.0.1
//	go run ./examples/ironhouse client -connect tcp://127.0.0.1:9000 -cert clients/alice.cert -server server.cert -n 3
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ironhouse:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: ironhouse keygen|server|client [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	endpoint := fs.String("bind", "tcp://*:9000", "where the server binds")
	if args[0] == "client" {
		endpoint = fs.String("connect", "tcp://127.0.0.1:9000", "where the client connects")
	}
	cert := fs.String("cert", "", "this side's certificate (its _secret file holds the key pair)")
	serverCert := fs.String("server", "", "the client's copy of the server's public certificate")
	clients := fs.String("clients", "", "the server's directory of allowed clients' public certificates")
	allow := fs.String("allow", "127.0.0.1", "the IP addresses the server lets in, comma-separated")
	n := fs.Int("n", 3, "messages the client receives")
	path := fs.String("out", "", "where keygen saves the new certificate")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	needs := map[string]map[string]*string{
		"server": {"-cert": cert, "-clients": clients},
		"client": {"-cert": cert, "-server": serverCert},
	}
	for name, v := range needs[args[0]] {
		if *v == "" {
			return fmt.Errorf("%s: %s is required", args[0], name)
		}
	}
	switch args[0] {
	case "keygen":
		return keygen(*path, out)
	case "server":
		return server(ctx, *endpoint, *cert, *clients, strings.Split(*allow, ","), out)
	case "client":
		return client(ctx, *endpoint, *cert, *serverCert, *n, out)
	}
	return fmt.Errorf("unknown role %q: want keygen, server or client", args[0])
}
