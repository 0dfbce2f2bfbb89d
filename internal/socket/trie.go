package socket

import "github.com/purezmq/zmq/internal/pipe"

// trie holds prefix subscriptions keyed byte by byte, so matching a message costs one step per
// byte of the message's first frame however many subscriptions there are. Each node counts, per
// pipe, how many times that exact prefix was subscribed; the subscriber side keys everything by
// a nil pipe.
type trie struct{ root tnode }

type tnode struct {
	next  map[byte]*tnode
	refs  map[*pipe.Pipe]int // subscribers of exactly this prefix, with counts
	total int                // entries (pipes with a count) in this node's subtree, to prune
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
	if n.refs == nil {
		n.refs = map[*pipe.Pipe]int{}
	}
	first = len(n.refs) == 0
	created = n.refs[p] == 0
	if !created && once {
		return false, false
	}
	n.refs[p]++
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
	if n.refs[p] == 0 {
		return false, false, false
	}
	n.refs[p]--
	if n.refs[p] > 0 {
		return true, false, false
	}
	delete(n.refs, p)
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
		if _, ok := n.refs[p]; ok {
			delete(n.refs, p)
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
		for p := range n.refs {
			f(p)
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
