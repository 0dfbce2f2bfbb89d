package pgm

import (
	"errors"
	"sync"
	"sync/atomic"
)

// lifecycle is what transport.Engine's contract asks of both engines: Run once, and Close at
// any time from another goroutine — before Run too — ending Run wherever it waits.
type lifecycle struct {
	quit    chan struct{} // closed by Close: Run's loops watch it
	running chan struct{} // closed when Run returns
	started atomic.Bool
	once    sync.Once // Close's work, once
}

func (l *lifecycle) init() {
	l.quit, l.running = make(chan struct{}), make(chan struct{})
}

// run is Run's frame around body: a second Run is an error, and a Run that comes after Close
// returns nil at once.
func (l *lifecycle) run(body func() error) error {
	if !l.started.CompareAndSwap(false, true) {
		return errors.New("pgm: Run called twice")
	}
	defer close(l.running)
	select {
	case <-l.quit:
		return nil
	default:
	}
	return body()
}

// waitRun waits for Run to return, if it started.
func (l *lifecycle) waitRun() {
	if l.started.Load() {
		<-l.running
	}
}
