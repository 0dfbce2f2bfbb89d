package attack_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
	"github.com/purezmq/zmq/curve"
	"github.com/purezmq/zmq/internal/rawzmtp"
	"github.com/purezmq/zmq/zmtp"
)

// spoofed is the metadata of a client posing as another user and another address, in the
// case-insensitive spellings RFC 23 allows too.
var spoofed = zmtp.Metadata{
	{Name: "User-Id", Value: []byte("root")},
	{Name: "Peer-Address", Value: []byte("10.9.8.7")},
	{Name: "user-id", Value: []byte("root")},
	{Name: "PEER-ADDRESS", Value: []byte("10.9.8.7")},
	{Name: "X-Mine", Value: []byte("kept")},
}

func spoofMeta(socketType string) zmtp.Metadata {
	return append(zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte(socketType)}}, spoofed...)
}

// checkProperties checks the properties of a received message: User-Id as the server knows it
// (absent when wantUser is nil), the real Peer-Address, and the client's own property kept.
func checkProperties(t *testing.T, m zmq.Msg, wantUser *string, wantAddr string) {
	t.Helper()
	user, hasUser := m.Property("User-Id")
	switch {
	case wantUser == nil && hasUser:
		t.Errorf("User-Id %q, want none (no ZAP handler judged the client)", user)
	case wantUser != nil && (!hasUser || user != *wantUser):
		t.Errorf("User-Id %q (%v), want %q", user, hasUser, *wantUser)
	}
	if addr, _ := m.Property("Peer-Address"); addr != wantAddr {
		t.Errorf("Peer-Address %q, want %q", addr, wantAddr)
	}
	if v, _ := m.Property("X-Mine"); v != "kept" {
		t.Errorf("the client's own property X-Mine = %q, want kept", v)
	}
}

// nullSpoof runs a raw NULL client sending spoofed metadata and one message to s.
func nullSpoof(t *testing.T, s *server) zmq.Msg {
	t.Helper()
	p := s.dial(t, "NULL")
	must(t, p.Write(zmtp.AppendReady(nil, spoofMeta("PUSH"))))
	if _, err := p.Expect(zmtp.CmdReady); err != nil {
		t.Fatal(err)
	}
	must(t, p.WriteFrame(0, []byte("spoofed")))
	return recv(t, s.sock)
}

// TestSpoofedPropertiesNullZAP is review finding 4: under NULL with a ZAP domain the handler
// answers with an empty user id, and that empty id is the connection's User-Id.
func TestSpoofedPropertiesNullZAP(t *testing.T) {
	zc := newContext(t)
	a := auth.New()
	must(t, a.Start(zc))
	t.Cleanup(func() { a.Close() })
	s := newServer(t, zc, zmq.PULL, zmq.WithZAPDomain("global"))
	empty := ""
	checkProperties(t, nullSpoof(t, s), &empty, "127.0.0.1")
}

// TestSpoofedPropertiesNoZAP: without a ZAP handler there is no User-Id at all.
func TestSpoofedPropertiesNoZAP(t *testing.T) {
	s := newServer(t, newContext(t), zmq.PULL)
	checkProperties(t, nullSpoof(t, s), nil, "127.0.0.1")
}

// TestSpoofedUserIDCurve: a CURVE client with an allowed key is the user its key says.
func TestSpoofedUserIDCurve(t *testing.T) {
	ct := newCurveTarget(t, zmq.PULL)
	p := ct.dial(t, "CURVE")
	c := rawzmtp.NewCurveClient(ct.serverPub, ct.victimPub, ct.victimSec)
	welcome(t, p, c)
	must(t, p.Write(c.HonestInitiate(spoofMeta("PUSH"))))
	_, err := p.Expect(zmtp.CmdReady)
	must(t, err)
	must(t, p.Write(c.Message(false, []byte("spoofed"))))
	want := curve.PublicKey(ct.victimPub).Z85()
	checkProperties(t, recv(t, ct.sock), &want, "127.0.0.1")
}

// TestSpoofedUserIDPlain: a PLAIN client is the user its password proved.
func TestSpoofedUserIDPlain(t *testing.T) {
	zc := newContext(t)
	a := auth.New()
	a.SetPassword("alice", "secret")
	must(t, a.Start(zc))
	t.Cleanup(func() { a.Close() })
	s := newServer(t, zc, zmq.PULL, zmq.WithPlainServer(true))
	p := s.dial(t, "PLAIN")
	must(t, p.Write(zmtp.AppendPlainHello(nil, []byte("alice"), []byte("secret"))))
	_, err := p.Expect(zmtp.CmdWelcome)
	must(t, err)
	must(t, p.Write(zmtp.AppendPlainInitiate(nil, spoofMeta("PUSH"))))
	_, err = p.Expect(zmtp.CmdReady)
	must(t, err)
	must(t, p.WriteFrame(0, []byte("spoofed")))
	want := "alice"
	checkProperties(t, recv(t, s.sock), &want, "127.0.0.1")
}

// TestPeerAddressIPC: over ipc the Peer-Address is the peer process's credentials, as libzmq
// gives them on Linux ("localhost:uid:gid:pid"), never what the peer claims.
func TestPeerAddressIPC(t *testing.T) {
	dir, err := os.MkdirTemp("", "atk-")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	zc := newContext(t)
	pull, err := zc.NewSocket(zmq.PULL, zmq.WithLinger(0))
	must(t, err)
	t.Cleanup(func() { pull.Close() })
	ep := "ipc://" + filepath.Join(dir, "s")
	must(t, pull.Bind(ep))
	p, err := rawzmtp.Dial(ep)
	must(t, err)
	t.Cleanup(func() { p.Close() })
	_, err = p.Greet("NULL", false)
	must(t, err)
	must(t, p.Write(zmtp.AppendReady(nil, spoofMeta("PUSH"))))
	_, err = p.Expect(zmtp.CmdReady)
	must(t, err)
	must(t, p.WriteFrame(0, []byte("spoofed")))
	want := fmt.Sprintf("localhost:%d:%d:%d", os.Getuid(), os.Getgid(), os.Getpid())
	checkProperties(t, recv(t, pull), nil, want)
}
