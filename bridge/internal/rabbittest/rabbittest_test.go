package rabbittest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const ioTimeout = 10 * time.Second

// exchange sends hello to addr and returns the first n bytes of the answer.
func exchange(t *testing.T, addr string, hello []byte, n int) []byte {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(ioTimeout))
	if _, err := c.Write(hello); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(bufio.NewReader(c), b); err != nil {
		t.Fatalf("%s: %v", addr, err)
	}
	return b
}

// answers checks each protocol the bridge speaks: AMQP 0.9.1 (connection.start), AMQP 1.0
// (its SASL header echoed) and STOMP 1.2 (CONNECTED).
func answers(t *testing.T, b *Broker) {
	t.Helper()
	amqp := b.AMQPURL()[len("amqp://guest:guest@") : len(b.AMQPURL())-1]
	if got := exchange(t, amqp, []byte("AMQP\x00\x00\x09\x01"), 1); got[0] != 1 {
		t.Errorf("AMQP 0.9.1: frame type %d, want 1 (method: connection.start)", got[0])
	}
	if got := exchange(t, amqp, []byte("AMQP\x03\x01\x00\x00"), 8); !bytes.Equal(got, []byte("AMQP\x03\x01\x00\x00")) {
		t.Errorf("AMQP 1.0: %q, want its SASL header back", got)
	}
	stomp := []byte("CONNECT\naccept-version:1.2\nhost:/\nlogin:guest\npasscode:guest\n\n\x00")
	if got := exchange(t, b.STOMPAddr(), stomp, 9); string(got) != "CONNECTED" {
		t.Errorf("STOMP: %q, want CONNECTED", got)
	}
}

// refused checks that nothing listens on addr any more.
func refused(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err == nil {
		c.Close()
		t.Errorf("%s still accepts connections", addr)
	}
}

// TestBroker: a private broker answers the three protocols, comes back after Restart, and
// leaves nothing listening (epmd included) once stopped.
func TestBroker(t *testing.T) {
	b, err := Run(t.TempDir())
	if errors.Is(err, ErrNotInstalled) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	answers(t, b)
	if err := b.Restart(); err != nil {
		t.Fatal(err)
	}
	answers(t, b)
	b.Stop()
	refused(t, b.STOMPAddr())
	refused(t, net.JoinHostPort("127.0.0.1", strconv.Itoa(b.AMQPPort)))
	refused(t, net.JoinHostPort("127.0.0.1", strconv.Itoa(b.epmdPort)))
	b.Stop() // twice is harmless
}

// TestRunTriesFreshPorts: a broker whose AMQP port is taken before it listens (the race the
// picks below the ephemeral range make rare) exits, and Run starts it again on fresh ports.
func TestRunTriesFreshPorts(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	pick := pickPorts
	defer func() { pickPorts = pick }()
	picks := 0
	pickPorts = func(n int) ([]int, error) {
		picks++
		ports, err := pick(n)
		if err == nil && picks == 1 {
			ports[0] = taken.Addr().(*net.TCPAddr).Port
		}
		return ports, err
	}
	b, err := Run(t.TempDir())
	if errors.Is(err, ErrNotInstalled) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	if picks != 2 {
		t.Errorf("%d picks of ports, want 2", picks)
	}
	answers(t, b)
}
