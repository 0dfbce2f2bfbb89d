package cli

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/curve"
)

func TestParseType(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want zmq.Type
		ok   bool
	}{
		{"PUSH", zmq.PUSH, true}, {"push", zmq.PUSH, true}, {"ZMQ_ROUTER", zmq.ROUTER, true},
		{"xsub", zmq.XSUB, true}, {"STREAM", zmq.STREAM, true},
		{"RADIO", 0, false}, {"", 0, false}, {"PUSHX", 0, false},
	} {
		got, err := parseType(tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("parseType(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if !tc.ok && !errors.Is(err, ErrUsage) {
			t.Errorf("parseType(%q) = %v, want ErrUsage", tc.in, err)
		}
	}
}

func TestSetOption(t *testing.T) {
	for _, tc := range []struct {
		typ   zmq.Type
		kv    string
		check func(*zmq.Socket) bool
	}{
		{zmq.PUSH, "SNDHWM=100", func(s *zmq.Socket) bool { return s.SendHWM() == 100 }},
		{zmq.PUSH, "zmq_sndhwm=7", func(s *zmq.Socket) bool { return s.SendHWM() == 7 }},
		{zmq.PUSH, "LINGER=0", func(s *zmq.Socket) bool { return s.Linger() == 0 }},
		{zmq.PUSH, "LINGER=250ms", func(s *zmq.Socket) bool { return s.Linger() == 250*time.Millisecond }},
		{zmq.PUSH, "LINGER=-1", func(s *zmq.Socket) bool { return s.Linger() < 0 }},
		{zmq.DEALER, "ROUTING_ID=abc", func(s *zmq.Socket) bool { return string(s.RoutingID()) == "abc" }},
		{zmq.DEALER, "IDENTITY=123", func(s *zmq.Socket) bool { return string(s.RoutingID()) == "123" }},
		{zmq.ROUTER, "ROUTER_MANDATORY=1", func(s *zmq.Socket) bool { return opt(s, zmq.OptRouterMandatory) == true }},
		{zmq.ROUTER, "ROUTER_MANDATORY=true", func(s *zmq.Socket) bool { return opt(s, zmq.OptRouterMandatory) == true }},
		{zmq.PULL, "MAXMSGSIZE=4096", func(s *zmq.Socket) bool { return s.MaxMsgSize() == 4096 }},
		{zmq.PUB, "MAX_SUBSCRIPTION_BYTES=65536", func(s *zmq.Socket) bool { return s.MaxSubscriptionBytes() == 65536 }},
	} {
		s, err := zmq.NewSocket(tc.typ)
		if err != nil {
			t.Fatal(err)
		}
		if err := setOption(s, tc.kv); err != nil {
			t.Errorf("-o %s: %v", tc.kv, err)
		} else if !tc.check(s) {
			t.Errorf("-o %s: not applied", tc.kv)
		}
		s.Close()
	}
}

func opt(s *zmq.Socket, id zmq.OptionID) any {
	v, _ := s.Option(id)
	return v
}

func TestSetOptionRefused(t *testing.T) {
	for _, tc := range []struct {
		typ zmq.Type
		kv  string
	}{
		{zmq.PUSH, "NOSUCHOPTION=1"},
		{zmq.PUSH, "SNDHWM"},
		{zmq.PUSH, "=5"},
		{zmq.PUSH, "SNDHWM=abc"},
		{zmq.PUSH, "SNDHWM=-5"},
		{zmq.PUSH, "ROUTER_MANDATORY=1"}, // not a ROUTER
		{zmq.PUSH, "TYPE=1"},             // read-only
		{zmq.ROUTER, "ROUTER_MANDATORY=2"},
		{zmq.PUSH, "CURVE_SERVERKEY=tooshort"},
		{zmq.SUB, "MAX_SUBSCRIPTION_BYTES=4096"}, // a publisher's
		{zmq.PUB, "MAX_SUBSCRIPTION_BYTES=-2"},
	} {
		s, err := zmq.NewSocket(tc.typ)
		if err != nil {
			t.Fatal(err)
		}
		if err := setOption(s, tc.kv); !errors.Is(err, ErrUsage) {
			t.Errorf("%v -o %s = %v, want ErrUsage", tc.typ, tc.kv, err)
		}
		s.Close()
	}
}

