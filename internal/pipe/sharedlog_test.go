package pipe

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/purezmq/zmq/internal/allocs"
)

// TestSharedLogSubsets: queues holding runs of one log each deliver exactly the messages pushed
// to them, in order, whatever part of the log that is. Runs begin wherever a queue skips a
// message (not pushed to it, refused at its HWM, or appended for another queue by a plain
// push), where a log chunk closes (by count or by the bytes of big messages) and where a run
// chunk fills; each queue is drained by its own goroutine while the producer pushes. A third of
// the messages have their frames copied into the log (Own with copyFrames), whose chunks are
// reused: a chunk filled again while a queue still reads it shows as a message's wrong bytes.
func TestSharedLogSubsets(t *testing.T) {
	const n = 40000
	const stuck = 20 * time.Second // only a lost wake-up waits this long
	hwms := []int{1, 3, 50, 1000, 0, 7}
	log := NewLog()
	qs := make([]*OutQueue, len(hwms))
	for i, hwm := range hwms {
		qs[i] = NewOutQueue(hwm, nil)
		qs[i].SetLog(log)
	}
	want := make([][]int, len(qs))
	got := make([][]int, len(qs))
	finished := make(chan struct{})
	var wg sync.WaitGroup
	for i, q := range qs {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 9))
			var batch []Msg
			for {
				batch, _ = q.Drain(batch[:0], 1+r.IntN(3000))
				for _, m := range batch {
					seq := seqOf(m)
					if len(m) != 2 || len(m[1]) != payloadOf(seq) || binary.BigEndian.Uint64(m[1]) != uint64(seq) {
						t.Errorf("queue %d: message %d came as %d frames, %d bytes", i, seq, len(m), len(m[1]))
						return
					}
					got[i] = append(got[i], seq)
				}
				if len(batch) > 0 {
					continue
				}
				select {
				case <-q.Wake():
				case <-finished:
					if q.Len() == 0 {
						return
					}
				case <-time.After(stuck):
					t.Errorf("queue %d: writer asleep with %d queued", i, q.Len())
					return
				}
			}
		})
	}
	r := rand.New(rand.NewPCG(1, 2))
	for seq := range n {
		m := Msg{seqMsg(seq)[0], binary.BigEndian.AppendUint64(make([]byte, 0, payloadOf(seq)), uint64(seq))}
		m[1] = m[1][:payloadOf(seq)]
		if r.IntN(10) == 0 {
			// A plain push appends for one queue alone: the others' runs break around it.
			i := r.IntN(len(qs))
			if qs[i].TryPush(m) {
				want[i] = append(want[i], seq)
			}
			continue
		}
		switch seq % 3 {
		case 1:
			m = log.Own(m, false) // the list in the log, as a publisher's Send makes it
		case 2:
			// The frames too, as a publisher's SendCopy makes it; the caller then reuses its
			// buffers.
			src := m
			m = log.Own(src, true)
			for _, f := range src {
				clear(f)
			}
		}
		ref := log.Append(m)
		for i, q := range qs {
			if r.IntN(8) > i && q.TryPushRef(ref) { // the later queues skip more
				want[i] = append(want[i], seq)
			}
		}
	}
	close(finished)
	wg.Wait()
	for i := range qs {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("queue %d (HWM %d): %d messages delivered, want %d; first difference at %d", i, hwms[i], len(got[i]), len(want[i]), firstDiff(got[i], want[i]))
		}
	}
	if len(want[4]) < n/10 { // the unlimited queue, never refusing
		t.Errorf("the queue without HWM took only %d of %d messages: the test skips too much", len(want[4]), n)
	}
}

// payloadOf is message seq's payload size: now and then big enough to close a log chunk by
// its bytes.
func payloadOf(seq int) int {
	if seq%97 == 0 {
		return 20 << 10
	}
	return 8
}

