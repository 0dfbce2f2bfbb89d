package pipe

// Signal performs a non-blocking send on a 1-slot wake-up channel: a pending wake-up is never
// lost and a second one is never queued.
func Signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// NewWake returns a 1-slot wake-up channel for Signal.
func NewWake() chan struct{} { return make(chan struct{}, 1) }
