//go:build unix

package pipe

import (
	"os"
	"syscall"
	"testing"
	"unsafe"
)

// TestRecycleTwiceOrdersTheNextTaker: a message given back twice (a caller's mistake) gives its
// big frame to the pool once, and the caller's frame list is never the pool's, so a reader in
// another goroutine that takes the frame afterwards, ordered after the caller only through the
// kernel (a raw write through a pipe here, a connection's writev in a socket), shares nothing
// the caller still writes: the race detector checks it (the old Recycle kept the list, and a
// second Recycle emptied it while the reader filled it for the next message).
func TestRecycleTwiceOrdersTheNextTaker(t *testing.T) {
	var p BufPool
	m := Msg{make([]byte, 64<<10)}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	type took struct{ buf, more []byte }
	done := make(chan took)
	go func() {
		var b [1]byte
		if _, err := r.Read(b[:]); err != nil {
			t.Error(err)
		}
		var got took
		got.buf = p.Get(64 << 10)
		if got.buf != nil {
			got.buf[0] = 1 // the next message's body, as a reader fills it
		}
		got.more = p.Get(64 << 10)
		done <- got
	}()
	p.Recycle(m)
	p.Recycle(m)
	if m[0] != nil {
		t.Fatal("the recycled message still holds its frame")
	}
	// A raw write, as a connection's writer does: the race detector sees no order through it,
	// where os.File's Write would give one.
	one := []byte{1}
	if _, _, errno := syscall.Syscall(syscall.SYS_WRITE, w.Fd(), uintptr(unsafe.Pointer(&one[0])), 1); errno != 0 {
		t.Fatal(errno)
	}
	got := <-done
	if got.buf == nil {
		t.Fatal("the big frame was not kept")
	}
	if got.more != nil {
		t.Fatal("given back twice, kept twice")
	}
}
