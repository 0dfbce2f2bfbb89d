package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Column names the ratio columns compare: Ours and OursNoRecycle each against Reference.
const (
	Ours      = "purezmq"
	Reference = "libzmq"
	// OursNoRecycle is purezmq's throughput with a receiver that does not use Socket.Recycle.
	OursNoRecycle = "purezmq (no Recycle)"
	// PinnedSuffix names a many-peer contender whose two processes ran on a processor each:
	// Ours+PinnedSuffix is compared with Reference+PinnedSuffix.
	PinnedSuffix = " pinned"
	// OneProcSuffix names a many-peer contender whose two processes ran with GOMAXPROCS=1, on
	// every processor as the others: Ours+OneProcSuffix is compared with Reference.
	OneProcSuffix = " GOMAXPROCS=1"
	// OursSend is purezmq's fan-out with a publisher that sends a new payload per message with
	// Send, where Ours sends copies of one buffer with SendCopy as libzmq's does with zmq_send:
	// compared with Reference.
	OursSend = "purezmq (Send)"
	// GoNetFloor is a many-peer cell's traffic with no messaging library (peer -impl gonet):
	// Go's standard library, a goroutine per connection, on both sides; compared with
	// Reference.
	GoNetFloor = "Go net, no ZeroMQ"
	// GoEpollFloor is the ROUTER echo with GoNetFloor's clients and a server of one goroutine
	// on an epoll instance of its own, no messaging library (peer -impl goepoll); compared with
	// Reference.
	GoEpollFloor = "Go epoll server, no ZeroMQ"
	// GoEpollOurs is the ROUTER echo with Ours's clients and GoEpollFloor's server answering
	// them in ZMTP (peer -impl goepoll -zmtp): what purezmq's DEALERs get from a server that
	// does nothing but answer, in the order the kernel reports; compared with Reference.
	GoEpollOurs = "Go epoll server, purezmq clients"
)

// ratioed reports whether column im gets a ratio column against Reference after it.
func ratioed(im string) bool { return im == Ours || im == OursNoRecycle }

// transportOrder is the row order; other transports follow, by name.
var transportOrder = []string{"tcp", "ipc", "inproc"}

func transportRank(t string) int {
	if i := slices.Index(transportOrder, t); i >= 0 {
		return i
	}
	return len(transportOrder)
}

// row is one line of a table: a transport and a message size.
type row struct {
	transport string
	size      int
}

// index holds the records of one metric by row and implementation.
type index struct {
	rows  []row
	impls []string // the requested column order, less those without any record
	cells map[row]map[string]*Record
}

func newIndex(recs []Record, metric string, impls []string) index {
	ix := index{cells: map[row]map[string]*Record{}}
	present := map[string]bool{}
	for i := range recs {
		r := &recs[i]
		if r.Metric != metric {
			continue
		}
		k := row{r.Transport, r.Size}
		if ix.cells[k] == nil {
			ix.cells[k] = map[string]*Record{}
			ix.rows = append(ix.rows, k)
		}
		ix.cells[k][r.Impl] = r
		present[r.Impl] = true
	}
	slices.SortFunc(ix.rows, func(a, b row) int {
		if ra, rb := transportRank(a.transport), transportRank(b.transport); ra != rb {
			return ra - rb
		}
		if a.transport != b.transport {
			return strings.Compare(a.transport, b.transport)
		}
		return a.size - b.size
	})
	for _, im := range impls {
		if present[im] {
			ix.impls = append(ix.impls, im)
		}
	}
	return ix
}

// hasRatio reports whether the table gets an im/libzmq column, placed after im's.
func (ix index) hasRatio(im string) bool {
	return ratioed(im) && slices.Contains(ix.impls, im) && slices.Contains(ix.impls, Reference)
}

// ratio is im/reference for one row, or "—" when either failed or is missing.
func (ix index) ratio(k row, im string) string {
	o, r := ix.cells[k][im], ix.cells[k][Reference]
	if o == nil || r == nil || !o.OK() || !r.OK() || r.Median == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", o.Median/r.Median)
}

