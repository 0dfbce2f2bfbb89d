package report

import (
	"fmt"
	"slices"
	"strings"
)

// The RPC metrics: each run of an RPC cell gives all three.
const (
	RPCCallsPerS = "rpc_calls_per_s" // calls per second, all callers
	RPCP50US     = "rpc_p50_us"      // median call, µs
	RPCP99US     = "rpc_p99_us"      // 99th percentile call, µs
)

// RPCMetrics are the RPC metrics in table order; the first is the one failures are listed under.
var RPCMetrics = []string{RPCCallsPerS, RPCP50US, RPCP99US}

// RPCReference is the implementation the RPC table's ratios are against: gRPC-Go, what a Go
// user would pick first.
const RPCReference = "grpc"

// RPCNames are the RPC implementations' names in tables, by the Impl of their records.
var RPCNames = map[string]string{
	"grpc": "gRPC-Go unary",
	"nats": "NATS request-reply",
	"zmq":  "raw purezmq DEALER→ROUTER echo",
	"rpc":  "purezmq rpc",
}

// IsRPC reports whether r is an RPC record.
func IsRPC(r Record) bool { return slices.Contains(RPCMetrics, r.Metric) }

// RPCTable renders the RPC records as markdown: one row per number of callers and
// implementation (in the order of impls), with calls/s, p50 and p99 ("median (min–max)") and
// the ratios of calls/s and p99 against gRPC. It is "" without RPC records.
func RPCTable(recs []Record, impls []string) string {
	type key struct {
		callers int
		impl    string
	}
	cells := map[key]map[string]*Record{}
	var callers []int
	for i := range recs {
		r := &recs[i]
		if !IsRPC(*r) {
			continue
		}
		k := key{r.Callers, r.Impl}
		if cells[k] == nil {
			cells[k] = map[string]*Record{}
		}
		cells[k][r.Metric] = r
		if !slices.Contains(callers, r.Callers) {
			callers = append(callers, r.Callers)
		}
	}
	if len(callers) == 0 {
		return ""
	}
	slices.Sort(callers)
	var b strings.Builder
	ref := RPCNames[RPCReference]
	writeRow(&b, []string{"callers", "implementation", "calls/s", "calls/s ÷ " + ref, "p50 µs ↓", "p99 µs ↓", "p99 ÷ " + ref + " ↓"})
	writeRow(&b, []string{"---:", "---", "---:", "---:", "---:", "---:", "---:"})
	plain := func(med, v float64) string { return sig3For(med, v) }
	for _, n := range callers {
		for _, im := range impls {
			m := cells[key{n, im}]
			if m == nil {
				continue
			}
			g := cells[key{n, RPCReference}]
			name := RPCNames[im]
			if name == "" {
				name = im
			}
			writeRow(&b, []string{fmt.Sprint(n), name,
				cell(m[RPCCallsPerS], formatRate), manyRatio(m[RPCCallsPerS], g[RPCCallsPerS]),
				cell(m[RPCP50US], plain), cell(m[RPCP99US], plain), manyRatio(m[RPCP99US], g[RPCP99US])})
		}
	}
	return b.String()
}
