package compare

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/bench/connmem"
	"github.com/purezmq/zmq/bench/report"
)

func TestSummary(t *testing.T) {
	crash := `ready
runtime: out of memory: cannot allocate 1108156088320-byte block (8060928 in use)
fatal error: out of memory

runtime stack:
runtime.throw({0x5ffa9b?, 0x2d3e?})
	/usr/local/go/src/runtime/panic.go:1229 +0x48 fp=0x7ffdd1d095d0 sp=0x7ffdd1d095a0 pc=0x482ba8

goroutine 3 gp=0x34fbf7de5680 m=0 mp=0x7b2fe0 [running]:
runtime.makeslice(0x7f3f33e13028?, 0x34fbf7e88460?, 0x34fbf7e9e203?)
	/usr/local/go/src/runtime/slice.go:117 +0x49 fp=0x34fbf7e2fde8 sp=0x34fbf7e2fdc0 pc=0x484e89
github.com/go-zeromq/zmq4.(*Conn).read(0x34fbf7ea0280)
	/root/go/pkg/mod/github.com/go-zeromq/zmq4@v0.17.0/conn.go:416 +0x1af fp=0x34fbf7e2fef0
`
	for _, tc := range []struct{ name, stderr, want string }{
		{"one line", "ready\npeer: message 3 of 16 bytes is corrupted\n", "peer: message 3 of 16 bytes is corrupted"},
		{"nothing", "ready\n", ""},
		{"Go crash", crash, "runtime: out of memory: cannot allocate 1108156088320-byte block / fatal error: out of memory / in github.com/go-zeromq/zmq4.(*Conn).read"},
		{"panic", "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/x/main.go:3 +0x1\n", "panic: boom / in main.main"},
	} {
		w := &watcher{ready: make(chan struct{})}
		w.Write([]byte(tc.stderr))
		if got := w.summary(); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestDocumentCurve(t *testing.T) {
	recs := []report.Record{
		report.NewRecord("libzmq", "tcp", report.MsgsPerS, 256, 10, []float64{4e6}, nil),
		report.NewRecord("libzmq", CurveTransport, report.MsgsPerS, 256, 10, []float64{3e5, 2e5, 4e5}, nil),
		report.NewRecord("purezmq", CurveTransport, report.MsgsPerS, 256, 10, []float64{2.4e5}, nil),
		report.NewRecord("libzmq", CurveTransport, report.HandshakesPerS, 16, 200, []float64{400}, nil),
		report.NewRecord("purezmq", CurveTransport, report.HandshakesPerS, 16, 200, []float64{500}, nil),
		report.NewRecord("purezmq→libzmq", CurveTransport, report.HandshakesPerS, 16, 200, nil, []string{"run 1: socket 0: no reply"}),
	}
	doc := Document(recs, []string{"libzmq", "purezmq", "pebbe", "purezmq→libzmq"}, Meta{Started: time.Unix(0, 0).UTC(), Runs: 3, Target: time.Second, Hold: true})
	plain, curve, ok := strings.Cut(doc, "## CURVE over tcp")
	if !ok {
		t.Fatalf("no CURVE section:\n%s", doc)
	}
	if strings.Contains(plain, "tcp+curve") || !strings.Contains(plain, "| tcp | 256 B | 4.00 M |") {
		t.Errorf("the plain tables hold curve rows or miss the tcp one:\n%s", plain)
	}
	for _, s := range []string{
		"| tcp+curve | 256 B | 300 k (200 k–400 k) | 240 k | 0.80× |",
		"### Handshake rate (connections/s)",
		"| tcp+curve | 16 B | 400 | 500 | 1.25× | **failed** (1/1) |",
		"- purezmq→libzmq, tcp+curve handshake rate: 1 of 1 runs failed",
	} {
		if !strings.Contains(curve, s) {
			t.Errorf("CURVE section lacks %q:\n%s", s, curve)
		}
	}
	if strings.Contains(curve, "| pebbe") {
		t.Errorf("a column without records:\n%s", curve)
	}
}

func TestFailures(t *testing.T) {
	recs := []report.Record{
		report.NewRecord("purezmq", "tcp", report.MsgsPerS, 16, 10, []float64{1}, nil),
		report.NewRecord("gozmq", "inproc", report.MsgsPerS, 256, 10, nil,
			[]string{"calibration: crash A", "run 1: crash A", "run 2: hang `B`"}),
	}
	want := "- gozmq, inproc throughput 256 B: 3 of 3 runs failed\n  - 2× `crash A`\n  - 1× `hang 'B'`\n"
	if got := Failures(recs); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	doc := Document(recs, []string{"libzmq", "purezmq", "gozmq"}, Meta{Env: []string{"Go 1.x"}, Started: time.Unix(0, 0).UTC(), Took: 90 * time.Second, Runs: 5, Target: time.Second, Hold: true})
	for _, s := range []string{"took 1m30s", "- Go 1.x\n", "## Throughput (messages/s)", "| tcp | 16 B |", "## Failures", "`-hold`"} {
		if !strings.Contains(doc, s) {
			t.Errorf("document lacks %q:\n%s", s, doc)
		}
	}
}

// The many-peer and memory sections: a table per kind, the memory table, and their failures
// listed once per cell, not once per metric.
func TestDocumentManyAndMemory(t *testing.T) {
	rec := func(impl, metric string, peers int, runs []float64, errs []string) report.Record {
		r := report.NewRecord(impl, "tcp", metric, manySize, 1000, runs, errs)
		r.Peers = peers
		return r
	}
	var recs []report.Record
	for _, mt := range report.ManyKinds[0].Metrics {
		recs = append(recs, rec("libzmq", mt.Name, 100, []float64{100}, nil), rec("purezmq", mt.Name, 100, []float64{150}, []string{"run 2: peer: client 1: a reply of 2 frames"}))
	}
	recs = append(recs, rec("purezmq", report.FanInPerS, 10, nil, []string{"run 1: timed out"}), rec("purezmq", report.FanInFairness, 10, nil, []string{"run 1: timed out"}))
	recs = append(recs, connmemRecords("libzmq", 2000, connmem.Result{RouterPerKB: 10, DealerPerKB: 20}, nil)...)
	recs = append(recs, connmemRecords("purezmq", 2000, connmem.Result{}, errors.New("connmem: router ended"))...)
	doc := Document(recs, []string{"libzmq", "purezmq"}, Meta{Started: time.Unix(0, 0).UTC(), Runs: 3, Target: time.Second, Hold: true})
	for _, s := range []string{
		"## Many peers",
		"### ROUTER echo (N DEALERs)",
		"| tcp | 100 | round trips/s | 100 | 150 ⚠ 1/2 failed | 1.50× |",
		"| tcp | 100 | p99 round trip ↓ | 100 µs | 150 µs ⚠ 1/2 failed | 1.50× |",
		"### N PUSH → one PULL",
		"| tcp | 10 | msgs/s | **failed** (1/1) |",
		"## Memory per connection",
		"| libzmq | 2000 | 10.0 | 20.0 | 1.00× |",
		"- purezmq, tcp ROUTER echo (N DEALERs) N=100: 1 of 2 runs failed\n  - 1× `peer: client 1: a reply of 2 frames`\n",
		"- purezmq, tcp N PUSH → one PULL N=10: 1 of 1 runs failed\n",
		"- purezmq, tcp memory per connection, 2000 connections: 1 of 1 runs failed\n  - 1× `router ended`\n",
	} {
		if !strings.Contains(doc, s) {
			t.Errorf("document lacks %q:\n%s", s, doc)
		}
	}
	if strings.Contains(doc, "### PUB fan-out") || strings.Contains(doc, "## Throughput") || strings.Contains(doc, "| purezmq | 2000") {
		t.Errorf("a section or row without records:\n%s", doc)
	}
	if n := strings.Count(doc, "N=100: 1 of 2 runs failed"); n != 1 {
		t.Errorf("the ROUTER failures listed %d times:\n%s", n, doc)
	}
}
