package wirefuzz_test

import "testing"

func FuzzBoundNull(f *testing.F)       { fuzzWire(f, bound, mechNull) }
func FuzzBoundPlain(f *testing.F)      { fuzzWire(f, bound, mechPlain) }
func FuzzBoundCurve(f *testing.F)      { fuzzWire(f, bound, mechCurve) }
func FuzzConnectingNull(f *testing.F)  { fuzzWire(f, connecting, mechNull) }
func FuzzConnectingPlain(f *testing.F) { fuzzWire(f, connecting, mechPlain) }
func FuzzConnectingCurve(f *testing.F) { fuzzWire(f, connecting, mechCurve) }

func fuzzWire(f *testing.F, sd side, m mech) {
	f.Fuzz(func(t *testing.T, data []byte) { runInput(t, sd, m, data) })
}

// runInput plays one input: a fresh socket set up as its first bytes say, one hostile
// connection playing the rest, the good peer served throughout, then the deliveries checked.
func runInput(t testing.TB, sd side, m mech, data []byte) {
	s := &src{b: data}
	st := decodeSetup(sd, m, s)
	fx := newFixture(t, st)
	h := fx.runHostile(s)
	got := fx.col.stop(fx)
	w := reference(h, st.maxMsg)
	t.Logf("%s: handshake accepted %v refused %v, %d ops, %d bytes written, %d delivered; reference %d messages, broken %v, open %v", st, h.accepted(), h.refused, h.ops, len(h.written), len(got), len(w.msgs), w.broken, w.open)
	checkDeliveries(t, fx, h, got)
}
