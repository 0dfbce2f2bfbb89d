package connmem

import (
	"fmt"
	"strings"
)

// Table renders results as markdown, with each implementation's cost relative to the first
// libzmq result when there is one.
func Table(results []Result) string {
	var ref *Result
	for i := range results {
		if results[i].Impl == "libzmq" {
			ref = &results[i]
			break
		}
	}
	var b strings.Builder
	b.WriteString("| impl | connections | ROUTER KiB/conn | DEALER KiB/conn | total vs libzmq |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: |\n")
	for _, r := range results {
		ratio := "—"
		if ref != nil && ref.RouterPerKB+ref.DealerPerKB > 0 {
			ratio = fmt.Sprintf("%.2f×", (r.RouterPerKB+r.DealerPerKB)/(ref.RouterPerKB+ref.DealerPerKB))
		}
		fmt.Fprintf(&b, "| %s | %d | %.1f | %.1f | %s |\n", r.Impl, r.Conns, r.RouterPerKB, r.DealerPerKB, ratio)
	}
	return b.String()
}
