package socket

import (
	"bytes"
	"iter"
	"maps"
	"slices"

	"github.com/purezmq/zmq/internal/pipe"
)

// trie holds prefix subscriptions, so matching a message costs one step per node on the path
// its first frame takes (each a subscription or a branching), comparing each byte once,
// however many other subscriptions there are. Each node counts, per pipe, how many times that
// exact prefix was subscribed; the subscriber side keys everything by a nil pipe.
//
// It is a radix tree: a node's edge holds all the bytes from its parent, so a subscription
// costs memory in proportion to its length (one node, its bytes, a map entry) and the tree is
// no deeper than the number of subscriptions nested along a path. Subscriptions come from
// peers a publisher need not trust: a node per byte made a 2 MB topic two million nodes of a
// few hundred bytes each, and a walk recursing per node would outgrow any goroutine's stack.
// So no walk here recurses.
type trie struct{ root tnode }

type tnode struct {
	edge  []byte             // the bytes from the parent (the root's is empty); its own copy
	next  map[byte]*tnode    // children by the first byte of their edge
	refs  []tref             // subscribers of exactly this prefix: a slice, as matching walks it per message
	at    map[*pipe.Pipe]int // index of each subscriber in refs, once they are many (indexFrom)
	total int                // entries (pipes with a count) in this node's subtree, to prune
}

// tref is one subscriber of a node's prefix and how many times it subscribed.
type tref struct {
	p *pipe.Pipe
	n int
}

// indexFrom is how many subscribers a node has before it indexes them by pipe: below, a scan of
// refs is as quick, and a map would be most of a short subscription's memory.
const indexFrom = 8

// index returns p's place in n.refs.
func (n *tnode) index(p *pipe.Pipe) (int, bool) {
	if n.at != nil {
		i, ok := n.at[p]
		return i, ok
	}
	for i, r := range n.refs {
		if r.p == p {
			return i, true
		}
	}
	return 0, false
}

// count reports how many times p subscribed to n's prefix.
func (n *tnode) count(p *pipe.Pipe) int {
	if i, ok := n.index(p); ok {
		return n.refs[i].n
	}
	return 0
}

// inc counts one more subscription of p.
func (n *tnode) inc(p *pipe.Pipe) {
	if i, ok := n.index(p); ok {
		n.refs[i].n++
		return
	}
	n.refs = append(n.refs, tref{p, 1})
	switch {
	case n.at != nil:
		n.at[p] = len(n.refs) - 1
	case len(n.refs) > indexFrom:
		n.at = make(map[*pipe.Pipe]int, len(n.refs))
		for i, r := range n.refs {
			n.at[r.p] = i
		}
	}
}

// dec removes one count of p, which must have one, and returns how many remain.
func (n *tnode) dec(p *pipe.Pipe) int {
	i, _ := n.index(p)
	if n.refs[i].n--; n.refs[i].n > 0 {
		return n.refs[i].n
	}
	n.del(p)
	return 0
}

// del forgets p, moving the last subscriber into its place.
func (n *tnode) del(p *pipe.Pipe) {
	i, ok := n.index(p)
	if !ok {
		return
	}
	last := len(n.refs) - 1
	n.refs[i] = n.refs[last]
	n.refs[last] = tref{}
	n.refs = n.refs[:last]
	if n.at != nil {
		delete(n.at, p)
		if i < last {
			n.at[n.refs[i].p] = i
		}
		if len(n.refs) <= indexFrom/2 {
			n.at = nil
		}
	}
}

// child returns n's child that key continues into and how many of key's bytes its edge takes:
// all of the edge when key goes through it, fewer when key ends or turns off inside it. nil
// when no child starts with key[0].
func (n *tnode) child(key []byte) (c *tnode, common int) {
	if len(key) == 0 || n.next == nil {
		return nil, 0
	}
	if c = n.next[key[0]]; c == nil {
		return nil, 0
	}
	common = 1
	for common < len(c.edge) && common < len(key) && c.edge[common] == key[common] {
		common++
	}
	return c, common
}

// through returns n's child whose edge key goes all through, or nil.
func (n *tnode) through(key []byte) *tnode {
	if len(key) == 0 || n.next == nil {
		return nil
	}
	if c := n.next[key[0]]; c != nil && bytes.HasPrefix(key, c.edge) {
		return c
	}
	return nil
}

// setChild puts c under n.
func (n *tnode) setChild(c *tnode) {
	if n.next == nil {
		n.next = map[byte]*tnode{}
	}
	n.next[c.edge[0]] = c
}

// split gives n's child c a parent holding the first k bytes of its edge, and returns it.
func (n *tnode) split(c *tnode, k int) *tnode {
	mid := &tnode{edge: c.edge[:k:k], total: c.total}
	c.edge = c.edge[k:]
	mid.setChild(c)
	n.setChild(mid)
	return mid
}

// tidy keeps the path to a node that lost an entry minimal: each node on it left with no entry
// below is dropped, and each left with no subscriber and a single child is merged into that
// child. path is the node's ancestors from the root, n the node.
func tidy(path []*tnode, n *tnode) {
	for i := len(path) - 1; i >= 0; i-- {
		parent := path[i]
		switch {
		case n.total == 0:
			delete(parent.next, n.edge[0])
		case len(n.refs) == 0 && len(n.next) == 1:
			for _, only := range n.next {
				only.edge = append(slices.Clip(n.edge), only.edge...)
				parent.next[only.edge[0]] = only
			}
		}
		n = parent
	}
}

