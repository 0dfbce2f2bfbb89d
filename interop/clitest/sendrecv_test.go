package clitest

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"github.com/purezmq/zmq/interop/internal/proctest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// mustRun runs the zmq binary and fails the test unless it exits with 0.
func mustRun(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	r := runZmq(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("zmq %q: exit %d; stderr:\n%s", args, r.code, r.stderr)
	}
	return r.stdout
}

func allBytes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func hexFrames(frames ...string) string {
	var h []string
	for _, f := range frames {
		h = append(h, hex.EncodeToString([]byte(f)))
	}
	return strings.Join(h, ",")
}

func TestSendToPyzmqPull(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stdin []byte
		args  []string
		want  []string // each message as the peer prints it
	}{
		{"arguments", nil, []string{"one", "two", "three"}, []string{hexFrames("one"), hexFrames("two"), hexFrames("three")}},
		{"stdin lines", []byte("l1\n\nl3\r\n"), nil, []string{hexFrames("l1"), hexFrames(""), hexFrames("l3\r")}},
		{"multipart", nil, []string{"--sep", "|", "a|b|", "c"}, []string{hexFrames("a", "b", ""), hexFrames("c")}},
		{"binary raw", allBytes(), []string{"--raw"}, []string{hex.EncodeToString(allBytes())}},
		{"-0 with -n", []byte("x\ny\x00z\x00w\x00"), []string{"-0", "-n", "2"}, []string{hexFrames("x\ny"), hexFrames("z")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep := ipcEndpoint(t, "pull")
			py := proctest.StartPython(t, pyPull, ep, "5")
			py.Expect("ready")
			mustRun(t, tc.stdin, append([]string{"send", "--connect", ep, "--timeout", "20s"}, tc.args...)...)
			for i, want := range tc.want {
				if got := py.Line(); got != want {
					t.Errorf("message %d: pyzmq got %s, want %s", i+1, got, want)
				}
			}
		})
	}
}

func TestRecvFromPyzmqPub(t *testing.T) {
	proctest.NeedPython(t)
	ep := ipcEndpoint(t, "pub")
	py := proctest.StartPython(t, pyPub, ep)
	py.Expect("ready")
	out := mustRun(t, nil, "recv", "-t", "SUB", "--connect", ep, "--subscribe", "b", "-n", "3", "--format", "json", "--timeout", "20s")
	lines := trimLines(out)
	if len(lines) != 3 {
		t.Fatalf("recv printed %q, want 3 lines", out)
	}
	for _, l := range lines {
		var m struct{ Frames []json.RawMessage }
		if err := json.Unmarshal([]byte(l), &m); err != nil || len(m.Frames) != 2 {
			t.Fatalf("line %q: %v", l, err)
		}
		if !strings.HasPrefix(string(m.Frames[0]), `"b`) {
			t.Errorf("line %q: not the subscribed topic", l)
		}
		if string(m.Frames[1]) != `{"base64":"AP8="}` {
			t.Errorf("line %q: binary frame not as base64 of 00ff", l)
		}
	}
}

func TestReqToPyzmqRep(t *testing.T) {
	ep := ipcEndpoint(t, "rep")
	py := proctest.StartPython(t, pyRep, ep, "2")
	py.Expect("ready")
	out := mustRun(t, nil, "send", "-t", "REQ", "--connect", ep, "--timeout", "20s", "one", "two")
	if string(out) != "re:one\nre:two\n" {
		t.Errorf("zmq send -t REQ printed %q", out)
	}
	py.MustExit()
}

func TestPyzmqReqToRep(t *testing.T) {
	for _, tc := range []struct {
		flag, reply string
	}{
		{"--reply=ok", "ok"},
		{"--echo", ""},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			proctest.NeedPython(t)
			ep := ipcEndpoint(t, "rep")
			rep := startZmq(t, "recv", "-t", "REP", "--bind", ep, "-n", "2", tc.flag, "--timeout", "20s")
			py := proctest.StartPython(t, pyReq, ep, "q1", "q2")
			py.Expect("ready")
			for _, q := range []string{"q1", "q2"} {
				want := tc.reply
				if want == "" {
					want = q
				}
				if got := py.Line(); got != hexFrames(want) {
					t.Errorf("pyzmq REQ got %s, want %s", got, hexFrames(want))
				}
				if got := rep.Line(); got != q {
					t.Errorf("zmq recv printed %q, want %q", got, q)
				}
			}
			rep.MustExit()
		})
	}
}

func TestRouterRecvFromPyzmqDealer(t *testing.T) {
	proctest.NeedPython(t)
	ep := ipcEndpoint(t, "router")
	router := startZmq(t, "recv", "-t", "ROUTER", "--bind", ep, "-n", "1", "--echo", "--format", "json", "--timeout", "20s")
	py := proctest.StartPython(t, pyDealer, ep)
	py.Expect("ready")
	if got, want := router.Line(), `{"id":"707931","frames":["hello",{"base64":"AP8="}]}`; got != want {
		t.Errorf("zmq recv printed %s, want %s (the id is py1)", got, want)
	}
	if got := py.Line(); got != "68656c6c6f,00ff" {
		t.Errorf("pyzmq DEALER got back %s", got)
	}
	router.MustExit()
}