func TestSecurityFlagsRefused(t *testing.T) {
	dir := t.TempDir()
	pubOnly := filepath.Join(dir, "pub.cert")
	c, err := curve.NewCertificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SavePublic(pubOnly); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    securityFlags
	}{
		{"plain and curve", securityFlags{plainUser: "u", curveServerKey: c.Public.Z85()}},
		{"curve server without keys", securityFlags{curveServer: true}},
		{"curve server and client", securityFlags{curveServer: true, curveSecret: c.Secret.Z85(), curveServerKey: c.Public.Z85()}},
		{"allow without server", securityFlags{curveServerKey: c.Public.Z85(), curveAllow: []string{c.Public.Z85()}}},
		{"bad server key", securityFlags{curveServerKey: "not-a-key"}},
		{"bad secret", securityFlags{curveServer: true, curveSecret: "short"}},
		{"certificate without secret", securityFlags{curveServer: true, curveCert: pubOnly}},
		{"missing certificate", securityFlags{curveServer: true, curveCert: filepath.Join(dir, "none")}},
		{"cert and secret", securityFlags{curveServer: true, curveCert: pubOnly, curveSecret: c.Secret.Z85()}},
		{"bad allow", securityFlags{curveServer: true, curveSecret: c.Secret.Z85(), curveAllow: []string{"nope"}}},
		{"plain server without credentials", securityFlags{plainServer: true}},
		{"secret alone", securityFlags{curveSecret: c.Secret.Z85()}},
	} {
		se := newSession()
		s, err := se.zc.NewSocket(zmq.PAIR)
		if err != nil {
			t.Fatal(err)
		}
		if err := tc.f.apply(se, s); !errors.Is(err, ErrUsage) {
			t.Errorf("%s: %v, want ErrUsage", tc.name, err)
		}
		if err := se.close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSecurityFlagsHandshake pairs a server and a client configured by the flags: the right
// credentials get a message through, the wrong ones are refused by the server's ZAP handler.
func TestSecurityFlagsHandshake(t *testing.T) {
	dir := t.TempDir()
	server, err := curve.NewCertificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	certPath := filepath.Join(dir, "server.cert")
	if err := server.Save(certPath); err != nil {
		t.Fatal(err)
	}
	client, err := curve.NewCertificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	clientPath := filepath.Join(dir, "client.cert")
	if err := client.Save(clientPath); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name           string
		server, client securityFlags
		ok             bool
	}{
		{"null", securityFlags{}, securityFlags{}, true},
		{"plain, right password", securityFlags{plainServer: true, plainUser: "a", plainPassword: "b"}, securityFlags{plainUser: "a", plainPassword: "b"}, true},
		{"plain, wrong password", securityFlags{plainServer: true, plainUser: "a", plainPassword: "b"}, securityFlags{plainUser: "a", plainPassword: "c"}, false},
		{"curve, server key as text", securityFlags{curveServer: true, curveCert: certPath}, securityFlags{curveServerKey: server.Public.Z85()}, true},
		{"curve, server key as file", securityFlags{curveServer: true, curveSecret: server.Secret.Z85()}, securityFlags{curveServerKey: certPath}, true},
		{"curve, allowed client", securityFlags{curveServer: true, curveCert: certPath, curveAllow: []string{clientPath}},
			securityFlags{curveServerKey: certPath, curveCert: clientPath}, true},
		{"curve, unknown client", securityFlags{curveServer: true, curveCert: certPath, curveAllow: []string{client.Public.Z85()}},
			securityFlags{curveServerKey: certPath}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			se := newSession()
			defer func() {
				if err := se.close(); err != nil {
					t.Error(err)
				}
			}()
			srv := socketFlags{binds: []string{"tcp://127.0.0.1:*"}, options: []string{"LINGER=0"}, security: tc.server}
			pull, err := se.open(&srv, zmq.PULL)
			if err != nil {
				t.Fatal(err)
			}
			cli := socketFlags{connects: []string{pull.LastEndpoint()}, options: []string{"LINGER=0"}, security: tc.client}
			var events <-chan zmq.Event
			stop := func() {}
			defer func() { stop() }()
			watch := func(s *zmq.Socket) error { // before Connect, so that no handshake is missed
				events, stop = s.Monitor(zmq.EventHandshakeSucceeded | zmq.EventHandshakeFailedAuth | zmq.EventHandshakeFailedProtocol)
				return nil
			}
			push, err := se.open(&cli, zmq.PUSH, watch)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			select {
			case e := <-events:
				if got := e.Type == zmq.EventHandshakeSucceeded; got != tc.ok {
					t.Fatalf("client saw %v, want success %v", e, tc.ok)
				}
			case <-ctx.Done():
				t.Fatal("no handshake event")
			}
			if !tc.ok {
				return
			}
			if err := push.Send(ctx, zmq.NewMsgString("hi")); err != nil {
				t.Fatal(err)
			}
			m, err := pull.Recv(ctx)
			if err != nil || string(m.Frames[0]) != "hi" {
				t.Fatalf("recv %q, %v", m.Frames, err)
			}
		})
	}
}
