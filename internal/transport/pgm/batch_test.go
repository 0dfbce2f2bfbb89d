package pgm

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"slices"
	"testing"
)

// batchRecorder records the batches and single packets an outBatch sends.
type batchRecorder struct {
	sinkConn
	batches [][][]byte // copies: the batch's buffer is reused
	singles [][]byte
	err     error
}

func (c *batchRecorder) sendGroup(b []byte) error {
	c.singles = append(c.singles, bytes.Clone(b))
	return c.err
}

func (c *batchRecorder) sendGroupBatch(pkts [][]byte) error {
	var cp [][]byte
	for _, p := range pkts {
		cp = append(cp, bytes.Clone(p))
	}
	c.batches = append(c.batches, cp)
	return c.err
}

// TestOutBatch: packets go out in order and whole, a batch at a time, each batch within the
// buffer's bytes and maxBatch packets; one bigger than the buffer goes alone; the first error
// is kept for the engine. Each case runs with packets built elsewhere (copied in) and built in
// the batch's scratch space, as the engine's sender builds them.
func TestOutBatch(t *testing.T) {
	tests := []struct {
		name        string
		tpdu        int
		sizes       []int
		wantBatches []int // packets per batch
		wantSingles int
	}{
		{"one batch", 100, []int{10, 20, 30}, []int{3}, 0},
		{"full by count", 100, make([]int, maxBatch+1), []int{maxBatch, 1}, 0},
		{"full by bytes", maxBatchBytes / 2, []int{maxBatchBytes / 2, maxBatchBytes / 4, maxBatchBytes / 2}, []int{2, 1}, 0},
		{"bigger than the buffer", 10, []int{5, maxBatch*10 + 1, 5}, []int{1, 1}, 1},
	}
	for _, tt := range tests {
		for _, scratch := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/scratch=%v", tt.name, scratch), func(t *testing.T) {
				c := &batchRecorder{}
				b := newOutBatch(c, tt.tpdu)
				for i, n := range tt.sizes {
					fill := bytes.Repeat([]byte{byte(i + 1)}, n)
					if scratch {
						p := append(b.scratch(n), fill...)
						b.add(p)
						continue
					}
					b.add(fill)
					clear(fill) // the sender reuses its buffer: the batch must have copied
				}
				want := make([][]byte, len(tt.sizes))
				b.flush()
				var got [][]byte
				var sizes []int
				for _, bt := range c.batches {
					sizes = append(sizes, len(bt))
					got = append(got, bt...)
				}
				if tt.wantSingles > 0 {
					// The big one went alone, between the batches around it.
					got = append(append(c.batches[0][:len(c.batches[0]):len(c.batches[0])], c.singles...), c.batches[1]...)
				}
				if len(c.singles) != tt.wantSingles || !slices.Equal(sizes, tt.wantBatches) {
					t.Fatalf("batches of %v and %d single, want %v and %d", sizes, len(c.singles), tt.wantBatches, tt.wantSingles)
				}
				for i := range want {
					want[i] = bytes.Repeat([]byte{byte(i + 1)}, tt.sizes[i])
					if i >= len(got) || !bytes.Equal(got[i], want[i]) {
						t.Fatalf("packet %d went out wrong or not at all", i)
					}
				}
			})
		}
	}
}

func TestOutBatchKeepsFirstError(t *testing.T) {
	c := &batchRecorder{err: net.ErrClosed}
	b := newOutBatch(c, 100)
	b.add([]byte{1})
	b.flush()
	c.err = errors.New("later")
	b.add([]byte{2})
	b.flush()
	if !errors.Is(b.err, net.ErrClosed) {
		t.Fatalf("err %v, want the first, net.ErrClosed", b.err)
	}
}
