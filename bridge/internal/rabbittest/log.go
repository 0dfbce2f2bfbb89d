package rabbittest

import (
	"bytes"
	"sync"
)

// logWriter keeps the tail of the broker's output and closes ready when want shows up.
type logWriter struct {
	mu    sync.Mutex
	buf   []byte
	want  []byte
	ready chan struct{}
	seen  bool
}

const logTail = 32 << 10

func newLogWriter(want string) *logWriter {
	return &logWriter{want: []byte(want), ready: make(chan struct{})}
}

func (w *logWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	if !w.seen && bytes.Contains(w.buf, w.want) {
		w.seen = true
		close(w.ready)
	}
	if len(w.buf) > logTail {
		w.buf = append(w.buf[:0], w.buf[len(w.buf)-logTail/2:]...)
	}
	return len(b), nil
}

func (w *logWriter) tail() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}