// Table renders the records of metric as a markdown table: one row per transport and size, one
// column per implementation in the order of impls (those with no record are left out), each
// cell "median (min–max)", and a ratio column against libzmq after purezmq's and after
// purezmq (no Recycle)'s. marks are
// appended to implementation names in the header (footnote marks).
func Table(recs []Record, metric string, impls []string, marks map[string]string) string {
	ix := newIndex(recs, metric, impls)
	if len(ix.rows) == 0 {
		return ""
	}
	ratioHead := func(im string) string { return im + "/libzmq (>1: purezmq faster)" }
	format := formatRate
	if metric == LatencyUS {
		ratioHead = func(im string) string { return im + "/libzmq latency (<1: purezmq faster)" }
		format = formatPlain
	}
	var b strings.Builder
	head := []string{"transport", "size"}
	for _, im := range ix.impls {
		head = append(head, im+marks[im])
		if ix.hasRatio(im) {
			head = append(head, ratioHead(im))
		}
	}
	writeRow(&b, head)
	align := make([]string, len(head))
	for i := range align {
		align[i] = "---:"
	}
	align[0] = "---"
	writeRow(&b, align)
	for _, k := range ix.rows {
		line := []string{k.transport, FormatSize(k.size)}
		for _, im := range ix.impls {
			line = append(line, cell(ix.cells[k][im], format))
			if ix.hasRatio(im) {
				line = append(line, ix.ratio(k, im))
			}
		}
		writeRow(&b, line)
	}
	return b.String()
}

// MBTable renders throughput medians in MB/s (10^6 bytes), one column per implementation.
func MBTable(recs []Record, impls []string, marks map[string]string) string {
	ix := newIndex(recs, MsgsPerS, impls)
	if len(ix.rows) == 0 {
		return ""
	}
	var b strings.Builder
	head := []string{"transport", "size"}
	for _, im := range ix.impls {
		head = append(head, im+marks[im])
	}
	writeRow(&b, head)
	align := make([]string, len(head))
	for i := range align {
		align[i] = "---:"
	}
	align[0] = "---"
	writeRow(&b, align)
	for _, k := range ix.rows {
		line := []string{k.transport, FormatSize(k.size)}
		for _, im := range ix.impls {
			r := ix.cells[k][im]
			switch {
			case r == nil:
				line = append(line, "—")
			case !r.OK():
				line = append(line, "failed")
			default:
				line = append(line, sig3(r.MBPerS()))
			}
		}
		writeRow(&b, line)
	}
	return b.String()
}

func writeRow(b *strings.Builder, cells []string) {
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

// cell is "median (min–max)" ("median" alone after one run), "failed (n/n)" when no run
// succeeded, or "—" with no record.
func cell(r *Record, format func(med, v float64) string) string {
	switch {
	case r == nil:
		return "—"
	case !r.OK():
		return fmt.Sprintf("**failed** (%d/%d)", r.Failed, r.Failed)
	}
	s := format(r.Median, r.Median)
	if len(r.Runs) > 1 {
		s += fmt.Sprintf(" (%s–%s)", format(r.Median, r.Min), format(r.Median, r.Max))
	}
	if r.Failed > 0 {
		s += fmt.Sprintf(" ⚠ %d/%d failed", r.Failed, r.Failed+len(r.Runs))
	}
	return s
}

// formatRate writes v in the unit (k, M) that suits med, so a cell's three numbers share it.
func formatRate(med, v float64) string {
	switch {
	case med >= 1e6:
		return sig3For(med/1e6, v/1e6) + " M"
	case med >= 1e3:
		return sig3For(med/1e3, v/1e3) + " k"
	}
	return sig3For(med, v)
}

func formatPlain(med, v float64) string { return sig3For(med, v) }

// sig3For writes v with the decimals that give med three significant digits.
func sig3For(med, v float64) string {
	switch a := math.Abs(med); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func sig3(v float64) string { return sig3For(v, v) }

// FormatSize writes a message size as people say it: "16 B", "4 KiB", "1 MiB".
func FormatSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
