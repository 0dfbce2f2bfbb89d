package report

import (
	"fmt"
	"slices"
	"strings"
)

// The many-peer metrics: each run of a many-peer cell gives all of its kind's.
const (
	RTTPerS        = "rtt_per_s"          // ROUTER echo: round trips per second, all clients
	P50US          = "p50_us"             // ROUTER echo: median round trip, µs
	P99US          = "p99_us"             // ROUTER echo: 99th percentile round trip, µs
	RTTFairness    = "rtt_fairness_pct"   // ROUTER echo: slowest/fastest client's round trips, %
	DeliveredPerS  = "delivered_per_s"    // PUB fan-out: messages delivered per second, all subscribers
	SendPerS       = "send_per_s"         // PUB fan-out: the publisher's send rate
	CPUNsPerMsgSub = "cpu_ns_per_msg_sub" // PUB fan-out: publisher CPU per message per subscriber, send loop
	CPUNsDrained   = "cpu_ns_per_msg_sub_drained"
	CPUNsPerCopy   = "cpu_ns_per_copy"    // PUB fan-out: publisher CPU to the end of the stream per copy delivered
	DropsPct       = "drops_pct"          // PUB fan-out: drops, % of count × peers
	Drops          = "drops"              // PUB fan-out: count × peers − delivered
	FanInPerS      = "fanin_msgs_per_s"   // N PUSH → PULL: messages per second
	FanInFairness  = "fanin_fairness_pct" // N PUSH → PULL: fewest/most delivered at half-way, %
)

// ManyMetric is how one many-peer metric reads.
type ManyMetric struct {
	Name  string
	Label string
	// LowerBetter: less is better (latency, CPU, drops); the chart draws its ratio inverted.
	LowerBetter bool
	Chart       bool   // drawn in the many-peer chart
	Unit        string // after the value in tables: " µs", " %", " ns"; rates and counts have none
}

// ManyKind is one many-peer test: its metrics in table order, the first the one failures are
// listed under.
type ManyKind struct {
	Name, Title string
	Metrics     []ManyMetric
}

// ManyKinds are the many-peer tests, in report order.
var ManyKinds = []ManyKind{
	{"router", "ROUTER echo (N DEALERs)", []ManyMetric{
		{RTTPerS, "round trips/s", false, true, ""},
		{P50US, "p50 round trip", true, true, " µs"},
		{P99US, "p99 round trip", true, true, " µs"},
		{RTTFairness, "fairness (slowest/fastest client)", false, true, " %"},
	}},
	{"pubsub", "PUB fan-out (N SUBs)", []ManyMetric{
		{DeliveredPerS, "delivered msgs/s (all SUBs)", false, true, ""},
		{SendPerS, "publisher send rate (msgs/s)", false, true, ""},
		{CPUNsPerMsgSub, "publisher CPU per msg per SUB (send loop)", true, true, " ns"},
		{CPUNsDrained, "publisher CPU per msg per SUB (to end of stream)", true, false, " ns"},
		{CPUNsPerCopy, "publisher CPU per copy delivered (to end of stream)", true, false, " ns"},
		{DropsPct, "drops (% of count × N)", true, false, " %"},
		{Drops, "drops (count × N − delivered)", true, false, " msgs"},
	}},
	{"pushpull", "N PUSH → one PULL", []ManyMetric{
		{FanInPerS, "msgs/s", false, true, ""},
		{FanInFairness, "fairness at half-way (fewest/most)", false, true, " %"},
	}},
}

// ManyKindOf returns the kind a many-peer metric belongs to.
func ManyKindOf(metric string) (ManyKind, ManyMetric, bool) {
	for _, k := range ManyKinds {
		for _, m := range k.Metrics {
			if m.Name == metric {
				return k, m, true
			}
		}
	}
	return ManyKind{}, ManyMetric{}, false
}

