package pipe

import (
	"sync"
	"sync/atomic"
)

// A publisher's connections share one Log: each message is written there once, and each
// connection's OutQueue holds runs of it (the first message's place and, implicitly, how many
// follow) instead of a slot per message. Pushing a message that continues a connection's run
// writes nothing into its queue but the count, so fan-out to a hundred subscribers touches a
// hundred counters and no slot memory, and writes no pointer (no GC write barrier) per
// subscriber.
//
// A log chunk is counted in use by the log while it appends there and by every run that refers
// to it; the consumer that ends the last run gives it back, emptied, for the log to fill again,
// so a steady publisher allocates nothing. A run never crosses a chunk, and a chunk closes at
// logChunkLen messages or logChunkBytes of payload, which bounds what a run keeps alive beyond
// the messages its queue still holds (a queue that took every other message keeps whole chunks
// for half of them), and what an idle queue's last run keeps. A queue dropped without Close
// never gives its chunks back, and the garbage collector frees them.
//
// A chunk also holds the lists of the small messages written there (Own): a publisher's send
// copies the caller's list into the log instead of into storage of its own, so a steady
// publisher allocates no list either. Such a list lives as long as its chunk; a queue's
// consumer therefore keeps the chunks its last drain went through until its next drain
// (OutQueue.Drain), as the writer reads the lists of a drained batch until then. A send that
// copies (SendCopy) puts the frames' bytes there too, in the chunk's data, which lives and goes
// back as its lists do: a publisher fed from buffers its program reuses allocates nothing.
const (
	logChunkLen   = 32
	logChunkBytes = 32 << 10
	runChunkLen   = 64

	logFramesLen = 2 * logChunkLen // a chunk's room for lists (SmallList): two frames a message
	// A chunk's room for copied frames (Own with copyFrames): 32 messages of 256 bytes, fewer
	// bigger ones. A chunk a queue's run holds keeps all of it, so it is smaller than
	// logChunkBytes, and the free chunks keep at most maxFreeChunks × logDataLen for reuse.
	logDataLen = 8 << 10
)

// Log is the messages a publisher sent to more than one connection, in order. Its producer is
// the queues' producer: its methods need the same lock (OutQueue).
type Log struct {
	cur   *logChunk
	n     int   // messages in cur
	bytes int   // their payload
	nf    int   // frames of cur's lists in use (Own)
	nd    int   // bytes of cur's data in use (Own copying frames)
	seq   int64 // messages appended
	free  *freeChunks
}

type logChunk struct {
	msgs   [logChunkLen]Msg
	frames [logFramesLen][]byte // the lists Own made here
	data   []byte               // the frames Own copied here: logDataLen bytes, made on first use
	n, nf  int                  // msgs and frames used, set when the log closes the chunk
	refs   atomic.Int32         // the log's while it is cur, and one per run referring to it
	free   *freeChunks          // where it goes back once nobody refers to it
}

// freeChunks holds emptied log chunks for the log to fill again; consumers put, the producer
// takes, so it has a lock of its own.
type freeChunks struct {
	mu     sync.Mutex
	chunks []*logChunk
}

// maxFreeChunks bounds the chunks kept for reuse: more are left to the collector.
const maxFreeChunks = 64

// NewLog returns an empty log.
func NewLog() *Log {
	l := &Log{free: new(freeChunks)}
	l.cur = l.newChunk()
	return l
}

// newChunk returns an empty chunk held by the log.
func (l *Log) newChunk() *logChunk {
	f := l.free
	f.mu.Lock()
	var c *logChunk
	if n := len(f.chunks); n > 0 {
		c = f.chunks[n-1]
		f.chunks[n-1] = nil
		f.chunks = f.chunks[:n-1]
	}
	f.mu.Unlock()
	if c == nil {
		c = &logChunk{free: f}
	}
	c.refs.Store(1)
	return c
}

// release drops one reference to c; the last one empties it and gives it back.
func (c *logChunk) release() {
	if c.refs.Add(-1) != 0 {
		return
	}
	// What it held is the collector's now. Only the slots used: clearing pointers costs the
	// collector's barrier per slot while it marks.
	clear(c.msgs[:c.n])
	clear(c.frames[:c.nf])
	f := c.free
	f.mu.Lock()
	if len(f.chunks) < maxFreeChunks {
		f.chunks = append(f.chunks, c)
	}
	f.mu.Unlock()
}

// Ref is a message's place in a Log, for OutQueue.TryPushRef.
type Ref struct {
	c   *logChunk
	i   int
	seq int64
}

// Own returns a copy of m's list of frames for the next Append, made in the log's current
// chunk, which is sure to have room for that message: Append then writes it there, and the
// list is the log's, freed with its chunk; with copyFrames, a copy of the frames too, in the
// chunk's data. A message whose list is not carved (SmallList) gets one allocated for it (and
// its frames, copied). A copy never appended (every subscriber at its HWM) takes its places in
// the chunk until the chunk goes back: at most logFramesLen small frames and logDataLen bytes.
func (l *Log) Own(m Msg, copyFrames bool) Msg {
	if !SmallList(m) {
		return OwnApart(m, copyFrames)
	}
	size := MsgSize(m)
	if l.full(size) || l.nf+len(m) > logFramesLen || copyFrames && l.nd+size > logDataLen {
		l.next()
	}
	var c Msg
	if copyFrames {
		if l.cur.data == nil {
			l.cur.data = make([]byte, logDataLen)
		}
		c = CarveCopy(l.cur.frames[l.nf:], l.cur.data[l.nd:], m)
		l.nd += size
	} else {
		c = CarveList(l.cur.frames[l.nf:], m)
	}
	l.nf += len(m)
	return c
}

