package pgm

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/netnstest"
)

var capture = flag.Bool("pgm.capture", false, "write the packets TestLibzmqWire captures to testdata/fuzz/FuzzParse as seeds")

// pyWirePub is a libzmq PUB that pings until told to go, sends n two-frame messages, and
// closes (OPT_FIN) when told again.
const pyWirePub = `
import sys, zmq, threading
c = zmq.Context(); p = c.socket(zmq.PUB); p.setsockopt(zmq.RATE, 10000); p.setsockopt(zmq.SNDHWM, 0)
p.connect(sys.argv[1])
go, done = threading.Event(), threading.Event()
def wait():
    sys.stdin.readline(); go.set(); sys.stdin.readline(); done.set()
threading.Thread(target=wait, daemon=True).start()
while not go.wait(0.02):
    p.send(b"ping")
for i in range(int(sys.argv[2])):
    p.send_multipart([b"%d" % i, b"x" * (i * 53 % 3000)])
done.wait()
p.close(linger=10000); c.term()
`

// What libzmq's PUB sends, caught by a plain socket of ours in the other namespace, parses
// with the codec, encodes back to the same bytes, and its payload decodes to the messages
// sent, whole and in order, ended by SPMs with OPT_FIN.
func TestLibzmqWire(t *testing.T) {
	p := netnstest.NewPair(t)
	if err := exec.Command("/usr/bin/python3", "-c", "import zmq; assert zmq.has('pgm')").Run(); err != nil {
		t.Skipf("needs /usr/bin/python3 with python3-zmq built with OpenPGM: %v", err)
	}
	group := netip.MustParseAddr("239.192.1.1")
	var c *mcastConn
	if err := p.B.Do(func() (err error) {
		c, err = openConn(false, Endpoint{Addr: p.B.Addr, Group: group, Port: 5555}, Config{Hops: 1, RcvBuf: 16 << 20}) // a burst of OpenPGM's fits
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer c.close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const n = 300
	cmd := p.A.Command(ctx, "/usr/bin/python3", "-c", pyWirePub, "epgm://"+p.A.Addr.String()+";239.192.1.1:5555", strconv.Itoa(n))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	c.setReadDeadline(time.Now().Add(30 * time.Second))

	var u unpacker
	u.maxMsgSize = -1
	var got [][][]byte
	seeds := map[string][]byte{}
	buf := make([]byte, 65536)
	told, fin := false, false
	var next uint32
	var tsi TSI
	for !fin {
		b, _, err := c.read(buf)
		if err != nil {
			t.Fatalf("after %d messages: %v; python: %s", len(got), err, stderr.String())
		}
		var pk Packet
		if err := Parse(b, &pk); err != nil {
			t.Fatalf("libzmq sent a packet the codec refuses: %v\n%x", err, b)
		}
		out, err := pk.Append(nil)
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("%v re-encodes to\n%x, not\n%x (%v)", pk.Type, out, b, err)
		}
		key := pk.Type.String()
		if pk.Options.any() {
			key += "-opts"
		}
		if _, ok := seeds[key]; !ok {
			seeds[key] = append([]byte(nil), b...)
		}
		switch pk.Type {
		case TypeSPM:
			fin = pk.Options.Fin
			if fin && (pk.Lead != next-1 || pk.TSI() != tsi) {
				t.Fatalf("OPT_FIN SPM lead %d, last ODATA %d", pk.Lead, next-1)
			}
		case TypeODATA:
			if !told {
				// Pings: join at the first one, then let the numbered messages come.
				fmt.Fprintln(stdin)
				told, tsi, next = true, pk.TSI(), pk.Sqn
			}
			if pk.Sqn != next || pk.TSI() != tsi {
				t.Fatalf("ODATA %v #%d, want %v #%d (no loss on a quiet veth)", pk.TSI(), pk.Sqn, tsi, next)
			}
			next++
			if err := u.feed(pk.Data, func(m [][]byte) {
				if string(m[0]) != "ping" {
					got = append(got, m)
				}
			}); err != nil {
				t.Fatal(err)
			}
			if len(got) == n {
				fmt.Fprintln(stdin) // close now: OPT_FIN
			}
		}
	}
	if len(got) != n {
		t.Fatalf("%d of %d messages before OPT_FIN", len(got), n)
	}
	for i, m := range got {
		if len(m) != 2 || string(m[0]) != strconv.Itoa(i) || !bytes.Equal(m[1], bytes.Repeat([]byte("x"), i*53%3000)) {
			t.Fatalf("message %d: %q", i, m[0])
		}
	}
	t.Logf("libzmq's ODATA decoded to %d messages; packet types seen %v", n, keys(seeds))
	if *capture {
		dir := filepath.Join("testdata", "fuzz", "FuzzParse")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for k, b := range seeds {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
			if err := os.WriteFile(filepath.Join(dir, "libzmq-"+k), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func keys(m map[string][]byte) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	return k
}
