package proxy_test

import (
	"context"
	"encoding/binary"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/proxy"
)

// Garbage on either side is dropped and counted, never a panic, and the proxy serves on.
func TestBadInput(t *testing.T) {
	p := startProxy(t, proxy.Config{})
	startServer(t, "a", nil, rpc.WithProxy(p.Backend()))
	readyServers(t, p, 1)
	front := rawClient(t, p.Frontend())
	call := func(f ...[]byte) [][]byte { return append([][]byte{header(1, 1, 0, 1, 0)}, f...) }
	name := []byte("x")
	ctx := testCtx(t)
	clientGarbage := [][][]byte{
		{[]byte("short")},
		{header(1, 1, 0, 1, 0)},                            // a call without its frames
		{header(4, 1, 0, 1, 0), []byte("{}")},              // a reply from a client
		{header(6, 0, 0, 1, 0), []byte("openstack/t")},     // a READY from a client
		{header(1, 9, 0, 1, 0), name, nil, nil, name, nil}, // unknown codec
		{header(1, 1, 3, 1, 0), name, nil, nil, name, nil}, // a status in a request
		call(nil, nil, nil, name, nil),                     // empty key
		call(name, nil, nil, nil, nil),                     // empty method
		call([]byte{0xff, 0xfe}, nil, nil, name, nil),      // key not UTF-8
		call([]byte(strings.Repeat("k", 256)), nil, nil, name, nil),
		call(name, nil, nil, name, nil, []byte("[1]")),                // metadata not an object of strings
		{append(header(1, 1, 0, 1, 0), 0), name, nil, nil, name, nil}, // a 21-byte header
	}
	for _, f := range clientGarbage {
		if err := front.Send(ctx, zmq.NewMsg(f...)); err != nil {
			t.Fatal(err)
		}
	}
	raw := newRawServer(t, p.Backend())
	serverGarbage := [][][]byte{
		{[]byte("alone")},
		{nil, []byte("not a header")},
		{nil, header(6, 0, 0, 1, 0)},                         // READY without a key
		{nil, header(6, 0, 0, 1, 0), nil},                    // READY with an empty key
		{nil, header(7, 0, 0, 1, 0), []byte("extra")},        // CREDIT with a frame too many
		{nil, header(5, 0, 0, 0, 0)},                         // kind 5 is not the proxy's
		{[]byte("ret"), header(4, 1, 0, 7, 0)},               // a reply without its body
		{[]byte("ret"), header(4, 1, 0, 7, 0), []byte("{}")}, // a reply nobody waits for
	}
	for _, f := range serverGarbage {
		raw.send(f...)
	}
	want := len(clientGarbage) + len(serverGarbage)
	waitFor(t, "every bad message counted", func() bool {
		d := p.Stats().Drops
		return d["malformed"]+d["late_reply"] == uint64(want)
	})
	cl := newClient(t, rpc.Target{Topic: "t"}, rpc.WithProxy(p.Frontend()))
	if err := cl.Call(ctx, "echo", echoArgs{}, nil); err != nil {
		t.Fatalf("call after the garbage: %v", err)
	}
}

