package compare

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/bench/report"
)

// rpcRunner runs this test binary as cmd/rpcpeer and cmd/natsserver (see TestMain).
func rpcRunner(t *testing.T, timeout time.Duration) *runner {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for _, name := range []string{rpcPeerBin, natsServerBin} {
		// A race-detecting binary sleeps a second at exit unless told not to: every run starts
		// two or three.
		script := "#!/bin/sh\nGORACE=\"atexit_sleep_ms=0 $GORACE\" " + testPeerEnv + "=" + name + " exec '" + self + "' \"$@\"\n"
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &runner{bin: bin, ipcDir: t.TempDir(), timeout: timeout}
}

// Every implementation's server, client (and, for NATS, the broker) really run as processes
// and make a few calls, each reply checked by the client; the run ends with all of them.
func TestRunRPCReal(t *testing.T) {
	r := rpcRunner(t, 20*time.Second)
	for _, impl := range allRPCImpls {
		for _, cell := range []RPCCell{{1}, {4}} {
			t.Run(impl+"/"+cell.String(), func(t *testing.T) {
				m, err := r.runRPC(context.Background(), cell, impl, 40)
				if err != nil {
					t.Fatal(err)
				}
				if !(m.CallsPerS > 0) || !(m.P50US > 0) || m.P99US < m.P50US || !(m.Elapsed > 0) {
					t.Errorf("implausible %+v", m)
				}
			})
		}
	}
	t.Run("measureRPC", func(t *testing.T) {
		recs := measureRPC(context.Background(), r, RPCCell{2}, []string{"zmq", "grpc"}, 2, 10*time.Millisecond)
		if len(recs) != 2*len(report.RPCMetrics) {
			t.Fatalf("%d records, want %d", len(recs), 2*len(report.RPCMetrics))
		}
		for _, rec := range recs {
			if !rec.OK() || len(rec.Runs) != 2 || rec.Callers != 2 || rec.Size != rpcSize || rec.Transport != "tcp" || rec.Count < rpcPilot/5 {
				t.Errorf("record %+v", rec)
			}
		}
	})
}

// A server that is not what it claims (no such implementation) fails the run with what it said.
func TestRunRPCFails(t *testing.T) {
	r := rpcRunner(t, 10*time.Second)
	_, err := r.runRPC(context.Background(), RPCCell{1}, "nope", 10)
	if err == nil || !strings.Contains(err.Error(), `-impl "nope"`) {
		t.Errorf("runRPC with an unknown implementation: %v", err)
	}
}

func TestParseRPC(t *testing.T) {
	const good = `{"size":64,"count":100,"callers":16,"elapsed_s":0.5,"calls_per_s":200,"p50_us":70,"p99_us":300}`
	for _, tc := range []struct {
		name, out string
		wantErr   error
	}{
		{"good", "noise\n" + good + "\n", nil},
		{"none", "nothing\n", nil},
		{"other count", strings.Replace(good, `"count":100`, `"count":99`, 1), errImplausible},
		{"other callers", strings.Replace(good, `"callers":16`, `"callers":1`, 1), errImplausible},
		{"other size", strings.Replace(good, `"size":64`, `"size":16`, 1), errImplausible},
		{"p99 below p50", strings.Replace(good, `"p99_us":300`, `"p99_us":60`, 1), errImplausible},
		{"no rate", strings.Replace(good, `"calls_per_s":200`, `"calls_per_s":0`, 1), errImplausible},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &proc{name: "zmq rpc client"}
			p.stdout.WriteString(tc.out)
			m, err := parseRPC(p, RPCCell{16}, 100)
			switch {
			case tc.name == "good":
				if err != nil || m.CallsPerS != 200 || m.P50US != 70 || m.P99US != 300 || m.Elapsed != 500*time.Millisecond {
					t.Errorf("%+v, %v", m, err)
				}
			case tc.name == "none":
				if err == nil || !strings.Contains(err.Error(), "no result line") {
					t.Errorf("%v", err)
				}
			case !errors.Is(err, tc.wantErr):
				t.Errorf("%v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestDocumentRPC(t *testing.T) {
	rec := func(impl, metric string, callers int, runs []float64, errs []string) report.Record {
		r := report.NewRecord(impl, "tcp", metric, rpcSize, 1000, runs, errs)
		r.Callers = callers
		return r
	}
	var recs []report.Record
	for i, mt := range report.RPCMetrics {
		v := float64(100 * (i + 1))
		recs = append(recs, rec("zmq", mt, 16, []float64{v / 2, v / 2}, nil), rec("grpc", mt, 16, []float64{v}, []string{"run 2: grpc rpc client: exit status 1: deadline"}),
			rec("nats", mt, 1, nil, []string{"calibration: nats-server: timed out"}))
	}
	doc := Document(recs, nil, Meta{Started: time.Unix(0, 0).UTC(), Runs: 2, Target: time.Second, Hold: true})
	for _, s := range []string{
		"## RPC: small calls",
		"| 1 | NATS request-reply | **failed** (1/1) | — |",
		"| 16 | gRPC-Go unary | 100 ⚠ 1/2 failed | 1.00× | 200 ⚠ 1/2 failed | 300 ⚠ 1/2 failed | 1.00× |",
		"| 16 | raw purezmq DEALER→ROUTER echo | 50.0 (50.0–50.0) | 0.50× | 100 (100–100) | 150 (150–150) | 0.50× |",
		"- grpc, tcp RPC 64 B, 16 caller(s): 1 of 2 runs failed\n  - 1× `grpc rpc client: exit status 1: deadline`\n",
		"- nats, tcp RPC 64 B, 1 caller(s): 1 of 1 runs failed\n",
	} {
		if !strings.Contains(doc, s) {
			t.Errorf("document lacks %q:\n%s", s, doc)
		}
	}
	// gRPC's row comes before the raw echo's, whatever the records' order.
	if strings.Index(doc, "| 16 | gRPC-Go") > strings.Index(doc, "| 16 | raw purezmq") {
		t.Errorf("rows out of order:\n%s", doc)
	}
	if n := strings.Count(doc, "16 caller(s): 1 of 2 runs failed"); n != 1 {
		t.Errorf("the gRPC failure listed %d times:\n%s", n, doc)
	}
	if strings.Contains(doc, "## Throughput") || strings.Contains(doc, "## Many peers") {
		t.Errorf("a section without records:\n%s", doc)
	}
}
