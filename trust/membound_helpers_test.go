package trust_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
)

// The memory bounds of the package documentation (doc.go, "Memory"), as the membound tests
// check them. connQuiet is C there, what one quiet tcp connection costs its socket: an 8 KiB
// read buffer, a 4 KiB write buffer, a 4 KiB frame slab, the connection's and its pipe's
// bookkeeping (heap), and two goroutines, whose stacks are resident but not heap.
const (
	connQuietHeap = 21 << 10
	connQuietRSS  = 25 << 10
)

// Tolerances: what is measured may exceed the formula by a quarter (allocator size classes,
// a slice's spare capacity), plus a fixed slack for the runtime's own noise between two GCs
// and for what the test itself holds (its sockets' fixed state, a few buffers). A breach of
// the formula by one more queue of messages, or one more MAXMSGSIZE, exceeds both.
const (
	tolFactor = 1.25
	tolSlack  = 2 << 20
)

func within(measured, formula int64) bool {
	return float64(measured) <= float64(formula)*tolFactor+tolSlack
}

func mib(n int64) string { return fmt.Sprintf("%.2f MiB", inMiB(n)) }

// greetReady is what a raw NULL peer of socket type typ sends to open a connection: the
// greeting and READY, written blind (the socket sends its own greeting and READY regardless).
func greetReady(typ string) []byte {
	b := zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}.Append(nil)
	return zmtp.AppendReady(b, zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte(typ)}})
}

// rawDial opens a raw NULL connection to addr as a peer of socket type typ.
func rawDial(t testing.TB, addr, typ string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Write(greetReady(typ)); err != nil {
		t.Fatal(err)
	}
	return c
}

// fillUntilBlocked sends messages of size bytes on s, each in memory of its own as an
// application's would be, until a Send waits stall: the socket's queue is at its HWM and stays
// there, the pipeline behind it full. It returns how many were accepted.
func fillUntilBlocked(t testing.TB, s *zmq.Socket, size int, stall time.Duration) int {
	t.Helper()
	for n := 0; ; n++ {
		ctx, cancel := context.WithTimeout(context.Background(), stall)
		err := s.Send(ctx, zmq.NewMsg(body(size)))
		cancel()
		if err != nil {
			return n
		}
	}
}

// body is a message body of n bytes, written to, so that its memory is resident as an
// application's would be (untouched zeroed pages are not).
func body(n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 512 {
		b[i] = byte(i >> 9)
	}
	return b
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
