package socket

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/purezmq/zmq/internal/pipe"
)

func TestTrie(t *testing.T) {
	ib := pipe.NewInbox()
	a, b := pipe.New(ib, 0, nil), pipe.New(ib, 0, nil)
	var tr trie
	if c, f := tr.add([]byte("ab"), a, false); !c || !f {
		t.Fatalf("first add: created %v first %v", c, f)
	}
	if c, f := tr.add([]byte("ab"), a, false); c || f {
		t.Fatalf("counted add: created %v first %v", c, f)
	}
	if c, f := tr.add([]byte("ab"), a, true); c || f {
		t.Fatalf("set add of a present pipe: created %v first %v", c, f)
	}
	if c, f := tr.add([]byte("ab"), b, true); !c || f {
		t.Fatalf("second pipe: created %v first %v", c, f)
	}
	tr.add(nil, b, true)
	matched := func(data string) []*pipe.Pipe {
		var out []*pipe.Pipe
		tr.match([]byte(data), func(p *pipe.Pipe) { out = append(out, p) })
		return out
	}
	if got := matched("abc"); len(got) != 3 { // b twice: "" and "ab"
		t.Fatalf("match abc: %d pipes", len(got))
	}
	if got := matched("a"); len(got) != 1 || got[0] != b {
		t.Fatalf("match a: %v", got)
	}
	if found, gone, last := tr.rm([]byte("ab"), a); !found || gone || last {
		t.Fatalf("rm counted: %v %v %v", found, gone, last)
	}
	if found, gone, last := tr.rm([]byte("ab"), a); !found || !gone || last {
		t.Fatalf("rm last count of a: %v %v %v", found, gone, last)
	}
	if found, _, _ := tr.rm([]byte("ab"), a); found {
		t.Fatal("rm of a missing subscription found it")
	}
	var emptied []string
	tr.rmPipe(b, func(prefix []byte, last bool) {
		if last {
			emptied = append(emptied, string(prefix))
		}
	})
	slices.Sort(emptied)
	if !slices.Equal(emptied, []string{"", "ab"}) {
		t.Fatalf("rmPipe emptied %q", emptied)
	}
	if tr.root.total != 0 || len(tr.root.next) != 0 || tr.matches([]byte("abc")) {
		t.Fatalf("trie not empty: total %d, %d children", tr.root.total, len(tr.root.next))
	}
}

// BenchmarkTrieMatch matches messages against 10,000 subscriptions of 100 pipes: the cost is
// one step per byte of the topic, not per subscription.
func BenchmarkTrieMatch(b *testing.B) {
	ib := pipe.NewInbox()
	pipes := make([]*pipe.Pipe, 100)
	for i := range pipes {
		pipes[i] = pipe.New(ib, 0, nil)
	}
	var tr trie
	for i := range 10_000 {
		tr.add(fmt.Appendf(nil, "market.%04d.", i), pipes[i%len(pipes)], true)
	}
	msgs := make([][]byte, 1000)
	for i := range msgs {
		msgs[i] = fmt.Appendf(nil, "market.%04d.price=42", i*10)
	}
	var d dist
	d.pipes = pipes
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := range b.N {
		d.match(&tr, msgs[i%len(msgs)], false)
		n += len(d.matched)
	}
	if n != b.N {
		b.Fatalf("%d matches for %d messages", n, b.N)
	}
}

func BenchmarkTrieAdd(b *testing.B) {
	ib := pipe.NewInbox()
	p := pipe.New(ib, 0, nil)
	keys := make([][]byte, 10_000)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "market.%04d.", i)
	}
	b.ReportAllocs()
	for range b.N {
		var tr trie
		for _, k := range keys {
			tr.add(k, p, true)
		}
	}
}

// nodes counts t's nodes, and the bytes their keys hold, without recursion.
func (t *trie) nodes() (n, bytes int) {
	stack := []*tnode{&t.root}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n++
		bytes += len(x.edge)
		for _, c := range x.next {
			stack = append(stack, c)
		}
	}
	return n, bytes
}

// TestTrieLongPrefix: a subscription is stored in memory proportional to its length, not a node
// per byte (a hostile subscriber's 2 MB topic made two million nodes of a few hundred bytes
// each), and dropping it, listing it or matching it takes no recursion as deep as it is long (a
// goroutine's stack is bounded: a deep enough one was fatal to the process).
func TestTrieLongPrefix(t *testing.T) {
	ib := pipe.NewInbox()
	a, b := pipe.New(ib, 0, nil), pipe.New(ib, 0, nil)
	long := make([]byte, 8<<20)
	for i := range long {
		long[i] = byte('a' + i%26)
	}
	var tr trie
	tr.add(long, a, true)
	tr.add(long[:len(long)/2], b, true) // splits the long one's path
	if n, bytes := tr.nodes(); n > 3 || bytes != len(long) {
		t.Fatalf("two nested subscriptions of %d and %d bytes: %d nodes holding %d bytes", len(long), len(long)/2, n, bytes)
	}
	var got []*pipe.Pipe
	tr.match(append(long, "tail"...), func(p *pipe.Pipe) { got = append(got, p) })
	if len(got) != 2 {
		t.Fatalf("a message under both prefixes matched %d subscriptions", len(got))
	}
	prefixes := 0
	tr.each(func(prefix []byte) { prefixes++ })
	if prefixes != 2 {
		t.Fatalf("each listed %d prefixes", prefixes)
	}
	var emptied []int
	tr.rmPipe(a, func(prefix []byte, last bool) { emptied = append(emptied, len(prefix)) })
	if !slices.Equal(emptied, []int{len(long)}) {
		t.Fatalf("rmPipe reported prefixes of lengths %v", emptied)
	}
	if n, bytes := tr.nodes(); n != 2 || bytes != len(long)/2 {
		t.Fatalf("after the long one went: %d nodes holding %d bytes", n, bytes)
	}
	if found, gone, last := tr.rm(long[:len(long)/2], b); !found || !gone || !last {
		t.Fatalf("rm: %v %v %v", found, gone, last)
	}
	if n, _ := tr.nodes(); n != 1 || tr.root.total != 0 {
		t.Fatalf("emptied trie: %d nodes, total %d", n, tr.root.total)
	}
}