func TestRecvBinaryByteExact(t *testing.T) {
	want := append(allBytes(), 0xff)
	for _, format := range []string{"hex", "json", "raw"} {
		t.Run(format, func(t *testing.T) {
			ep := ipcEndpoint(t, "bin")
			py := proctest.StartPython(t, pyPushBinary, ep)
			py.Expect("ready")
			out := mustRun(t, nil, "recv", "--bind", ep, "-n", "1", "--format", format, "--timeout", "20s")
			var got []byte
			switch format {
			case "raw": // frames back to back, nothing after
				got = out
			case "hex":
				for _, f := range strings.Split(strings.TrimSuffix(string(out), "\n"), "|") {
					b, err := hex.DecodeString(f)
					if err != nil {
						t.Fatalf("%q: %v", out, err)
					}
					got = append(got, b...)
				}
			case "json":
				var m struct {
					Frames []struct{ Base64 string }
				}
				if err := json.Unmarshal(out, &m); err != nil {
					t.Fatalf("%q: %v", out, err)
				}
				for _, f := range m.Frames {
					b, err := base64.StdEncoding.DecodeString(f.Base64)
					if err != nil {
						t.Fatalf("%q: %v", out, err)
					}
					got = append(got, b...)
				}
			}
			if !bytes.Equal(got, want) {
				t.Errorf("recv --format %s gave %x, want %x", format, got, want)
			}
		})
	}
}

func TestCurveToPyzmqServer(t *testing.T) {
	t.Run("send, server key as Z85", func(t *testing.T) {
		ep := ipcEndpoint(t, "curve")
		py := proctest.StartPython(t, pyCurveServer, ep, "PULL", "1")
		key := py.Line()
		py.Expect("ready")
		mustRun(t, nil, "send", "--connect", ep, "--curve-serverkey", key, "--timeout", "20s", "hush")
		if got := py.Line(); got != hexFrames("hush") {
			t.Errorf("pyzmq got %s", got)
		}
	})
	t.Run("recv, server key as keygen certificate", func(t *testing.T) {
		cert := filepath.Join(t.TempDir(), "server.cert")
		mustRun(t, nil, "keygen", "-o", cert)
		ep := ipcEndpoint(t, "curve")
		py := proctest.StartPython(t, pyCurveServer, ep, "PUSH", "1", cert+"_secret")
		py.Expect("ready")
		out := mustRun(t, nil, "recv", "--connect", ep, "--curve-serverkey", cert, "-n", "1", "--timeout", "20s")
		if string(out) != "curve ok\n" {
			t.Errorf("zmq recv printed %q", out)
		}
	})
}

func TestRecvStopsOnSignal(t *testing.T) {
	ep := ipcEndpoint(t, "sig")
	recv := startZmq(t, "recv", "--bind", ep)
	mustRun(t, nil, "send", "--connect", ep, "--timeout", "20s", "first")
	if got := recv.Line(); got != "first" {
		t.Fatalf("recv printed %q", got)
	}
	recv.Signal(syscall.SIGINT)
	recv.MustExit()
}

func TestSendRecvExitCodes(t *testing.T) {
	ep := ipcEndpoint(t, "x")
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"send", "--help"}, 0},
		{[]string{"recv", "--help"}, 0},
		{[]string{"send", "-t", "NOPE", "-c", ep, "x"}, 2},
		{[]string{"send", "-c", ep, "-o", "NOSUCH=1", "x"}, 2},
		{[]string{"send", "-c", ep, "--subscribe", "a", "x"}, 2},
		{[]string{"send", "-c", ep, "--to", "w", "x"}, 2},
		{[]string{"send", "-t", "ROUTER", "-b", ep, "x"}, 2},
		{[]string{"send", "-c", ep, "--in", "hex", "0xzz"}, 2},
		{[]string{"send", "-c", ep, "-0", "--raw"}, 2},
		{[]string{"send", "-c", ep, "-n", "x", "y"}, 2},
		{[]string{"recv", "-t", "REP", "-b", ep}, 2},
		{[]string{"recv", "-b", ep, "--timeout", "1"}, 2},
		{[]string{"recv", "-b", ep, "--timeout", "50ms"}, 1},
		{[]string{"send", "-t", "REQ", "-c", ep, "--timeout", "50ms", "x"}, 1},
	} {
		r := runZmq(t, nil, tc.args...)
		if r.code != tc.code {
			t.Errorf("zmq %q: exit %d, want %d; stderr %q", tc.args, r.code, tc.code, r.stderr)
		}
		if tc.code != 0 {
			if lines := trimLines(r.stderr); len(lines) != 1 || !strings.HasPrefix(lines[0], "zmq: ") {
				t.Errorf("zmq %q: stderr %q, want one line starting with \"zmq: \"", tc.args, r.stderr)
			}
		}
		if tc.code == 1 && !strings.Contains(string(r.stderr), "timeout after 50ms") {
			t.Errorf("zmq %q: stderr %q, want the timeout", tc.args, r.stderr)
		}
	}
}