// Append writes m into the log; it must never change afterwards (every connection's writer
// reads it).
func (l *Log) Append(m Msg) Ref {
	size := MsgSize(m)
	if l.full(size) {
		if l.owns(m) {
			// Its list, and its frames when Own copied them, are in the chunk that closes: not
			// after Own, which made room, unless something was appended in between.
			m = CopyMsg(m)
		}
		l.next()
	}
	l.cur.msgs[l.n] = m
	r := Ref{c: l.cur, i: l.n, seq: l.seq}
	l.n++
	l.bytes += size
	l.seq++
	return r
}

// full reports whether the current chunk closes before a message of size bytes.
func (l *Log) full(size int) bool {
	return l.n == logChunkLen || l.n > 0 && l.bytes+size > logChunkBytes
}

// owns reports whether m's list is the last Own made.
func (l *Log) owns(m Msg) bool {
	return len(m) > 0 && l.nf >= len(m) && &m[0] == &l.cur.frames[l.nf-len(m)]
}

// next closes the current chunk and starts an empty one.
func (l *Log) next() {
	old := l.cur
	old.n, old.nf = l.n, l.nf
	l.cur, l.n, l.bytes, l.nf, l.nd = l.newChunk(), 0, 0, 0, 0
	old.release()
}

// run is a queue's messages from its push count at on: the log's messages from c.msgs[i] on,
// one after another, until the next run starts.
type run struct {
	at int64
	c  *logChunk
	i  int
}

// runChunk holds a queue's runs, oldest first. The consumer hands those it has gone through
// back to the producer (OutQueue.spares) to fill again.
type runChunk struct {
	runs [runChunkLen]run
	next *runChunk // set before the runs count publishing its first run
}

// spareRuns holds a queue's emptied run chunks, put by its consumer and taken by its producer.
type spareRuns struct {
	mu     sync.Mutex
	chunks []*runChunk
}

// maxSpareRuns bounds the run chunks a queue keeps: more runs than this holds are a queue that
// took scattered messages, deep, once; the collector has the chunks beyond.
const maxSpareRuns = 16

func (s *spareRuns) put(c *runChunk) {
	s.mu.Lock()
	if len(s.chunks) < maxSpareRuns {
		s.chunks = append(s.chunks, c)
	}
	s.mu.Unlock()
}

func (s *spareRuns) take() *runChunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.chunks)
	if n == 0 {
		return nil
	}
	c := s.chunks[n-1]
	s.chunks[n-1] = nil
	s.chunks = s.chunks[:n-1]
	return c
}

// pushRef queues the message at r: a new run unless it follows the last one pushed in the same
// chunk. The producer's; the caller checked the HWM and publishes the count.
func (q *OutQueue) pushRef(r Ref) {
	if r.c != q.lc || r.seq != q.lseq+1 {
		if q.rtpos == runChunkLen {
			c := q.spares.take()
			if c == nil {
				c = new(runChunk)
			}
			q.rt.next = c
			q.rt, q.rtpos = c, 0
		}
		r.c.refs.Add(1)
		q.rt.runs[q.rtpos] = run{at: q.np, c: r.c, i: r.i}
		q.rtpos++
		q.nr++
		q.runs.Store(q.nr)
		q.lc = r.c
	}
	q.lseq = r.seq
	q.np++
}

// takeRef removes the oldest message of a log-backed queue; there must be one published, and
// avail runs. The consumer's.
func (q *OutQueue) takeRef(runs int64) Msg {
	if q.rh < runs && q.nextRun().at == q.rc {
		if q.rhpos == runChunkLen {
			done := q.rhc
			q.rhc, q.rhpos = done.next, 0
			done.next = nil // its runs are all taken (and cleared)
			q.spares.put(done)
		}
		if q.cur.c != nil {
			q.held = append(q.held, q.cur.c) // its lists may be in the batch being drained
		}
		q.cur = q.rhc.runs[q.rhpos]
		q.rhc.runs[q.rhpos] = run{} // its count on the chunk is cur's now, released when cur moves on
		q.rhpos++
		q.rh++
	}
	m := q.cur.c.msgs[q.cur.i+int(q.rc-q.cur.at)]
	q.rc++
	return m
}

// nextRun is the first run the consumer has not begun.
func (q *OutQueue) nextRun() *run {
	if q.rhpos == runChunkLen {
		return &q.rhc.next.runs[0]
	}
	return &q.rhc.runs[q.rhpos]
}

// SetLog makes the queue hold runs of log (shared with other queues under the same lock): every
// push appends to it, and TryPushRef queues what another push appended. Call it before use;
// not with CONFLATE.
func (q *OutQueue) SetLog(l *Log) {
	q.log = l
	q.lseq = -2 // no run to continue
	q.rt = new(runChunk)
	q.rhc = q.rt
}

// Logged reports whether the queue holds runs of a Log (SetLog).
func (q *OutQueue) Logged() bool { return q.log != nil }

// TryPushRef queues the message at r of the queue's Log, as TryPush does.
func (q *OutQueue) TryPushRef(r Ref) bool {
	if !q.admit() {
		return false
	}
	q.pushRef(r)
	q.publish(false)
	return true
}
