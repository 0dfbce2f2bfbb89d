package auth_test

import (
	"context"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
)

// handshakeEvents are the monitor events that end a handshake, either way.
const handshakeEvents = zmq.EventHandshakeSucceeded | zmq.EventHandshakeFailedNoDetail |
	zmq.EventHandshakeFailedProtocol | zmq.EventHandshakeFailedAuth

// awaitHandshake returns the first event ending a handshake on events.
func awaitHandshake(t *testing.T, events <-chan zmq.Event) zmq.Event {
	t.Helper()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("monitor closed before a handshake ended")
			}
			if e.Type&handshakeEvents != 0 {
				return e
			}
		case <-timer.C:
			t.Fatal("no handshake ended within 10s")
		}
	}
}

// TestNullPolicy: NULL clients of a server with a ZAP domain are judged by domain and address,
// as czmq's zauth judges them; a refusal is HANDSHAKE_FAILED_AUTH with status 400 on the
// server's monitor, and nothing the refused client sends arrives.
func TestNullPolicy(t *testing.T) {
	tests := []struct {
		name   string
		policy func(a *auth.Authenticator)
		ok     bool
	}{
		{"no policy", func(*auth.Authenticator) {}, true},
		{"address denied", func(a *auth.Authenticator) { a.Deny("127.0.0.1") }, false},
		{"other address denied", func(a *auth.Authenticator) { a.Deny("10.1.2.3") }, true},
		{"address allowed", func(a *auth.Authenticator) { a.Allow("127.0.0.1") }, true},
		{"address not allowed", func(a *auth.Authenticator) { a.Allow("10.1.2.3") }, false},
		{"domain denied", func(a *auth.Authenticator) { a.DenyDomains("global") }, false},
		{"other domain denied", func(a *auth.Authenticator) { a.DenyDomains("other") }, true},
		{"domain allowed", func(a *auth.Authenticator) { a.AllowDomains("global") }, true},
		{"domain not allowed", func(a *auth.Authenticator) { a.AllowDomains("other") }, false},
		{"domain allowed, address denied", func(a *auth.Authenticator) {
			a.AllowDomains("global")
			a.Deny("127.0.0.1")
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, a := setup(t)
			tc.policy(a)
			pull := sock(t, ctx, zmq.PULL, zmq.WithZAPDomain("global"))
			events, stop := pull.Monitor(zmq.EventAll)
			defer stop()
			if err := pull.Bind("tcp://127.0.0.1:*"); err != nil {
				t.Fatal(err)
			}
			push := sock(t, ctx, zmq.PUSH)
			if err := push.Connect(pull.LastEndpoint()); err != nil {
				t.Fatal(err)
			}
			e := awaitHandshake(t, events)
			if !tc.ok {
				if e.Type != zmq.EventHandshakeFailedAuth || e.Value != 400 {
					t.Fatalf("server event %v, want HANDSHAKE_FAILED_AUTH 400", e)
				}
				return
			}
			if e.Type != zmq.EventHandshakeSucceeded {
				t.Fatalf("server event %v, want HANDSHAKE_SUCCEEDED", e)
			}
			c, cancel := timeout(10 * time.Second)
			defer cancel()
			if err := push.Send(c, zmq.NewMsgString("hello")); err != nil {
				t.Fatal(err)
			}
			m, err := pull.Recv(c)
			if err != nil {
				t.Fatal(err)
			}
			// A NULL client judged by a handler has the user id the handler gave: none.
			if u, ok := m.Property("User-Id"); !ok || u != "" {
				t.Errorf("User-Id %q, %v; want an empty one", u, ok)
			}
		})
	}
}

// TestDomainPolicyPlain: the domain lists apply to PLAIN clients too, before their passwords.
func TestDomainPolicyPlain(t *testing.T) {
	ctx, a := setup(t)
	a.SetPassword("u", "p")
	a.DenyDomains("closed")
	client := []zmq.Option{zmq.WithPlainUsername("u"), zmq.WithPlainPassword("p")}
	if _, ok := deliver(t, ctx, []zmq.Option{zmq.WithPlainServer(true), zmq.WithZAPDomain("closed")}, client, 500*time.Millisecond); ok {
		t.Fatal("a PLAIN client of a denied domain was let in")
	}
	if _, ok := deliver(t, ctx, []zmq.Option{zmq.WithPlainServer(true), zmq.WithZAPDomain("open")}, client, 5*time.Second); !ok {
		t.Fatal("a PLAIN client of another domain was refused")
	}
}

func timeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