func firstDiff(a, b []int) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestSharedLogLetsGo: once a queue has drained them and drained again, the messages its runs
// referred to are the collector's (their chunks go back to the log emptied), but for those of
// its last run's chunk; and Close lets go of those too.
func TestSharedLogLetsGo(t *testing.T) {
	log := NewLog()
	q := NewOutQueue(0, nil)
	q.SetLog(log)
	const n = 40 * logChunkLen
	frames := make([]weak.Pointer[byte], n)
	for seq := range n {
		m := Msg{make([]byte, 32)} // not a tiny allocation, which may share its block
		frames[seq] = weak.Make(&m[0][0])
		q.TryPush(m)
	}
	if len(q.DrainAll(nil)) != n {
		t.Fatal("drained less than was pushed")
	}
	q.Drain(nil, 1) // the drain after lets go of the chunks the last went through
	runtime.GC()
	for seq, f := range frames[:n-logChunkLen] {
		if f.Value() != nil {
			t.Fatalf("message %d of %d still reachable after it was drained", seq, n)
		}
	}
	log.Append(Msg{make([]byte, 32)}) // the log moves on: only the queue's last run holds the last chunk
	runtime.GC()
	if frames[n-1].Value() == nil {
		t.Fatal("the message of the queue's last run was collected while the run held it")
	}
	q.Close()
	runtime.GC()
	for seq, f := range frames {
		if f.Value() != nil {
			t.Fatalf("message %d of %d still reachable after Close", seq, n)
		}
	}
	runtime.KeepAlive(log)
	runtime.KeepAlive(q) // a closed queue kept, as a connect-side peer's is, holds nothing
}

// TestSharedLogSteadyStateAllocs: queues sharing a log that fill and empty over and over reuse
// the log's chunks, with the messages' lists (Own), and their run chunks instead of allocating.
func TestSharedLogSteadyStateAllocs(t *testing.T) {
	log := NewLog()
	// Within what the log and each queue keep for reuse: the queue taking every other message
	// holds at most 100 runs, the deepest spans 32 log chunks.
	qs := []*OutQueue{NewOutQueue(1000, nil), NewOutQueue(100, nil), NewOutQueue(10, nil)}
	for _, q := range qs {
		q.SetLog(log)
	}
	frame := seqMsg(1)[0]
	batch := make([]Msg, 0, 1000)
	seq := 0
	cycle := func() {
		for range 3000 {
			r := log.Append(log.Own(Msg{frame}, false))
			for i, q := range qs {
				if seq%(i+1) == 0 { // runs break: the second queue takes every other message
					q.TryPushRef(r)
				}
			}
			seq++
		}
		for _, q := range qs {
			for q.Len() > 0 {
				batch, _ = q.Drain(batch[:0], 4000)
			}
		}
	}
	for range 10 {
		cycle() // each queue's runs come round to its first run chunk (the third after 7 cycles)
	}
	if n := allocs.Count(50, cycle); n > 10 {
		t.Fatalf("%d allocations in 50 cycles of 3000 messages, want none of the log's (at most 10)", n)
	}
}

// TestSharedLogBatchOutlivesItsChunks: the lists of a drained batch stay as they were while the
// log goes on, until the queue drains again, though the batch went through log chunks nobody
// else refers to; the next drain gives those chunks back for the log to fill again.
func TestSharedLogBatchOutlivesItsChunks(t *testing.T) {
	log := NewLog()
	q := NewOutQueue(0, nil)
	q.SetLog(log)
	send := func(seq int) {
		var m Msg
		if seq%2 == 0 {
			m = log.Own(Msg{seqMsg(seq)[0]}, false)
		} else {
			m = log.Own(Msg{seqMsg(seq)[0], []byte("two")}, false)
		}
		q.TryPushRef(log.Append(m))
	}
	intact := func(m Msg, seq int) bool { // a list cleared or refilled fails it
		return len(m) == 1+seq%2 && len(m[0]) == 8 && seqOf(m) == seq
	}
	const n = 5 * logChunkLen
	for seq := range n {
		send(seq)
	}
	batch, _ := q.Drain(nil, math.MaxInt)
	if len(batch) != n {
		t.Fatalf("drained %d of %d messages", len(batch), n)
	}
	for seq := n; seq < 3*n; seq++ {
		send(seq) // the log fills chunks again, given back ones among them if any were
	}
	for seq, m := range batch {
		if !intact(m, seq) {
			t.Fatalf("drained message %d now has %d frames %x: its list was reused", seq, len(m), m)
		}
	}
	reused := len(log.free.chunks)
	q.Drain(batch[:0], math.MaxInt)
	if got := len(log.free.chunks); got <= reused {
		t.Errorf("the next drain gave back no chunk (%d free, %d before)", got, reused)
	}

	// A queue closed while its writer still reads a batch (its subscriber went away) gives
	// none of that batch's chunks back: the log, going on, fills others.
	batch, _ = q.Drain(batch[:0], math.MaxInt)
	other := NewOutQueue(0, nil)
	other.SetLog(log)
	for seq := 3 * n; seq < 4*n; seq++ {
		send(seq)
	}
	batch, _ = q.Drain(batch[:0], math.MaxInt)
	if len(batch) != n {
		t.Fatalf("drained %d of %d messages", len(batch), n)
	}
	q.Close()
	for seq := 4 * n; seq < 6*n; seq++ {
		m := log.Own(Msg{seqMsg(seq)[0], []byte("two")}, false)
		other.TryPushRef(log.Append(m))
		if seq%logChunkLen == 0 {
			other.Drain(nil, math.MaxInt) // its chunks go back, free for the log to fill
		}
	}
	for i, m := range batch {
		if seq := 3*n + i; !intact(m, seq) {
			t.Fatalf("after Close, drained message %d now has %d frames %x: its list was reused", seq, len(m), m)
		}
	}
}