// IsMany reports whether r is a many-peer record.
func IsMany(r Record) bool { return r.Peers > 0 }

// manyRow is one line of a many-peer table.
type manyRow struct {
	transport string
	peers     int
	metric    int // index in the kind's Metrics
}

// ManyTable renders kind's records as markdown: one row per transport, N and metric, one column
// per implementation of impls that has records, each cell "median (min–max)", and the ratios
// purezmq/libzmq and, with pinned records, purezmq pinned/libzmq pinned. It is "" without
// records of kind.
func ManyTable(recs []Record, kind ManyKind, impls []string) string {
	cells := map[manyRow]map[string]*Record{}
	var rows []manyRow
	present := map[string]bool{}
	for i := range recs {
		r := &recs[i]
		mi := slices.IndexFunc(kind.Metrics, func(m ManyMetric) bool { return m.Name == r.Metric })
		if !IsMany(*r) || mi < 0 {
			continue
		}
		k := manyRow{r.Transport, r.Peers, mi}
		if cells[k] == nil {
			cells[k] = map[string]*Record{}
			rows = append(rows, k)
		}
		cells[k][r.Impl] = r
		present[r.Impl] = true
	}
	if len(rows) == 0 {
		return ""
	}
	slices.SortFunc(rows, func(a, b manyRow) int {
		if a.transport != b.transport {
			if ra, rb := transportRank(a.transport), transportRank(b.transport); ra != rb {
				return ra - rb
			}
			return strings.Compare(a.transport, b.transport)
		}
		if a.peers != b.peers {
			return a.peers - b.peers
		}
		return a.metric - b.metric
	})
	var cols []string
	for _, im := range impls {
		if present[im] {
			cols = append(cols, im)
		}
	}
	// The ratios: ours against the reference, pinned against pinned, ours with one processor
	// per runtime, ours publishing with Send and Go with no library (both floors) against the
	// reference.
	var ratios [][2]string
	for _, pair := range [][2]string{{Ours, Reference}, {Ours + PinnedSuffix, Reference + PinnedSuffix}, {Ours + OneProcSuffix, Reference}, {OursSend, Reference}, {GoNetFloor, Reference}, {GoEpollFloor, Reference}, {GoEpollOurs, Reference}} {
		if slices.Contains(cols, pair[0]) && slices.Contains(cols, pair[1]) {
			ratios = append(ratios, pair)
		}
	}
	var b strings.Builder
	head := append([]string{"transport", "N", "metric"}, cols...)
	for _, pair := range ratios {
		head = append(head, pair[0]+"/"+pair[1])
	}
	writeRow(&b, head)
	align := make([]string, len(head))
	for i := range align {
		align[i] = "---:"
	}
	align[0], align[2] = "---", "---"
	writeRow(&b, align)
	for _, k := range rows {
		m := kind.Metrics[k.metric]
		label := m.Label
		if m.LowerBetter {
			label += " ↓"
		}
		line := []string{k.transport, fmt.Sprint(k.peers), label}
		format := formatRate
		switch m.Unit {
		case "":
		case " msgs":
			format = formatCount
		default:
			format = func(med, v float64) string { return sig3For(med, v) + m.Unit }
		}
		for _, im := range cols {
			line = append(line, cell(cells[k][im], format))
		}
		for _, pair := range ratios {
			line = append(line, manyRatio(cells[k][pair[0]], cells[k][pair[1]]))
		}
		writeRow(&b, line)
	}
	return b.String()
}

// formatCount writes a count: whole below 1000, else as formatRate.
func formatCount(med, v float64) string {
	if med < 1e3 {
		return fmt.Sprintf("%.0f", v)
	}
	return formatRate(med, v)
}

// manyRatio is ours/reference, or "—" when either failed, is missing or is zero.
func manyRatio(o, r *Record) string {
	if o == nil || r == nil || !o.OK() || !r.OK() || r.Median == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", o.Median/r.Median)
}