// TestTrieModel runs random adds, removals and pipe drops over keys that share prefixes
// (short and long), by enough pipes that nodes index their subscribers and stop again, against
// a map of counts, checking every answer, match and listing, that
// totals are right and that the trie keeps no node it does not need: at most one per prefix
// subscribed and one per branching, and none without a subscription below it.
func TestTrieModel(t *testing.T) {
	ib := pipe.NewInbox()
	pipes := make([]*pipe.Pipe, 3*indexFrom/2) // more than indexFrom on a node at times
	for i := range pipes {
		pipes[i] = pipe.New(ib, 0, nil)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	key := func() []byte {
		k := make([]byte, rng.IntN(6))
		for i := range k {
			k[i] = "ab"[rng.IntN(2)]
		}
		if rng.IntN(10) == 0 {
			k = append(k, bytes.Repeat([]byte("x"), 1+rng.IntN(3000))...)
		}
		return k
	}
	model := map[string]map[*pipe.Pipe]int{}
	var tr trie
	for op := range 20000 {
		p := pipes[rng.IntN(len(pipes))]
		k := key()
		switch r := rng.IntN(10); {
		case r < 5:
			once := rng.IntN(2) == 0
			had, anyHad := model[string(k)][p], len(model[string(k)]) > 0
			created, first := tr.add(k, p, once)
			if created != (had == 0) || first != !anyHad {
				t.Fatalf("op %d add %q: created %v first %v, model had %d (any %v)", op, k, created, first, had, anyHad)
			}
			if had == 0 || !once {
				if model[string(k)] == nil {
					model[string(k)] = map[*pipe.Pipe]int{}
				}
				model[string(k)][p]++
			}
		case r < 9:
			had := model[string(k)][p]
			found, gone, last := tr.rm(k, p)
			if had > 0 {
				if model[string(k)][p]--; model[string(k)][p] == 0 {
					delete(model[string(k)], p)
				}
			}
			left := len(model[string(k)])
			if left == 0 {
				delete(model, string(k))
			}
			if found != (had > 0) || gone != (had == 1) || last != (had == 1 && left == 0) {
				t.Fatalf("op %d rm %q: found %v gone %v last %v, model had %d, %d pipes left", op, k, found, gone, last, had, left)
			}
		default:
			want := map[string]bool{}
			for s, m := range model {
				if m[p] > 0 {
					delete(m, p)
					want[s] = len(m) == 0
					if len(m) == 0 {
						delete(model, s)
					}
				}
			}
			got := map[string]bool{}
			tr.rmPipe(p, func(prefix []byte, last bool) { got[string(prefix)] = last })
			if !maps.Equal(got, want) {
				t.Fatalf("op %d rmPipe: %d prefixes reported, want %d", op, len(got), len(want))
			}
		}
		checkTrie(t, &tr, model, key)
	}
}

// checkTrie compares tr with model: listing, matching, totals and size.
func checkTrie(t *testing.T, tr *trie, model map[string]map[*pipe.Pipe]int, key func() []byte) {
	t.Helper()
	listed := map[string]bool{}
	tr.each(func(prefix []byte) { listed[string(prefix)] = true })
	if len(listed) != len(model) {
		t.Fatalf("each listed %d prefixes, model has %d", len(listed), len(model))
	}
	entries := 0
	for s, m := range model {
		if !listed[s] {
			t.Fatalf("each did not list %q", s)
		}
		entries += len(m)
	}
	if tr.root.total != entries {
		t.Fatalf("root total %d, model has %d entries", tr.root.total, entries)
	}
	if n, _ := tr.nodes(); n > 1+2*len(model) {
		t.Fatalf("%d nodes for %d prefixes", n, len(model))
	}
	for range 3 {
		data := append(key(), key()...)
		want := map[*pipe.Pipe]int{}
		any := false
		for s, m := range model {
			if bytes.HasPrefix(data, []byte(s)) {
				any = true
				for p := range m {
					want[p]++
				}
			}
		}
		got := map[*pipe.Pipe]int{}
		tr.match(data, func(p *pipe.Pipe) { got[p]++ })
		if !maps.Equal(got, want) || tr.matches(data) != any {
			t.Fatalf("match %q: %v, want %v (matches %v, want %v)", data, got, want, tr.matches(data), any)
		}
	}
}
