package socket

import (
	"slices"

	"github.com/purezmq/zmq/internal/pipe"
)

// dist sends each message to a set of pipes: all of them, or those a trie matched (RFC 29).
type dist struct {
	pipes   []*pipe.Pipe
	matched map[*pipe.Pipe]struct{} // scratch for one send, reused
}

func (d *dist) add(p *pipe.Pipe) { d.pipes = append(d.pipes, p) }

func (d *dist) remove(p *pipe.Pipe) {
	if i := slices.Index(d.pipes, p); i >= 0 {
		d.pipes = slices.Delete(d.pipes, i, i+1)
	}
}

// match fills the matched set from subs for data; with invert, it holds the pipes that did
// not match instead.
func (d *dist) match(subs *trie, data []byte, invert bool) {
	if d.matched == nil {
		d.matched = map[*pipe.Pipe]struct{}{}
	}
	clear(d.matched)
	subs.match(data, func(p *pipe.Pipe) { d.matched[p] = struct{}{} })
	if invert {
		for _, p := range d.pipes {
			if _, ok := d.matched[p]; ok {
				delete(d.matched, p)
			} else {
				d.matched[p] = struct{}{}
			}
		}
	}
}

// roomy reports whether every matched pipe can take a message now.
func (d *dist) roomy() bool {
	ok := true
	for p := range d.matched {
		if !p.HasRoom() {
			ok = false // keep asking the others, so each one full signals when it drains
		}
	}
	return ok
}

// sendMatched gives m to every matched pipe that has room and drops it for the others. Every
// recipient after the first gets its own frame list (the frames themselves are shared, read
// only, as libzmq shares a message's buffer between subscribers).
func (d *dist) sendMatched(m pipe.Msg) {
	first := true
	for p := range d.matched {
		mm := m
		if !first {
			mm = slices.Clone(m)
		}
		if p.TryPush(mm) {
			first = false
		}
	}
}

// sendAll gives m to every pipe that has room.
func (d *dist) sendAll(m pipe.Msg) {
	first := true
	for _, p := range d.pipes {
		mm := m
		if !first {
			mm = slices.Clone(m)
		}
		if p.TryPush(mm) {
			first = false
		}
	}
}
