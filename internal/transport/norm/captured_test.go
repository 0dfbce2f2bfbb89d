package norm

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/netnstest"
)

// capturedFile holds NORM packets libzmq 4.3.4 (with NRL NORM 1.5.9) sent and received in a
// namespace pair, one hex packet a line after a kind label; TestCaptureLibzmq -norm.capture
// writes it.
const capturedFile = "testdata/libzmq_packets.txt"

var capture = flag.Bool("norm.capture", false, "rewrite "+capturedFile+" from a libzmq norm PUB and SUB in network namespaces")

func readCaptured(t testing.TB) [][]byte {
	t.Helper()
	f, err := os.Open(capturedFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var pkts [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		_, h, ok := strings.Cut(line, " ")
		b, err := hex.DecodeString(h)
		if !ok || err != nil {
			t.Fatalf("%s: bad line %.40q", capturedFile, line)
		}
		pkts = append(pkts, b)
	}
	return pkts
}

// TestParseCaptured: every packet libzmq's NORM sent parses, and encodes back to its bytes.
func TestParseCaptured(t *testing.T) {
	pkts := readCaptured(t)
	kinds := map[string]int{}
	for _, b := range pkts {
		m, err := Parse(b)
		if err != nil {
			t.Errorf("%x: %v", b[:min(len(b), 32)], err)
			continue
		}
		kinds[kindOf(m)]++
		if got := m.Append(nil); !bytes.Equal(got, b) {
			t.Errorf("%s does not encode back:\n got %x\nwant %x", kindOf(m), got, b)
		}
		if d, ok := m.(*Data); ok {
			f, ok, err := ParseFTI(d.FecID, d.Exts)
			if err != nil || !ok || f.NData != 16 || f.NParity != 4 || f.Segment != 1400 {
				t.Errorf("DATA FTI %+v %v %v, want libzmq's 16 data, 4 parity, 1400-byte segments", f, ok, err)
			}
			if d.ID.Symbol < f.NData {
				if _, err := ParseStream(d.Payload); err != nil {
					t.Errorf("DATA source segment: %v", err)
				}
			}
		}
	}
	for _, k := range []string{"DATA", "DATA repair", "CMD(FLUSH)", "CMD(CC)", "ACK(CC)", "NACK"} {
		if kinds[k] == 0 {
			t.Errorf("no %s in %s (have %v)", k, capturedFile, kinds)
		}
	}
}

func kindOf(m Message) string {
	switch v := m.(type) {
	case *Data:
		if v.ID.Symbol >= 16 {
			return "DATA repair"
		}
		return "DATA"
	case *Cmd:
		return fmt.Sprintf("CMD(%s)", map[Flavor]string{CmdFlush: "FLUSH", CmdEOT: "EOT", CmdSquelch: "SQUELCH",
			CmdCC: "CC", CmdRepairAdv: "REPAIR_ADV", CmdAckReq: "ACK_REQ", CmdApp: "APPLICATION"}[v.Flavor])
	case *Ack:
		return fmt.Sprintf("ACK(%s)", map[uint8]string{AckCC: "CC", AckFlush: "FLUSH"}[v.AckType])
	case *Nack:
		return "NACK"
	case *Info:
		return "INFO"
	}
	return "?"
}

// TestCaptureLibzmq rewrites the capture: a libzmq norm PUB in one namespace, a libzmq SUB
// in the other losing 10% of what arrives (so it NACKs and the PUB repairs), and a socket
// beside the PUB on the group keeping a few packets of each kind.
func TestCaptureLibzmq(t *testing.T) {
	if !*capture {
		t.Skip("run with -norm.capture to rewrite " + capturedFile)
	}
	p := netnstest.NewPair(t)
	const port = 6100
	group := netip.MustParseAddrPort("239.192.71.1:6100")
	p.B.Loss(t, port, 10, false)
	var conn *net.UDPConn
	InNS(t, p.A, func() (err error) {
		conn, err = openSession(sockOpts{Group: group, Iface: p.A.Addr, TTL: 1})
		return err
	})
	defer conn.Close()
	sub := StartPy(t, p.B, PySub, fmt.Sprintf("norm://%s;%s", p.B.Addr, group), 300, 5000)
	pub := StartPy(t, p.A, PyPub, fmt.Sprintf("norm://%s;%s", p.A.Addr, group), 300, 2000, 0.01, 3.0)
	kept := map[string]int{}
	var out strings.Builder
	fmt.Fprintf(&out, "# NORM packets from libzmq 4.3.4 / NRL NORM 1.5.9 (python3-zmq), captured by TestCaptureLibzmq\n")
	fmt.Fprintf(&out, "# PUB %s -> SUB %s (10%% inbound loss at the SUB), %s; kind, then the datagram in hex\n", p.A.Addr, p.B.Addr, group)
	buf := make([]byte, 65536)
	for {
		conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			break
		}
		m, err := Parse(buf[:n])
		k := "bad"
		if err == nil {
			k = kindOf(m)
		}
		if kept[k] < 6 {
			kept[k]++
			fmt.Fprintf(&out, "%s %x\n", strings.ReplaceAll(k, " ", "_"), buf[:n])
		}
	}
	pub.Wait(t)
	t.Logf("sub: %s", lastLine(sub.Wait(t)))
	t.Logf("kept %v", kept)
	if err := os.WriteFile(capturedFile, []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}

// FuzzParse: no datagram makes Parse panic, and what it accepts encodes to bytes it parses
// back to the same message.
func FuzzParse(f *testing.F) {
	for _, b := range readCaptured(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			if m != nil {
				t.Fatal("a message with an error")
			}
			return
		}
		enc := m.Append(nil)
		m2, err := Parse(enc)
		if err != nil {
			t.Fatalf("re-parse: %v\n%x", err, enc)
		}
		if !reflect.DeepEqual(canonical(m), canonical(m2)) {
			t.Fatalf("round trip:\n%+v\n%+v", m, m2)
		}
		if d, ok := m.(*Data); ok {
			if s, err := ParseStream(d.Payload); err == nil {
				s2, err := ParseStream(s.Append(nil))
				if err != nil || s2.MsgStart != s.MsgStart || s2.Offset != s.Offset || !bytes.Equal(s2.Data, s.Data) {
					t.Fatalf("stream round trip: %+v %+v %v", s, s2, err)
				}
			}
		}
	})
}

// canonical drops what encoding normalises: empty slices versus nil.
func canonical(m Message) string { return fmt.Sprintf("%+v", m) }
