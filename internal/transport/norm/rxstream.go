package norm

import "time"

// rxStream puts one sender's stream segments back in order and hands them to its deframer.
// Offsets are the sender's 32-bit stream byte offsets, compared modulo 2^32.
type rxStream struct {
	started bool
	next    uint32 // offset of the next byte the deframer wants
	pending map[uint32]rxSeg
	bytes   int       // held in pending
	total   *int      // held by all the receiver's streams (account); nil: this one alone
	gap     time.Time // when a segment first arrived beyond a gap; zero when none
	df      deframer
	Gaps    int // gaps given up on (their data lost)
}

type rxSeg struct {
	data []byte
	mark int
}

// Holding limits: beyond them a gap is given up on, its data counted lost, and the stream
// resumes at the next message start after it.
const (
	maxHeld = 4 << 20
	maxGap  = 1 << 30 // an offset this far ahead is nonsense, not a gap
)

// add takes a source segment; anchor says it is where the stream starts for this receiver
// (the first block's first symbol): segments before that one comes are held. now is when it
// arrived. It returns false when delivery was refused (the receiver is closing).
func (s *rxStream) add(st Stream, anchor bool, now time.Time) bool {
	mark := int(st.MsgStart) - 1
	if !s.started {
		if !anchor {
			return s.hold(st, mark, now)
		}
		s.started, s.next = true, st.Offset
	}
	d := int32(st.Offset - s.next)
	switch {
	case d < 0:
		skip := -int(d)
		if skip >= len(st.Data) {
			return true // had it
		}
		mark -= skip
		st.Data = st.Data[skip:]
		fallthrough
	case d == 0:
		if !s.feed(st.Data, mark) {
			return false
		}
		return s.drain(now)
	case d > maxGap:
		return true
	}
	return s.hold(st, mark, now)
}

// hold keeps a segment that does not follow on yet.
func (s *rxStream) hold(st Stream, mark int, now time.Time) bool {
	if _, ok := s.pending[st.Offset]; !ok {
		if s.pending == nil {
			s.pending = map[uint32]rxSeg{}
		}
		s.pending[st.Offset] = rxSeg{data: append([]byte(nil), st.Data...), mark: mark}
		s.account(len(st.Data))
		if s.gap.IsZero() {
			s.gap = now
		}
	}
	if s.bytes > maxHeld {
		return s.skipGap(now)
	}
	return true
}

// account counts n more bytes held (fewer when negative), in the stream and the receiver.
func (s *rxStream) account(n int) {
	s.bytes += n
	if s.total != nil {
		*s.total += n
	}
}

func (s *rxStream) feed(p []byte, mark int) bool {
	s.next += uint32(len(p))
	return s.df.write(p, mark)
}

// drain feeds the held segments that now follow on.
func (s *rxStream) drain(now time.Time) bool {
	for len(s.pending) > 0 {
		seg, ok := s.pending[s.next]
		if !ok {
			// What is held may overlap next (a segment resent in other sizes): trim it.
			for off, sg := range s.pending {
				if d := int32(off - s.next); d < 0 {
					delete(s.pending, off)
					s.account(-len(sg.data))
					if skip := -int(d); skip < len(sg.data) {
						s.pending[s.next] = rxSeg{data: sg.data[skip:], mark: sg.mark - skip}
						s.account(len(sg.data) - skip)
					}
				}
			}
			if _, ok := s.pending[s.next]; !ok {
				break
			}
			continue
		}
		delete(s.pending, s.next)
		s.account(-len(seg.data))
		if !s.feed(seg.data, seg.mark) {
			return false
		}
	}
	s.gap = time.Time{}
	if len(s.pending) > 0 {
		s.gap = now
	}
	return true
}

// expire gives up on a gap older than wait.
func (s *rxStream) expire(now time.Time, wait time.Duration) bool {
	if s.gap.IsZero() || now.Sub(s.gap) < wait {
		return true
	}
	return s.skipGap(now)
}

// skipGap gives up on the data before the first held segment: the message it cut is lost,
// and the deframer seeks the next start.
func (s *rxStream) skipGap(now time.Time) bool {
	if len(s.pending) == 0 {
		s.gap = time.Time{}
		return true
	}
	if !s.started {
		// Never anchored: start at the held segment that comes first.
		for off := range s.pending {
			if !s.started || int32(off-s.next) < 0 {
				s.started, s.next = true, off
			}
		}
	}
	first, best := s.next, int32(-1)
	for off := range s.pending {
		if d := int32(off - s.next); best < 0 || d < best {
			first, best = off, d
		}
	}
	s.Gaps++
	s.df.reset()
	s.next = first
	return s.drain(now)
}
