package socket

import "github.com/purezmq/zmq/internal/pipe"

// trie holds prefix subscriptions keyed byte by byte, so matching a message costs one step per
// byte of the message's first frame however many subscriptions there are. Each node counts, per
// pipe, how many times that exact prefix was subscribed; the subscriber side keys everything by
// a nil pipe.
type trie struct{ root tnode }

type tnode struct {
	next  map[byte]*tnode
	refs  []tref             // subscribers of exactly this prefix: a slice, as matching walks it per message
	at    map[*pipe.Pipe]int // index of each subscriber in refs
	total int                // entries (pipes with a count) in this node's subtree, to prune
}

// tref is one subscriber of a node's prefix and how many times it subscribed.
type tref struct {
	p *pipe.Pipe
	n int
}

// count reports how many times p subscribed to n's prefix.
func (n *tnode) count(p *pipe.Pipe) int {
	if i, ok := n.at[p]; ok {
		return n.refs[i].n
	}
	return 0
}

// inc counts one more subscription of p.
func (n *tnode) inc(p *pipe.Pipe) {
	if i, ok := n.at[p]; ok {
		n.refs[i].n++
		return
	}
	if n.at == nil {
		n.at = map[*pipe.Pipe]int{}
	}
	n.at[p] = len(n.refs)
	n.refs = append(n.refs, tref{p, 1})
}

// dec removes one count of p, which must have one, and returns how many remain.
func (n *tnode) dec(p *pipe.Pipe) int {
	i := n.at[p]
	if n.refs[i].n--; n.refs[i].n > 0 {
		return n.refs[i].n
	}
	n.del(p)
	return 0
}

// del forgets p, moving the last subscriber into its place.
func (n *tnode) del(p *pipe.Pipe) {
	i, ok := n.at[p]
	if !ok {
		return
	}
	last := len(n.refs) - 1
	n.refs[i] = n.refs[last]
	n.at[n.refs[i].p] = i
	n.refs[last] = tref{}
	n.refs = n.refs[:last]
	delete(n.at, p)
}

// add counts one subscription of prefix by p (or, with once, records it at most once: a
// publisher keeps a set of subscribers per prefix, as libzmq). created reports that p had no
// subscription to prefix before; first that nobody had.
func (t *trie) add(prefix []byte, p *pipe.Pipe, once bool) (created, first bool) {
	n := &t.root
	path := make([]*tnode, 0, len(prefix)+1)
	for _, c := range prefix {
		path = append(path, n)
		nx := n.next[c]
		if nx == nil {
			if n.next == nil {
				n.next = map[byte]*tnode{}
			}
			nx = &tnode{}
			n.next[c] = nx
		}
		n = nx
	}
	first = len(n.refs) == 0
	created = n.count(p) == 0
	if !created && once {
		return false, false
	}
	n.inc(p)
	if created {
		n.total++
		for _, a := range path {
			a.total++
		}
	}
	return created, first
}

// rm removes one count of prefix by p. gone reports that p no longer subscribes to prefix,
// last that nobody does; found is false when p had no such subscription.
func (t *trie) rm(prefix []byte, p *pipe.Pipe) (found, gone, last bool) {
	n := &t.root
	path := make([]*tnode, 0, len(prefix)+1)
	for _, c := range prefix {
		path = append(path, n)
		if n = n.next[c]; n == nil {
			return false, false, false
		}
	}
	if n.count(p) == 0 {
		return false, false, false
	}
	if n.dec(p) > 0 {
		return true, false, false
	}
	n.total--
	for i := len(path) - 1; i >= 0; i-- {
		a := path[i]
		a.total--
		if child := a.next[prefix[i]]; child.total == 0 {
			delete(a.next, prefix[i])
		}
	}
	return true, true, len(n.refs) == 0
}

// rmPipe drops every subscription of p, calling removed with each of its prefixes and whether
// nobody subscribes to it any more (the slice is reused between calls).
func (t *trie) rmPipe(p *pipe.Pipe, removed func(prefix []byte, last bool)) {
	var key []byte
	var walk func(n *tnode) int
	walk = func(n *tnode) int {
		dropped := 0
		if n.count(p) > 0 {
			n.del(p)
			dropped++
			if removed != nil {
				removed(key, len(n.refs) == 0)
			}
		}
		for c, child := range n.next {
			key = append(key, c)
			r := walk(child)
			key = key[:len(key)-1]
			if r > 0 && child.total == 0 {
				delete(n.next, c)
			}
			dropped += r
		}
		n.total -= dropped
		return dropped
	}
	walk(&t.root)
}

// match calls f for every pipe subscribed to a prefix of data (once per matching prefix).
func (t *trie) match(data []byte, f func(p *pipe.Pipe)) {
	n := &t.root
	for i := 0; ; i++ {
		for _, r := range n.refs {
			f(r.p)
		}
		if i == len(data) || n.next == nil {
			return
		}
		if n = n.next[data[i]]; n == nil {
			return
		}
	}
}

// matches reports whether any subscription is a prefix of data.
func (t *trie) matches(data []byte) bool {
	n := &t.root
	for i := 0; ; i++ {
		if len(n.refs) > 0 {
			return true
		}
		if i == len(data) || n.next == nil {
			return false
		}
		if n = n.next[data[i]]; n == nil {
			return false
		}
	}
}

// each calls f with every subscribed prefix (the slice is reused between calls).
func (t *trie) each(f func(prefix []byte)) {
	var key []byte
	var walk func(n *tnode)
	walk = func(n *tnode) {
		if len(n.refs) > 0 {
			f(key)
		}
		for c, child := range n.next {
			key = append(key, c)
			walk(child)
			key = key[:len(key)-1]
		}
	}
	walk(&t.root)
}
