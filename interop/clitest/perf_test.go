package clitest

import (
	"github.com/purezmq/zmq/interop/internal/proctest"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The pyzmq peers stand for libzmq 4.3.4's perf tools, which Debian does not package: the same
// arguments (ENDPOINT MESSAGE-SIZE COUNT, and ENABLE-CURVE with the tools' fixed keys for the
// throughput pair), sockets, checks, clock and printf lines as perf/*.cpp.
const pyPerfCommon = `
import sys, time, zmq
ep, size, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
curve = len(sys.argv) > 4 and int(sys.argv[4])
ctx = zmq.Context()
def now_us():
    return time.monotonic_ns() // 1000
def check(m):
    if len(m) != size:
        sys.exit("message of incorrect size received")
`

const pyLocalThr = pyPerfCommon + `
s = ctx.socket(zmq.PULL)
if curve:
    s.curve_secretkey = b"{X}#>t#jRGaQ}gMhv=30r(Mw+87YGs+5%kh=i@f8"
    s.curve_server = True
s.bind(ep)
check(s.recv(copy=False))
start = now_us()
for i in range(count - 1):
    check(s.recv(copy=False))
elapsed = max(now_us() - start, 1)
thr = count / elapsed * 1000000
print("message size: %d [B]" % size)
print("message count: %d" % count)
print("mean throughput: %d [msg/s]" % int(thr))
print("mean throughput: %.3f [Mb/s]" % (thr * size * 8 / 1000000))
s.close()
ctx.term()
`

// pyRemoteThr sends bytes other than zmq perf's pattern, as remote_thr's are arbitrary.
const pyRemoteThr = pyPerfCommon + `
s = ctx.socket(zmq.PUSH)
if curve:
    s.curve_secretkey = b"9R9bV}[6z6DC-%$!jTVTKvWc=LEL{4i4gzUe$@Zx"
    s.curve_publickey = b"<n^oA}I:66W+*ds3tAmi1+KJzv-}k&fC2aA5Bj0K"
    s.curve_serverkey = b"DX4nh=yUn{-9ugra0X3Src4SU-4xTgqxcYY.+<SH"
s.connect(ep)
msg = b"\xa5" * size
for i in range(count):
    s.send(msg)
s.close()
ctx.term()
`

const pyLocalLat = pyPerfCommon + `
s = ctx.socket(zmq.REP)
s.bind(ep)
for i in range(count):
    m = s.recv()
    check(m)
    s.send(m)
s.close()
ctx.term()
`

const pyRemoteLat = pyPerfCommon + `
s = ctx.socket(zmq.REQ)
s.connect(ep)
msg = bytes(size)
start = now_us()
for i in range(count):
    s.send(msg)
    check(s.recv())
elapsed = now_us() - start
print("message size: %d [B]" % size)
print("roundtrip count: %d" % count)
print("average latency: %.3f [us]" % (elapsed / (count * 2)))
s.close()
ctx.term()
`

// The lines libzmq's local_thr and remote_lat print, as their printf formats make them.
var (
	thrFormats = []*regexp.Regexp{
		regexp.MustCompile(`^message size: (\d+) \[B\]$`),
		regexp.MustCompile(`^message count: (\d+)$`),
		regexp.MustCompile(`^mean throughput: (\d+) \[msg/s\]$`),
		regexp.MustCompile(`^mean throughput: (\d+\.\d{3}) \[Mb/s\]$`),
	}
	latFormats = []*regexp.Regexp{
		regexp.MustCompile(`^message size: (\d+) \[B\]$`),
		regexp.MustCompile(`^roundtrip count: (\d+)$`),
		regexp.MustCompile(`^average latency: (\d+\.\d{3}) \[us\]$`),
	}
)

// readPerf reads p's result lines, checks each against its format and returns their figures.
func readPerf(t *testing.T, p *proctest.Proc, formats []*regexp.Regexp) []float64 {
	t.Helper()
	var figures []float64
	for _, f := range formats {
		l := p.Line()
		m := f.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("%s printed %q, want a line matching %s", p, l, f)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		figures = append(figures, v)
	}
	return figures
}

// perfEndpoint is where a local end binds and a remote end connects.
func perfEndpoint(t *testing.T, transport string) string {
	t.Helper()
	if transport == "ipc" {
		return ipcEndpoint(t, "perf")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "tcp://" + l.Addr().String()
}

// TestPerfAgainstLibzmq runs each zmq perf end against a libzmq peer and checks the result
// lines the measuring end prints, ours or libzmq's: their format, size and count.
func TestPerfAgainstLibzmq(t *testing.T) {
	proctest.NeedPython(t)
	for _, tc := range []struct {
		name, transport string
		ours, theirs    string // our subcommand; the pyzmq peer's script
		local           bool   // ours is the local (binding) end
		size, count     int
		curve           bool
	}{
		{"zmq local-thr, libzmq remote_thr", "ipc", "local-thr", pyRemoteThr, true, 100, 20000, false},
		{"zmq local-thr, libzmq remote_thr, tcp", "tcp", "local-thr", pyRemoteThr, true, 1000, 5000, false},
		{"zmq local-thr, libzmq remote_thr, CURVE", "tcp", "local-thr", pyRemoteThr, true, 64, 5000, true},
		// Not over ipc: there libzmq 4.3.4's receiving end loses what the kernel still holds
		// when the sender hangs up while the receiver is behind at RCVHWM (it takes the
		// hang-up for an error), from libzmq's remote_thr as from ours, and local_thr waits on.
		{"libzmq local_thr, zmq remote-thr", "tcp", "remote-thr", pyLocalThr, false, 100, 20000, false},
		{"libzmq local_thr, zmq remote-thr, empty", "tcp", "remote-thr", pyLocalThr, false, 0, 5000, false},
		{"libzmq local_thr, zmq remote-thr, CURVE", "tcp", "remote-thr", pyLocalThr, false, 64, 5000, true},
		{"zmq local-lat, libzmq remote_lat", "ipc", "local-lat", pyRemoteLat, true, 10, 2000, false},
		{"zmq local-lat, libzmq remote_lat, tcp", "tcp", "local-lat", pyRemoteLat, true, 70000, 200, false},
		{"libzmq local_lat, zmq remote-lat", "ipc", "remote-lat", pyLocalLat, false, 10, 2000, false},
		{"libzmq local_lat, zmq remote-lat, tcp", "tcp", "remote-lat", pyLocalLat, false, 70000, 200, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{perfEndpoint(t, tc.transport), strconv.Itoa(tc.size), strconv.Itoa(tc.count)}
			if tc.curve {
				args = append(args, "1")
			}
			// The local end starts first only for tidiness: the remote one would retry.
			var ours, theirs *proctest.Proc
			if tc.local {
				ours = startZmq(t, append([]string{"perf", tc.ours}, args...)...)
				theirs = proctest.StartPython(t, tc.theirs, args...)
			} else {
				theirs = proctest.StartPython(t, tc.theirs, args...)
				ours = startZmq(t, append([]string{"perf", tc.ours}, args...)...)
			}
			printer, formats := ours, thrFormats // the end that measures and prints
			if strings.HasSuffix(tc.ours, "lat") {
				formats = latFormats
			}
			if tc.ours == "remote-thr" || tc.ours == "local-lat" {
				printer = theirs
			}
			f := readPerf(t, printer, formats)
			if int(f[0]) != tc.size || int(f[1]) != tc.count || f[2] <= 0 {
				t.Errorf("%s printed size %v, count %v, figure %v; want %d, %d, positive", printer, f[0], f[1], f[2], tc.size, tc.count)
			}
			ours.MustExit()
			theirs.MustExit()
			for _, p := range []*proctest.Proc{ours, theirs} {
				if rest := p.Rest(); len(rest) > 0 {
					t.Errorf("%s printed more: %q", p, rest)
				}
			}
			if s := ours.Stderr(); s != "" {
				t.Errorf("zmq perf %s wrote on stderr: %q", tc.ours, s)
			}
		})
	}
}

// TestPerfUsage: bad arguments are exit status 2 with one line on stderr, before any socket.
func TestPerfUsage(t *testing.T) {
	ep := ipcEndpoint(t, "never")
	for _, args := range [][]string{
		{"perf", "local-thr", ep, "100"},
		{"perf", "local-thr", ep, "abc", "10"},
		{"perf", "remote-thr", ep, "100", "0"},
		{"perf", "remote-thr", ep, "100", "-3"},
		{"perf", "local-lat", ep, "1000000000", "10"},
		{"perf", "remote-lat", "tcp://nowhere", "1", "10"},
		{"perf", "local-lat", ep, "1", "10", "1"},
		{"perf", "nosuch"},
	} {
		r := runZmq(t, nil, args...)
		if lines := trimLines(r.stderr); r.code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "zmq: ") || len(r.stdout) != 0 {
			t.Errorf("zmq %q: exit %d, stdout %q, stderr %q; want 2 and one line on stderr", args, r.code, r.stdout, r.stderr)
		}
	}
	for _, args := range [][]string{{"perf", "--help"}, {"perf", "local-thr", "--help"}, {"perf"}} {
		if r := runZmq(t, nil, args...); r.code != 0 || !strings.Contains(string(r.stdout), "remote-thr") {
			t.Errorf("zmq %q: exit %d, help %q", args, r.code, r.stdout)
		}
	}
}
