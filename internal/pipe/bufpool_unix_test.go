//go:build unix

package pipe

import (
	"os"
	"syscall"
	"testing"
	"unsafe"
)

// TestRecycleTwiceOrdersTheNextTaker: a message given back twice (a caller's mistake) is
// read and emptied under the pool's lock both times, so a reader in another goroutine that
// takes its frame and list afterwards, ordered after the caller only through the kernel (a byte
// through a pipe here, the next message over a connection in a socket), races with neither
// (the race detector checks it: the old Socket.Recycle emptied the slots outside the lock), and
// the pool holds each once.
func TestRecycleTwiceOrdersTheNextTaker(t *testing.T) {
	var p BufPool
	m := Msg{make([]byte, 64<<10)}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	type took struct {
		list, again Msg
		buf, more   []byte
	}
	done := make(chan took)
	go func() {
		var b [1]byte
		if _, err := r.Read(b[:]); err != nil {
			t.Error(err)
		}
		var got took
		got.list, got.buf = p.GetList(1), p.Get(64<<10)
		if got.list != nil {
			got.list[0] = got.buf // the next message's frame, as a reader fills its list
		}
		got.again, got.more = p.GetList(1), p.Get(64<<10)
		done <- got
	}()
	p.Recycle(m)
	p.Recycle(m)
	// A raw write, as a connection's writer does (writev, engine/write_unix.go): the race
	// detector sees no order through it, where os.File's Write would give one.
	one := []byte{1}
	if _, _, errno := syscall.Syscall(syscall.SYS_WRITE, w.Fd(), uintptr(unsafe.Pointer(&one[0])), 1); errno != 0 {
		t.Fatal(errno)
	}
	got := <-done
	if got.list == nil || got.buf == nil {
		t.Fatalf("kept list %v, buffer %v: want both", got.list != nil, got.buf != nil)
	}
	if got.again != nil || got.more != nil {
		t.Fatal("given back twice, kept twice")
	}
}
