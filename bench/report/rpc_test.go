package report

import (
	"strings"
	"testing"
)

func TestRPCTable(t *testing.T) {
	rec := func(impl, metric string, callers int, runs ...float64) Record {
		r := NewRecord(impl, "tcp", metric, 64, 100, runs, nil)
		r.Callers = callers
		return r
	}
	recs := []Record{
		rec("rpc", RPCCallsPerS, 16, 90e3, 80e3, 100e3), rec("rpc", RPCP50US, 16, 150), rec("rpc", RPCP99US, 16, 400),
		rec("grpc", RPCCallsPerS, 16, 30e3), rec("grpc", RPCP50US, 16, 300), rec("grpc", RPCP99US, 16, 1600),
		rec("grpc", RPCCallsPerS, 1, 6e3), rec("grpc", RPCP50US, 1, 140), rec("grpc", RPCP99US, 1, 260),
		rec("libzmq", MsgsPerS, 0, 1e6), // not an RPC record
	}
	got := RPCTable(recs, []string{"grpc", "nats", "rpc"})
	want := "| callers | implementation | calls/s | calls/s ÷ gRPC-Go unary | p50 µs ↓ | p99 µs ↓ | p99 ÷ gRPC-Go unary ↓ |\n" +
		"| ---: | --- | ---: | ---: | ---: | ---: | ---: |\n" +
		"| 1 | gRPC-Go unary | 6.00 k | 1.00× | 140 | 260 | 1.00× |\n" +
		"| 16 | gRPC-Go unary | 30.0 k | 1.00× | 300 | 1600 | 1.00× |\n" +
		"| 16 | purezmq rpc | 90.0 k (80.0 k–100.0 k) | 3.00× | 150 | 400 | 0.25× |\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if s := RPCTable(recs[len(recs)-1:], []string{"grpc"}); s != "" {
		t.Errorf("a table without RPC records: %q", s)
	}
	// Without gRPC's row the ratios are unknown, not made up.
	if s := RPCTable(recs[:3], []string{"rpc"}); !strings.Contains(s, "| 16 | purezmq rpc | 90.0 k (80.0 k–100.0 k) | — | 150 | 400 | — |") {
		t.Errorf("without gRPC:\n%s", s)
	}
}