// A server that stops drains through the proxy: the proxy sends it nothing new, its call in
// flight is answered, and the calls go to the other server.
func TestServerLeaves(t *testing.T) {
	p := startProxy(t, proxy.Config{})
	b := &blocker{started: make(chan string, 1), release: make(chan struct{})}
	leaving := startServer(t, "a", b, rpc.WithProxy(p.Backend()))
	startServer(t, "b", nil, rpc.WithProxy(p.Backend()))
	readyServers(t, p, 2)
	cl := newClient(t, rpc.Target{Topic: "t"}, rpc.WithProxy(p.Frontend()))
	ctx := testCtx(t)
	named, err := cl.Prepare(rpc.WithServer("a"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- named.Call(ctx, "block", struct{}{}, nil) }()
	<-b.started
	stopped := make(chan error, 1)
	go func() { stopped <- leaving.Stop(ctx) }()
	// Once the proxy has heard a's DISCONNECT, calls of the topic go to b alone.
	waitFor(t, "the proxy to hear a leave", func() bool {
		err := named.Call(ctx, "echo", echoArgs{}, nil)
		return rpc.CodeOf(err) == rpc.NoResponders
	})
	for range 10 {
		var r echoReply
		if err := cl.Call(ctx, "echo", echoArgs{}, &r); err != nil || r.Server != "b" {
			t.Fatalf("call while a drains: %+v %v", r, err)
		}
	}
	close(b.release)
	if err := <-done; err != nil {
		t.Fatalf("the call a drained: %v", err)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}

// The metrics, scraped over HTTP, count what the proxy did.
func TestMetricsScraped(t *testing.T) {
	reg := prometheus.NewRegistry()
	p := startProxy(t, proxy.Config{Metrics: proxy.NewMetrics(reg)})
	startServer(t, "a", nil, rpc.WithProxy(p.Backend()))
	readyServers(t, p, 1)
	cl := newClient(t, rpc.Target{Topic: "t"}, rpc.WithProxy(p.Frontend()))
	ctx := testCtx(t)
	const n = 7
	for range n {
		if err := cl.Call(ctx, "echo", echoArgs{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	other, _ := cl.Prepare(rpc.WithTopic("", "none"))
	_ = other.Call(ctx, "echo", echoArgs{}, nil)
	// A reply is counted once sent: the caller may have it a moment before.
	waitFor(t, "the replies counted", func() bool { return p.Stats().Replies == n+1 })
	hs := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer hs.Close()
	body := scrape(t, hs.URL)
	for _, want := range []string{
		`zmq_rpc_proxy_requests_total{kind="call"} 8`,
		`zmq_rpc_proxy_replies_total{status="OK"} 7`,
		`zmq_rpc_proxy_replies_total{status="NoResponders"} 1`,
		`zmq_rpc_proxy_drops_total{reason="no_responders"} 1`,
		`zmq_rpc_proxy_ready_servers{key="openstack/t"} 1`,
		`zmq_rpc_proxy_ready_servers{key="openstack/t/a"} 1`,
		`zmq_rpc_proxy_servers 1`,
		`zmq_rpc_proxy_calls_in_flight 0`,
		`zmq_rpc_proxy_latency_seconds_count 7`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %q", want)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// An at-least-once CAST (an id and an idempotency key) gets its acknowledgement back through
// the proxy, and a PROGRESS reaches the caller of a call in flight; a plain CAST's stray
// REPLY does not reach anyone.
func TestAckedCastAndProgress(t *testing.T) {
	p := startProxy(t, proxy.Config{})
	raw := newRawServer(t, p.Backend())
	raw.ready(10, time.Hour, "openstack/t")
	readyServers(t, p, 1)
	cl := rawClient(t, p.Frontend())
	ctx := testCtx(t)
	req := func(kind byte, id uint64, meta string) {
		f := [][]byte{header(kind, 1, 0, id, 0), []byte("openstack/t"), nil, nil, []byte("m"), []byte("null")}
		if meta != "" {
			f = append(f, []byte(meta))
		}
		if err := cl.Send(ctx, zmq.NewMsg(f...)); err != nil {
			t.Fatal(err)
		}
	}
	next := func() (kind byte, id uint64) {
		m, err := cl.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return m.Frames[0][1], binary.BigEndian.Uint64(m.Frames[0][4:])
	}
	req(2, 7, "")                         // plain cast: no reply expected
	req(2, 8, `{"idempotency-key":"k8"}`) // acknowledged cast
	ret7, h7, _ := raw.request()
	ret8, h8, _ := raw.request()
	raw.reply(ret7, h7, "null") // a stray: dropped at the proxy
	raw.reply(ret8, h8, "null")
	if k, id := next(); k != 4 || id != 8 {
		t.Fatalf("got kind %d id %d, want the acknowledgement of cast 8", k, id)
	}
	req(1, 9, "")
	ret9, h9, _ := raw.request()
	raw.send(ret9, header(5, 1, 0, 9, 0))
	if k, id := next(); k != 5 || id != 9 {
		t.Fatalf("got kind %d id %d, want the PROGRESS of call 9", k, id)
	}
	raw.reply(ret9, h9, `"done"`)
	if k, id := next(); k != 4 || id != 9 {
		t.Fatalf("got kind %d id %d, want the reply of call 9", k, id)
	}
	if d := p.Stats().Drops["late_reply"]; d != 1 {
		t.Fatalf("late replies %d, want the stray one", d)
	}
}
