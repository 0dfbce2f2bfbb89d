// Package report turns bench-compare's measurements into what people read: one JSON record per
// cell, markdown tables with ratios against libzmq, and an SVG chart drawn by hand.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
)

// Metrics a record holds.
const (
	MsgsPerS  = "msgs_per_s" // throughput, messages per second (higher is better)
	LatencyUS = "latency_us" // one-way latency in microseconds, half a round trip (lower is better)
	// HandshakesPerS is connections per second, each opened, handshaken, used for one round
	// trip and closed (higher is better).
	HandshakesPerS = "handshakes_per_s"
)

// Record is one cell of the matrix: one implementation (or cross pair), transport, metric and
// message size, over every run made.
type Record struct {
	Impl      string    `json:"impl"`      // "purezmq", "libzmq", ..., or "sender→receiver"
	Transport string    `json:"transport"` // "tcp", "ipc", "inproc"
	Metric    string    `json:"metric"`    // MsgsPerS or LatencyUS
	Size      int       `json:"size"`      // message size in bytes
	Median    float64   `json:"median"`    // of the runs that succeeded; 0 when none did
	Min       float64   `json:"min"`
	Max       float64   `json:"max"`
	Runs      []float64 `json:"runs"`            // each successful run's value, in run order
	Count     int       `json:"count,omitempty"` // messages (or round trips) per run
	// Peers is the number of sockets on the connecting side of a many-peer cell (ManyKinds);
	// 0 for the one-to-one cells.
	Peers int `json:"peers,omitempty"`
	// Callers is the number of goroutines calling at once through one client in an RPC cell
	// (IsRPC); 0 for the others.
	Callers int      `json:"callers,omitempty"`
	Failed  int      `json:"failed,omitempty"`
	Errors  []string `json:"errors,omitempty"` // why runs failed, one line each
}

// NewRecord summarises the values of a cell's successful runs and the errors of its failed ones.
func NewRecord(impl, transport, metric string, size, count int, runs []float64, errs []string) Record {
	r := Record{Impl: impl, Transport: transport, Metric: metric, Size: size, Count: count,
		Runs: slices.Clone(runs), Failed: len(errs), Errors: slices.Clone(errs)}
	if r.Runs == nil {
		r.Runs = []float64{}
	}
	if s, ok := Summarize(runs); ok {
		r.Median, r.Min, r.Max = s.Median, s.Min, s.Max
	}
	return r
}

// OK reports whether at least one run succeeded.
func (r Record) OK() bool { return len(r.Runs) > 0 }

// MBPerS is the median throughput in megabytes (10^6) per second, for MsgsPerS records.
func (r Record) MBPerS() float64 { return r.Median * float64(r.Size) / 1e6 }

// Summary is the median, minimum and maximum of a set of values.
type Summary struct{ Median, Min, Max float64 }

// Summarize returns the summary of vals, or false when there are none. The median of an even
// number of values is the mean of the middle two.
func Summarize(vals []float64) (Summary, bool) {
	if len(vals) == 0 {
		return Summary{}, false
	}
	s := slices.Clone(vals)
	slices.Sort(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Summary{Median: med, Min: s[0], Max: s[n-1]}, true
}

// WriteJSON writes recs as one indented JSON array.
func WriteJSON(w io.Writer, recs []Record) error {
	for _, r := range recs {
		for _, v := range append([]float64{r.Median, r.Min, r.Max}, r.Runs...) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("report: %s %s %s %d: value %v has no JSON form", r.Impl, r.Transport, r.Metric, r.Size, v)
			}
		}
	}
	b, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ReadJSON reads what WriteJSON wrote.
func ReadJSON(r io.Reader) ([]Record, error) {
	var recs []Record
	if err := json.NewDecoder(r).Decode(&recs); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return recs, nil
}