// TestLogOwnCopiesSmallLists: Own copies a small message's list into the log, capped so that a
// receiver's append never reaches the next one; a big message, or one of many frames, gets a
// list of its own; an Append that finds the chunk closing (not after Own) copies an owned list
// out of it.
func TestLogOwnCopiesSmallLists(t *testing.T) {
	log := NewLog()
	caller := Msg{[]byte("a"), []byte("b")}
	m := log.Own(caller, false)
	if cap(m) != 2 || &m[0] != &log.cur.frames[0] {
		t.Fatalf("a two-frame list: cap %d, in the chunk %v", cap(m), &m[0] == &log.cur.frames[0])
	}
	caller[0] = []byte("changed")
	if string(m[0]) != "a" {
		t.Fatal("the owned list follows the caller's")
	}
	for _, big := range []Msg{{make([]byte, SmallListBytes+1)}, make(Msg, SmallListFrames+1)} {
		nf := log.nf
		if o := log.Own(big, false); log.nf != nf || len(o) != len(big) {
			t.Errorf("a message of %d frames, %d bytes took the log's room for lists", len(big), MsgSize(big))
		}
	}
	for range logChunkLen {
		log.Append(Msg{[]byte("x")})
	}
	r := log.Append(m) // the chunk m's list is in closes first
	if &r.c.msgs[r.i][0] == &m[0] {
		t.Fatal("a message appended to a new chunk kept its list in the closed one")
	}
}

// TestLogOwnCopiesFrames: Own with copyFrames copies a small message's frames into the chunk's
// data, each capped at its length, so the caller may reuse its buffers; a copy never appended
// keeps its bytes while the next is made; the chunk closes when its data has no room, and its
// data is kept for the next fill; a big message is copied into storage of its own.
func TestLogOwnCopiesFrames(t *testing.T) {
	log := NewLog()
	buf := []byte("hello")
	m := log.Own(Msg{buf, buf[:2]}, true)
	copy(buf, "XXXXX")
	if string(m[0]) != "hello" || string(m[1]) != "he" || cap(m[0]) != 5 || cap(m[1]) != 2 {
		t.Fatalf("copied frames %q (caps %d, %d), want hello, he capped", m, cap(m[0]), cap(m[1]))
	}
	next := log.Own(Msg{[]byte("world")}, true) // m is never appended
	if string(m[0]) != "hello" || string(next[0]) != "world" {
		t.Fatalf("a second copy made the first %q", m[0])
	}
	first := log.cur
	data := &first.data[0]
	frame := make([]byte, SmallListBytes)
	for range logDataLen/SmallListBytes - 1 {
		log.Own(Msg{frame}, true)
	}
	if log.cur != first {
		t.Fatal("the chunk closed before its data was full")
	}
	log.Own(Msg{frame}, true)
	if log.cur == first || log.nd != SmallListBytes {
		t.Fatalf("a copy past the data's room: new chunk %v, %d bytes in it", log.cur != first, log.nd)
	}
	log.next() // first goes back (nothing referred to it) and is filled again
	if log.cur != first || &log.cur.data[0] != data {
		t.Fatal("the chunk came back without its data")
	}
	big := Msg{make([]byte, SmallListBytes+1)}
	if c := log.Own(big, true); &c[0][0] == &big[0][0] || log.nd != 0 {
		t.Fatal("a big message's copy: not a copy, or made in the chunk")
	}
	if kept := maxFreeChunks * logDataLen; kept > 512<<10 {
		t.Errorf("free chunks keep %d bytes of copies: doc.go (Memory) says 512 KiB", kept)
	}
}
