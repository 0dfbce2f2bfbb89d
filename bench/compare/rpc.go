package compare

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/purezmq/zmq/bench/report"
)

// The RPC cells (-cells rpc): small calls, rpcSize bytes of args and the same back, from 1 and
// 16 callers on one client to an echo server in another process over tcp, for gRPC-Go unary,
// NATS request-reply (a third process, the broker), the raw purezmq DEALER→ROUTER echo (the
// ceiling) and purezmq's rpc package: cmd/rpcpeer's -impl values.
const (
	rpcSize = 64
	// rpcCallTimeout is every call's deadline: each contender makes its calls with one, as
	// users should.
	rpcCallTimeout = 10 * time.Second
	natsServerBin  = "natsserver"
	rpcPeerBin     = "rpcpeer"
)

// allRPCImpls are cmd/rpcpeer's implementations, in the table's row order.
var allRPCImpls = []string{"grpc", "nats", "zmq", "rpc"}

// rpcCallers are the numbers of concurrent callers measured.
var rpcCallers = []int{1, 16}

// RPCCell is one RPC cell: Callers goroutines calling through one client.
type RPCCell struct{ Callers int }

func (c RPCCell) String() string {
	return fmt.Sprintf("tcp RPC %s, %d caller(s)", report.FormatSize(rpcSize), c.Callers)
}

// RPCPlan lists the RPC cells.
func RPCPlan() []RPCCell {
	var cells []RPCCell
	for _, n := range rpcCallers {
		cells = append(cells, RPCCell{n})
	}
	return cells
}

// rpcHeld are the RPC roles that run until EOF on their stdin whatever -hold says: the server
// and the broker serve until the client is done.
var rpcHeld = map[string]bool{"rpc_server": true, "nats_server": true}

// RPCMeasurement is what one RPC run gives.
type RPCMeasurement struct {
	CallsPerS, P50US, P99US float64
	Elapsed                 time.Duration
}

// measureRPC runs one RPC cell as measure does a one-to-one cell: calibration, then runs
// rounds of every implementation in a rotated order; three records per implementation.
func measureRPC(ctx context.Context, r *runner, cell RPCCell, impls []string, runs int, target time.Duration) []report.Record {
	cs := make([]Contender, 0, len(impls))
	for _, im := range impls {
		cs = append(cs, same(im))
	}
	counts := map[string]int{}
	vals := map[string]map[string][]float64{}
	errs := map[string][]string{}
	skip := map[string]bool{}
	for _, c := range cs {
		vals[c.Name] = map[string][]float64{}
		var elapsed time.Duration
		n, err := growPilot(rpcPilot, rpcMax, target, func(n int) (time.Duration, error) {
			m, err := r.runRPC(ctx, cell, c.Name, n)
			elapsed = m.Elapsed
			return m.Elapsed, err
		})
		if err == nil && elapsed > 0 {
			n = clamp(int(float64(n)*target.Seconds()/elapsed.Seconds()), rpcPilot/5, rpcMax)
		}
		counts[c.Name] = n
		if err != nil {
			errs[c.Name] = append(errs[c.Name], "calibration: "+err.Error())
			skip[c.Name] = errors.Is(err, errTimeout)
		}
	}
	for run := range runs {
		for _, c := range rotate(cs, run) {
			if skip[c.Name] || ctx.Err() != nil {
				continue
			}
			m, err := r.runRPC(ctx, cell, c.Name, counts[c.Name])
			if err != nil {
				errs[c.Name] = append(errs[c.Name], fmt.Sprintf("run %d: %v", run+1, err))
				skip[c.Name] = errors.Is(err, errTimeout)
				continue
			}
			v := vals[c.Name]
			v[report.RPCCallsPerS] = append(v[report.RPCCallsPerS], m.CallsPerS)
			v[report.RPCP50US] = append(v[report.RPCP50US], m.P50US)
			v[report.RPCP99US] = append(v[report.RPCP99US], m.P99US)
		}
	}
	var recs []report.Record
	for _, c := range cs {
		for _, mt := range report.RPCMetrics {
			rec := report.NewRecord(c.Name, "tcp", mt, rpcSize, counts[c.Name], vals[c.Name][mt], errs[c.Name])
			rec.Callers = cell.Callers
			recs = append(recs, rec)
		}
	}
	return recs
}

// The first calibration run's calls and the most a run makes.
const (
	rpcPilot = 500
	rpcMax   = 2_000_000
)