// add counts one subscription of prefix by p (or, with once, records it at most once: a
// publisher keeps a set of subscribers per prefix, as libzmq). created reports that p had no
// subscription to prefix before; first that nobody had.
func (t *trie) add(prefix []byte, p *pipe.Pipe, once bool) (created, first bool) {
	n, key := &t.root, prefix
	var path []*tnode
	for len(key) > 0 {
		path = append(path, n)
		c, k := n.child(key)
		if c == nil {
			c = &tnode{edge: bytes.Clone(key)}
			n.setChild(c)
			n = c
			break
		}
		if k < len(c.edge) {
			c = n.split(c, k)
		}
		n, key = c, key[k:]
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

// find returns the node of exactly prefix and its ancestors from the root, or nil.
func (t *trie) find(prefix []byte) (n *tnode, path []*tnode) {
	n, key := &t.root, prefix
	for len(key) > 0 {
		c := n.through(key)
		if c == nil {
			return nil, nil
		}
		path = append(path, n)
		n, key = c, key[len(c.edge):]
	}
	return n, path
}

// has reports whether p subscribes to exactly prefix.
func (t *trie) has(prefix []byte, p *pipe.Pipe) bool {
	n, _ := t.find(prefix)
	return n != nil && n.count(p) > 0
}

// rm removes one count of prefix by p. gone reports that p no longer subscribes to prefix,
// last that nobody does; found is false when p had no such subscription.
func (t *trie) rm(prefix []byte, p *pipe.Pipe) (found, gone, last bool) {
	n, path := t.find(prefix)
	if n == nil || n.count(p) == 0 {
		return false, false, false
	}
	if n.dec(p) > 0 {
		return true, false, false
	}
	n.total--
	for _, a := range path {
		a.total--
	}
	last = len(n.refs) == 0
	tidy(path, n)
	return true, true, last
}

// walk visits every node in depth-first order with its prefix (a slice reused between calls),
// and, when leave is set, each node again once everything below it was visited, with its
// parent (nil for the root). Each node's children are listed when it is first visited: visit
// and leave may change what is below a node, but not the node itself.
func (t *trie) walk(visit func(n *tnode, prefix []byte), leave func(n, parent *tnode)) {
	type frame struct {
		n    *tnode
		kids []*tnode
		end  int // len(prefix) down to n
	}
	var prefix []byte
	kids := func(n *tnode) []*tnode { return slices.Collect(maps.Values(n.next)) }
	visit(&t.root, prefix)
	stack := []frame{{&t.root, kids(&t.root), 0}}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if len(f.kids) == 0 {
			n := f.n
			stack = stack[:len(stack)-1]
			if leave != nil {
				var parent *tnode
				if len(stack) > 0 {
					parent = stack[len(stack)-1].n
				}
				leave(n, parent)
			}
			continue
		}
		c := f.kids[len(f.kids)-1]
		f.kids = f.kids[:len(f.kids)-1]
		prefix = append(prefix[:f.end], c.edge...)
		visit(c, prefix)
		stack = append(stack, frame{c, kids(c), len(prefix)})
	}
}

// rmPipe drops every subscription of p, calling removed with each of its prefixes and whether
// nobody subscribes to it any more (the slice is reused between calls).
func (t *trie) rmPipe(p *pipe.Pipe, removed func(prefix []byte, last bool)) {
	dropped := map[*tnode]int{} // entries dropped in each node's subtree so far
	t.walk(func(n *tnode, prefix []byte) {
		if n.count(p) > 0 {
			n.del(p)
			dropped[n]++
			if removed != nil {
				removed(prefix, len(n.refs) == 0)
			}
		}
	}, func(n, parent *tnode) {
		d := dropped[n]
		if d == 0 {
			return
		}
		delete(dropped, n)
		n.total -= d
		if parent == nil {
			return
		}
		dropped[parent] += d
		tidy([]*tnode{parent}, n)
	})
}

// match calls f for every pipe subscribed to a prefix of data (once per matching prefix).
func (t *trie) match(data []byte, f func(p *pipe.Pipe)) {
	for refs := range t.prefixes(data) {
		for _, r := range refs {
			f(r.p)
		}
	}
}

// prefixes yields the subscribers of each prefix of data that has some, shortest first. A
// range over it compiles to a loop with no call per subscriber, as a publisher's send wants.
func (t *trie) prefixes(data []byte) iter.Seq[[]tref] {
	return func(yield func([]tref) bool) {
		n := &t.root
		for {
			if len(n.refs) > 0 && !yield(n.refs) {
				return
			}
			if n = n.through(data); n == nil {
				return
			}
			data = data[len(n.edge):]
		}
	}
}

// matches reports whether any subscription is a prefix of data.
func (t *trie) matches(data []byte) bool {
	n := &t.root
	for {
		if len(n.refs) > 0 {
			return true
		}
		if n = n.through(data); n == nil {
			return false
		}
		data = data[len(n.edge):]
	}
}

// each calls f with every subscribed prefix (the slice is reused between calls).
func (t *trie) each(f func(prefix []byte)) {
	t.walk(func(n *tnode, prefix []byte) {
		if len(n.refs) > 0 {
			f(prefix)
		}
	}, nil)
}
