package socket

import (
	"fmt"
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
