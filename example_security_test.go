package zmq_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
	"github.com/purezmq/zmq/curve"
)

// CURVE encrypts and authenticates: the client must know the server's public key, and the
// server's ZAP handler (package auth) lets in only the client keys it allows. A refused
// client learns it from its monitor (HANDSHAKE_FAILED_AUTH, status 400) and does not retry.
func ExampleWithCurveServer() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// The ZAP handler serves one context; a context of its own keeps it apart from others.
	zctx := zmq.NewContext()
	defer zctx.Close()
	authenticator := auth.New()
	if err := authenticator.Start(zctx); err != nil {
		log.Fatal(err)
	}
	defer authenticator.Close()

	serverPublic, serverSecret, _ := curve.GenerateKeyPair(rand.Reader)
	clientPublic, clientSecret, _ := curve.GenerateKeyPair(rand.Reader)
	authenticator.AllowCurveKeys(clientPublic)

	server, _ := zctx.NewSocket(zmq.REP,
		zmq.WithCurveServer(true), zmq.WithCurvePublicKey(serverPublic), zmq.WithCurveSecretKey(serverSecret))
	defer server.Close()
	server.Bind("tcp://127.0.0.1:*")

	client, _ := zctx.NewSocket(zmq.REQ, zmq.WithCurveServerKey(serverPublic),
		zmq.WithCurvePublicKey(clientPublic), zmq.WithCurveSecretKey(clientSecret))
	defer client.Close()
	client.Connect(server.LastEndpoint())
	client.Send(ctx, zmq.NewMsgString("hello"))
	m, err := server.Recv(ctx)
	if err != nil {
		log.Fatal(err)
	}
	user, _ := m.Property("User-Id") // the authenticator names a CURVE client by its key
	fmt.Printf("%s from the allowed key: %v\n", m.Frames[0], user == clientPublic.Z85())
	server.Send(ctx, zmq.NewMsgString("world"))
	reply, _ := client.Recv(ctx)
	fmt.Printf("%s\n", reply.Frames[0])

	// A client with keys of its own, not on the list, is refused.
	strangerPublic, strangerSecret, _ := curve.GenerateKeyPair(rand.Reader)
	stranger, _ := zctx.NewSocket(zmq.REQ, zmq.WithCurveServerKey(serverPublic),
		zmq.WithCurvePublicKey(strangerPublic), zmq.WithCurveSecretKey(strangerSecret))
	defer stranger.Close()
	events, stop := stranger.Monitor(zmq.EventHandshakeSucceeded | zmq.EventHandshakeFailedAuth)
	defer stop()
	stranger.Connect(server.LastEndpoint())
	e := <-events
	fmt.Println(e.Type, e.Value)
	// Output:
	// hello from the allowed key: true
	// world
	// HANDSHAKE_FAILED_AUTH 400
}

// PLAIN sends a username and password in clear text, for networks that are trusted anyway;
// the server's ZAP handler checks them. A server's ZAP domain lets one handler tell its
// servers apart.
func ExampleWithPlainServer() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	zctx := zmq.NewContext()
	defer zctx.Close()
	authenticator := auth.New()
	authenticator.SetPassword("admin", "secret")
	authenticator.AllowDomains("internal")
	if err := authenticator.Start(zctx); err != nil {
		log.Fatal(err)
	}
	defer authenticator.Close()

	server, _ := zctx.NewSocket(zmq.PULL, zmq.WithPlainServer(true), zmq.WithZAPDomain("internal"))
	defer server.Close()
	server.Bind("tcp://127.0.0.1:*")

	client, _ := zctx.NewSocket(zmq.PUSH, zmq.WithPlainUsername("admin"), zmq.WithPlainPassword("secret"))
	defer client.Close()
	client.Connect(server.LastEndpoint())
	client.Send(ctx, zmq.NewMsgString("report"))
	m, err := server.Recv(ctx)
	if err != nil {
		log.Fatal(err)
	}
	user, _ := m.Property("User-Id")
	fmt.Printf("%s from %s\n", m.Frames[0], user)

	mechanism, _ := server.Option(zmq.OptMechanism)
	fmt.Println("mechanism", mechanism) // 0 NULL, 1 PLAIN, 2 CURVE
	// Output:
	// report from admin
	// mechanism 1
}
