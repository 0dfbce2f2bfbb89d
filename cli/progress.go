package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// progress is one status line on stderr, rewritten in place at most every tenth of a second,
// for long runs (perf, recv -n with a big count). It stays silent unless stderr is a terminal,
// so that scripts and pipes see only what they asked for.
type progress struct {
	w     io.Writer
	on    bool
	last  time.Time
	dirty bool
}

// isTerminal reports whether w is a terminal; tests replace it.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newProgress(w io.Writer) *progress { return &progress{w: w, on: isTerminal(w)} }

// update redraws the line unless it was drawn less than 100 ms ago.
func (p *progress) update(format string, args ...any) {
	if !p.on {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.dirty = true
	fmt.Fprintf(p.w, "\r\033[K"+format, args...)
}

// done clears the line, so that what follows starts on a clean one.
func (p *progress) done() {
	if p.on && p.dirty {
		fmt.Fprint(p.w, "\r\033[K")
		p.dirty = false
	}
}
