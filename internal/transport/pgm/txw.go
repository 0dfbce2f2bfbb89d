package pgm

// txw is the transmit window: the last max APDUs sent, by sequence number, kept for repair.
// Sequence numbers run on uint32 and wrap; trail..lead is the window, empty when
// lead == trail-1. The ring's length is a power of two so that indexing survives the wrap.
type txw struct {
	ring  [][]byte
	max   uint32
	trail uint32
	lead  uint32
}

func newTxw(n int) *txw {
	n = max(n, 1)
	size := 1
	for size < n {
		size <<= 1
	}
	return &txw{ring: make([][]byte, size), max: uint32(n), trail: 0, lead: ^uint32(0)}
}

func (w *txw) size() uint32 { return w.lead - w.trail + 1 }

func (w *txw) slot(sqn uint32) *[]byte { return &w.ring[sqn&uint32(len(w.ring)-1)] }

// push adds the next APDU, dropping the oldest when the window is full, and returns its
// sequence number.
func (w *txw) push(apdu []byte) uint32 {
	if w.size() == w.max {
		*w.slot(w.trail) = nil
		w.trail++
	}
	w.lead++
	*w.slot(w.lead) = apdu
	return w.lead
}

// get returns the APDU with sequence number sqn, or nil when it is outside the window.
func (w *txw) get(sqn uint32) []byte {
	if sqn-w.trail >= w.size() {
		return nil
	}
	return *w.slot(sqn)
}
