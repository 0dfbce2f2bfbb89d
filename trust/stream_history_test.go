package trust_test

import (
	"fmt"
	"strings"
	"time"
)

// history keeps a side's last steps, with their time since the session began, for the report
// of a failure.
type history struct {
	start time.Time
	lines [16]string
	n     int
}

func (h *history) add(format string, args ...any) {
	h.lines[h.n%len(h.lines)] = fmt.Sprintf("%7.1fms ", float64(time.Since(h.start).Microseconds())/1000) + fmt.Sprintf(format, args...)
	h.n++
}

func (h *history) String(indent string) string {
	var b strings.Builder
	for i := max(0, h.n-len(h.lines)); i < h.n; i++ {
		fmt.Fprintf(&b, "%s%d: %s\n", indent, i, h.lines[i%len(h.lines)])
	}
	return b.String()
}
