package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

func TestServerAnswersRawDealer(t *testing.T) {
	srv := startServer(t, Target{Topic: "t", Server: "s1"}, nil)
	d := rawDealer(t, srv.Endpoint())
	for _, key := range []string{"openstack/t", "openstack/t/s1"} {
		r := rawCall(t, d, echoRequest(7, key, "hi"))
		if r.status != OK || r.id != 7 {
			t.Fatalf("key %s: status %v id %d", key, r.status, r.id)
		}
		var got echoReply
		if err := json.Unmarshal(r.body, &got); err != nil || got.Text != "hi" || got.Server != "s1" {
			t.Fatalf("key %s: reply %q: %v", key, r.body, err)
		}
	}
}

// Requests the server answers without running a handler, and the codes it gives them.
func TestServerRejects(t *testing.T) {
	srv := startServer(t, Target{Topic: "t", Server: "s1", Version: "1.3"}, nil)
	d := rawDealer(t, srv.Endpoint())
	for _, tc := range []struct {
		name string
		mod  func(*request)
		want Code
	}{
		{"other server", func(r *request) { r.key = "openstack/t/s2" }, InvalidTarget},
		{"other topic", func(r *request) { r.key = "openstack/u" }, InvalidTarget},
		{"no method", func(r *request) { r.method = "nope" }, NotFound},
		{"other namespace", func(r *request) { r.namespace = "ns" }, NotFound},
		{"newer minor", func(r *request) { r.version = "1.4" }, UnsupportedVersion},
		{"other major", func(r *request) { r.version = "2.0" }, UnsupportedVersion},
		{"bad version", func(r *request) { r.version = "x" }, UnsupportedVersion},
		{"older minor", func(r *request) { r.version = "1.1" }, OK},
		{"same version", func(r *request) { r.version = "1.3" }, OK},
		{"bad args", func(r *request) { r.args = []byte("{") }, Remote},
	} {
		req := echoRequest(1, "openstack/t", "x")
		tc.mod(&req)
		r := rawCall(t, d, req)
		if r.status != tc.want {
			t.Errorf("%s: status %v, want %v (body %s)", tc.name, r.status, tc.want, r.body)
		}
		if tc.want != OK {
			var o errorObject
			if err := json.Unmarshal(r.body, &o); err != nil || o.Code != tc.want.String() || o.Message == "" {
				t.Errorf("%s: error object %s: %v", tc.name, r.body, err)
			}
		}
	}
}

// Garbage is dropped and counted; the server keeps serving the same connection.
func TestServerDropsGarbage(t *testing.T) {
	srv := startServer(t, Target{Topic: "t"}, nil)
	d := rawDealer(t, srv.Endpoint())
	ctx := testCtx(t)
	good := echoRequest(1, "openstack/t", "x")
	badHeader := good.frames()
	badHeader[0] = badHeader[0][:19]
	badKind := good.frames()
	badKind[0][1] = 9
	badCodec := good.frames()
	badCodec[0][2] = 7
	badVersion := good.frames()
	badVersion[0][0] = 2
	garbage := [][][]byte{
		{[]byte("hello")},
		badHeader, badKind, badCodec, badVersion,
		good.frames()[:4],
		append(good.frames(), []byte("{not json"), []byte("extra")),
		append(good.frames(), []byte(`{"a":1}`)),
		{good.frames()[0], []byte("openstack/t"), {}, {}, {0xff, 0xfe}, {}},
		{good.frames()[0], make([]byte, 256), {}, {}, []byte("echo"), {}},
		{good.frames()[0], {}, {}, {}, []byte("echo"), {}},
	}
	for _, g := range garbage {
		if err := d.Send(ctx, zmq.NewMsg(g...)); err != nil {
			t.Fatal(err)
		}
	}
	r := rawCall(t, d, echoRequest(2, "openstack/t", "after"))
	if r.status != OK || r.id != 2 {
		t.Fatalf("after garbage: status %v id %d", r.status, r.id)
	}
	// The server's receivers run side by side, so the last garbage may be counted just after
	// the good call was answered.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		st := srv.Stats()
		if st.Dropped == uint64(len(garbage)) && st.Requests == 1 {
			break
		}
		if st.Dropped > uint64(len(garbage)) || st.Requests > 1 || time.Now().After(deadline) {
			t.Fatalf("stats %+v, want %d dropped and 1 request", st, len(garbage))
		}
	}
}

func TestHandleRefuses(t *testing.T) {
	srv, err := NewServer(Target{Topic: "t"})
	if err != nil {
		t.Fatal(err)
	}
	fn := func(context.Context, int) (int, error) { return 0, nil }
	if err := Handle(srv, "m", fn); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		method string
		opts   []HandlerOption
	}{
		{"twice", "m", nil},
		{"same major", "m", []HandlerOption{WithHandlerVersion("1.5")}},
		{"bad name", "a b", nil},
		{"bad version", "n", []HandlerOption{WithHandlerVersion("1")}},
		{"bad namespace", "n", []HandlerOption{WithHandlerNamespace("a/b")}},
	} {
		if err := Handle(srv, tc.method, fn, tc.opts...); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if err := Handle(srv, "m", fn, WithHandlerVersion("2.0")); err != nil {
		t.Errorf("another major: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	if err := Handle(srv, "late", fn); err == nil {
		t.Error("Handle after Start: no error")
	}
	if _, err := NewServer(Target{Topic: "t", Fanout: true}); !errors.Is(err, ErrInvalidTarget) {
		t.Errorf("fanout server: %v", err)
	}
}

// A message above the server's limit costs the sender its connection, not the server memory;
// the caller learns it as Unavailable and the server keeps serving.
func TestServerMessageLimit(t *testing.T) {
	srv := startServer(t, Target{Topic: "t"}, nil, WithMaxMessage(1024))
	cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := testCtx(t)
	if err := cl.Call(ctx, "echo", echoArgs{Text: strings.Repeat("x", 2048)}, nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("call above the limit: %v", err)
	}
	var r echoReply
	other, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Call(ctx, "echo", echoArgs{Text: "small"}, &r); err != nil || r.Text != "small" {
		t.Fatalf("call within the limit: %+v %v", r, err)
	}
}
