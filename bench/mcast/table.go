package mcast

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Run is one measured run: a PUB and a SUB of one implementation over one transport.
type Run struct {
	Transport string
	Size      int
	Impl      string // "libzmq" or "purezmq"
	Sent      int64
	Received  int64
	MsgsPerS  float64
	PubCPU    float64 // µs of the PUB's process CPU per message sent
	SubCPU    float64 // µs of the SUB's process CPU per message received
	Err       string  // why the run failed; empty when it measured
}

// Cell is the runs of one transport and size, for each implementation.
type Cell struct {
	Transport string
	Size      int
	Rate      int              // RATE, kbit/s
	Runs      map[string][]Run // by Impl
}

// median is the median msg/s of the runs that measured, and their count.
func median(runs []Run) (float64, int) {
	return medianOf(runs, func(r Run) float64 { return r.MsgsPerS })
}

// medianOf is the median of what of the runs that measured, and their count.
func medianOf(runs []Run, what func(Run) float64) (float64, int) {
	var v []float64
	for _, r := range runs {
		if r.Err == "" {
			v = append(v, what(r))
		}
	}
	if len(v) == 0 {
		return 0, 0
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2], len(v)
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2, len(v)
}

// delivered is the share of what the PUBs sent that the SUBs received, over the runs that
// measured.
func delivered(runs []Run) string {
	var sent, got int64
	for _, r := range runs {
		if r.Err == "" {
			sent += r.Sent
			got += r.Received
		}
	}
	if sent == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f %%", 100*float64(got)/float64(sent))
}

func rate(v float64, n int) string {
	if n == 0 {
		return "failed"
	}
	return fmt.Sprintf("%.0f", v)
}

// Table writes the cells as a markdown table: the median msg/s of each implementation, the
// ratio purezmq/libzmq, and how much of what was sent arrived; then every failed run.
func Table(w io.Writer, cells []Cell) {
	// The mixed pairs (-mcast.cross), PUB→SUB, get a column each when measured.
	var crossed []string
	for _, x := range []string{"purezmq→libzmq", "libzmq→purezmq"} {
		for _, c := range cells {
			if len(c.Runs[x]) > 0 {
				crossed = append(crossed, x)
				break
			}
		}
	}
	fmt.Fprint(w, "| transport | size | RATE kbit/s | libzmq msg/s | purezmq msg/s | purezmq/libzmq | delivered libzmq | delivered purezmq |"+
		" PUB CPU µs/msg libzmq / purezmq | SUB CPU µs/msg libzmq / purezmq |")
	for _, x := range crossed {
		fmt.Fprintf(w, " %s msg/s |", x)
	}
	fmt.Fprint(w, "\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	fmt.Fprintln(w, strings.Repeat("---:|", len(crossed)))
	var failures []string
	for _, c := range cells {
		lz, ln := median(c.Runs["libzmq"])
		pz, pn := median(c.Runs["purezmq"])
		ratio := "–"
		if ln > 0 && pn > 0 && lz > 0 {
			ratio = fmt.Sprintf("%.2f×", pz/lz)
		}
		fmt.Fprintf(w, "| %s | %d B | %d | %s | %s | %s | %s | %s | %s | %s |", c.Transport, c.Size, c.Rate, rate(lz, ln), rate(pz, pn), ratio,
			delivered(c.Runs["libzmq"]), delivered(c.Runs["purezmq"]),
			cpuPair(c.Runs, func(r Run) float64 { return r.PubCPU }), cpuPair(c.Runs, func(r Run) float64 { return r.SubCPU }))
		for _, x := range crossed {
			v, n := median(c.Runs[x])
			fmt.Fprintf(w, " %s |", rate(v, n))
		}
		fmt.Fprintln(w)
		for _, impl := range append([]string{"libzmq", "purezmq"}, crossed...) {
			for _, r := range c.Runs[impl] {
				if r.Err != "" {
					failures = append(failures, fmt.Sprintf("- %s %d B %s: %s", c.Transport, c.Size, impl, oneLine(r.Err)))
				}
			}
		}
	}
	if len(failures) > 0 {
		fmt.Fprintln(w, "\nFailed runs:")
		for _, f := range failures {
			fmt.Fprintln(w, f)
		}
	}
}

// cpuPair is the median CPU per message of libzmq's runs and purezmq's, "–" where none
// measured it.
func cpuPair(runs map[string][]Run, what func(Run) float64) string {
	var out []string
	for _, impl := range []string{"libzmq", "purezmq"} {
		v, n := medianOf(runs[impl], what)
		if n == 0 || v == 0 {
			out = append(out, "–")
		} else {
			out = append(out, fmt.Sprintf("%.3g", v))
		}
	}
	return strings.Join(out, " / ")
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
