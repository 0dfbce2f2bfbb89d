package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/purezmq/zmq/perf"
	"github.com/spf13/cobra"
)

// benchPlan is what one `zmq bench` run measures.
type benchPlan struct {
	transports  []string
	sizes       []int // throughput message sizes
	latSizes    []int
	volume      int // bytes per throughput cell, bounded by minCount/maxCount messages
	minCount    int
	maxCount    int
	roundtrips  int
	cellTimeout time.Duration
}

func (p benchPlan) count(size int) int {
	return min(max(p.volume/max(size, 1), p.minCount), p.maxCount)
}

func newBenchCmd() *cobra.Command {
	var transports, sizes, latSizes string
	var quick bool
	var roundtrips int
	cmd := &cobra.Command{
		Use:   "bench [flags]",
		Short: "quick self-benchmark: PUSH/PULL throughput and REQ/REP latency over inproc, ipc, tcp",
		Long: "bench measures purezmq against itself in this process: PUSH/PULL throughput for each " +
			"message size and REQ/REP latency (half the round trip) over each transport. Progress " +
			"goes to stderr, one table to stdout. To measure between two machines, or against " +
			"libzmq's own tools, use zmq perf.",
		Example: "  zmq bench\n  zmq bench --transports tcp --sizes 64,1024 --quick",
		Args:    positional(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			plan := benchPlan{
				transports: split(transports), volume: 64 << 20, minCount: 2000, maxCount: 200_000,
				roundtrips: roundtrips, cellTimeout: 60 * time.Second,
			}
			var err error
			if plan.sizes, err = ints(sizes); err != nil {
				return err
			}
			if plan.latSizes, err = ints(latSizes); err != nil {
				return err
			}
			if quick {
				plan.volume, plan.minCount, plan.maxCount, plan.roundtrips = plan.volume/10, 200, 20_000, max(plan.roundtrips/10, 10)
			}
			if plan.roundtrips < 1 {
				return usagef("bench: --roundtrips must be at least 1")
			}
			for _, t := range plan.transports {
				if _, err := perf.Endpoint(t); err != nil {
					return usagef("bench: %v", err)
				}
			}
			results, err := plan.run(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			writeBenchTable(cmd.OutOrStdout(), plan, results)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&transports, "transports", "inproc,ipc,tcp", "comma-separated transports")
	f.StringVar(&sizes, "sizes", "16,256,4096,65536", "comma-separated throughput message sizes in bytes")
	f.StringVar(&latSizes, "latency-sizes", "16", "comma-separated latency message sizes in bytes")
	f.BoolVar(&quick, "quick", false, "a tenth of the default volume, for a smoke test")
	f.IntVar(&roundtrips, "roundtrips", 5000, "REQ/REP round trips per latency cell")
	return cmd
}

func (p benchPlan) run(ctx context.Context, progress io.Writer) (map[string]perf.Result, error) {
	total := len(p.transports) * (len(p.sizes) + len(p.latSizes))
	results := map[string]perf.Result{}
	n := 0
	measure := func(kind, transport string, size int, f func(context.Context) (perf.Result, error)) error {
		n++
		fmt.Fprintf(progress, "[%2d/%d] %-10s %-6s %6d B ... ", n, total, kind, transport, size)
		cctx, cancel := context.WithTimeout(ctx, p.cellTimeout)
		defer cancel()
		r, err := f(cctx)
		if err != nil {
			fmt.Fprintln(progress, "failed")
			return fmt.Errorf("bench %s %s %d B: %w", kind, transport, size, err)
		}
		if kind == "throughput" {
			fmt.Fprintf(progress, "%s msg/s\n", human(r.MsgsPerSec()))
		} else {
			fmt.Fprintf(progress, "%.1f µs\n", r.LatencyMicros())
		}
		results[key(kind, transport, size)] = r
		return nil
	}
	for _, t := range p.transports {
		for _, size := range p.sizes {
			err := measure("throughput", t, size, func(c context.Context) (perf.Result, error) {
				return perf.Throughput(c, t, size, p.count(size))
			})
			if err != nil {
				return nil, err
			}
		}
		for _, size := range p.latSizes {
			err := measure("latency", t, size, func(c context.Context) (perf.Result, error) {
				return perf.Latency(c, t, size, p.roundtrips)
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return results, nil
}

func key(kind, transport string, size int) string {
	return kind + "/" + transport + "/" + strconv.Itoa(size)
}

// writeBenchTable prints one row per transport: throughput per size, then latency.
func writeBenchTable(w io.Writer, p benchPlan, results map[string]perf.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := []string{"transport"}
	for _, s := range p.sizes {
		header = append(header, fmt.Sprintf("%s msg/s", sizeName(s)), fmt.Sprintf("%s MB/s", sizeName(s)))
	}
	for _, s := range p.latSizes {
		header = append(header, fmt.Sprintf("%s lat µs", sizeName(s)))
	}
	fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	for _, t := range p.transports {
		row := []string{t}
		for _, s := range p.sizes {
			r := results[key("throughput", t, s)]
			row = append(row, human(r.MsgsPerSec()), fmt.Sprintf("%.0f", r.MBPerSec()))
		}
		for _, s := range p.latSizes {
			row = append(row, fmt.Sprintf("%.1f", results[key("latency", t, s)].LatencyMicros()))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
}

func human(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func sizeName(n int) string {
	if n >= 1024 && n%1024 == 0 {
		return fmt.Sprintf("%dKiB", n/1024)
	}
	return fmt.Sprintf("%dB", n)
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range split(s) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 256<<20 {
			return nil, usagef("bench: bad size %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}
