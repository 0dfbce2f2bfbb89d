package zmq_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/purezmq/zmq/zmtp"
)

// Floods from a hostile peer: whatever it sends, and however little it reads, the memory the
// socket spends on it stays bounded. Memory is measured as the live heap after a collection,
// so these tests do not run in parallel with others.

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// commandsUntil reads frames from c until a command named name carrying data arrives, and
// returns how many commands came before it.
func commandsUntil(t *testing.T, r *bufio.Reader, c net.Conn, name string, data []byte) int {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitLong))
	for n := 0; ; n++ {
		var hdr []byte
		for {
			flags, size, hn, err := zmtp.ParseFrameHeader(hdr, 1<<20)
			if errors.Is(err, zmtp.ErrNeedMore) {
				b, err := r.ReadByte()
				if err != nil {
					t.Fatalf("reading after %d commands: %v", n, err)
				}
				hdr = append(hdr, b)
				continue
			}
			if err != nil || flags&zmtp.FlagCommand == 0 {
				t.Fatalf("bad frame %x after %d commands: %v", hdr, n, err)
			}
			body := make([]byte, size)
			if _, err := io.ReadFull(r, body); err != nil {
				t.Fatalf("reading a %d-byte command (header %d bytes): %v", size, hn, err)
			}
			cmd, err := zmtp.ParseCommand(body)
			if err != nil {
				t.Fatal(err)
			}
			if cmd.Name == name && bytes.Equal(cmd.Data, data) {
				return n
			}
			break
		}
	}
}

// TestBadPeerPingFlood: a peer that sends PINGs as fast as it can and never reads costs the
// socket one pending PONG, not one per PING. When it reads at last, it is answered, the last
// time with its latest PING's context; the socket keeps serving its good peer throughout.
func TestBadPeerPingFlood(t *testing.T) {
	const (
		flood = 8 << 20 // bytes of PINGs: 930,000 of them
		bound = 4 << 20 // heap growth allowed, all causes together
	)
	sp := newServedPull(t)
	c := sp.dial(t) // never read: the socket's writer stalls once the buffers are full
	rawHandshake(t, c)
	ping := zmtp.AppendPing(nil, 0, nil)
	chunk := bytes.Repeat(ping, (64<<10)/len(ping))
	before := liveHeap()
	for range flood / len(chunk) {
		rawWrite(t, c, chunk)
	}
	rawWrite(t, c, zmtp.AppendPing(nil, 0, []byte("last")))
	rawWrite(t, c, zmtp.AppendFrame(nil, 0, []byte("after the flood")))
	// Every PING before it is handled first: megabytes of them may still sit in the kernels'
	// buffers when the last write returns, which takes a loaded machine under -race a while.
	if m := recvWithin(t, sp.pull, 6*waitLong); !framesEqual(m.Frames, [][]byte{[]byte("after the flood")}) {
		t.Fatalf("received %s after the flood", fmtFrames(m.Frames))
	}
	grown := liveHeap() - before
	t.Logf("live heap grew by %d KiB over %d PINGs", grown>>10, flood/len(ping))
	if grown > bound {
		t.Fatalf("live heap grew by %d MiB over a flood of %d MiB of PINGs, want at most %d MiB",
			grown>>20, flood>>20, bound>>20)
	}
	sp.checkServing(t)
	n := commandsUntil(t, bufio.NewReaderSize(c, 64<<10), c, zmtp.CmdPong, []byte("last"))
	t.Logf("%d PONGs before the one for the last PING", n)
}
