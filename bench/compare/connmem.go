package compare

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/purezmq/zmq/bench/connmem"
	"github.com/purezmq/zmq/bench/report"
)

// Memory per connection (bench/connmem) in the report: N DEALERs over tcp on one ROUTER, the
// DEALERs spread over connmemProcs processes, for libzmq (c/connmem.c) and purezmq
// (cmd/connmem, built as connmemGo).
const (
	ConnRouterKB = "router_kb_per_conn" // the ROUTER process's resident memory growth per connection, KiB
	ConnDealerKB = "dealer_kb_per_conn" // the DEALER processes' growth per connection, KiB
	connmemProcs = 2
	connmemGo    = "connmem-go"
)

// connmemTimeout bounds one implementation's connmem measurement.
const connmemTimeout = 5 * time.Minute

// measureConnmem measures libzmq and purezmq (those of impls) with n connections, one record
// per side each.
func measureConnmem(ctx context.Context, bin string, impls []string, n int) []report.Record {
	commands := map[string]connmem.Command{
		"purezmq": func(ctx context.Context, role, ep string, n int) *exec.Cmd {
			return exec.CommandContext(ctx, filepath.Join(bin, connmemGo), "-role", role, "-endpoint", ep, "-n", strconv.Itoa(n))
		},
		"libzmq": func(ctx context.Context, role, ep string, n int) *exec.Cmd {
			return exec.CommandContext(ctx, filepath.Join(bin, "connmem"), role, ep, strconv.Itoa(n))
		},
	}
	var recs []report.Record
	for _, impl := range manyImpls {
		if !slices.Contains(impls, impl) {
			continue
		}
		res, err := measureConnmemOne(ctx, impl, commands[impl], n)
		recs = append(recs, connmemRecords(impl, n, res, err)...)
	}
	return recs
}

func measureConnmemOne(ctx context.Context, impl string, mk connmem.Command, n int) (connmem.Result, error) {
	port, err := freePort()
	if err != nil {
		return connmem.Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, connmemTimeout)
	defer cancel()
	return connmem.Measure(ctx, impl, mk, fmt.Sprintf("tcp://127.0.0.1:%d", port), n, connmemProcs)
}

// connmemRecords is one measurement as records, or its error on both.
func connmemRecords(impl string, n int, res connmem.Result, err error) []report.Record {
	var errs []string
	router, dealer := []float64{res.RouterPerKB}, []float64{res.DealerPerKB}
	if err != nil {
		errs = []string{err.Error()}
		router, dealer = nil, nil
	}
	return []report.Record{
		report.NewRecord(impl, "tcp", ConnRouterKB, 0, n, router, errs),
		report.NewRecord(impl, "tcp", ConnDealerKB, 0, n, dealer, errs),
	}
}

// isConnmem reports whether r is a memory-per-connection record.
func isConnmem(r report.Record) bool { return r.Metric == ConnRouterKB || r.Metric == ConnDealerKB }

// connmemTable renders the memory records with connmem's table (libzmq the reference), or ""
// without any that succeeded.
func connmemTable(recs []report.Record) string {
	var results []connmem.Result
	for _, r := range recs {
		if r.Metric != ConnRouterKB || !r.OK() {
			continue
		}
		res := connmem.Result{Impl: r.Impl, Conns: r.Count, RouterPerKB: r.Median}
		for _, d := range recs {
			if d.Metric == ConnDealerKB && d.Impl == r.Impl && d.OK() {
				res.DealerPerKB = d.Median
			}
		}
		results = append(results, res)
	}
	if len(results) == 0 {
		return ""
	}
	return connmem.Table(results)
}
