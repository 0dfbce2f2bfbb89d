package compare

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
)

// cPeers are the libzmq peers, each built from ../c/NAME.c.
var cPeers = []string{"thr_recv", "thr_send", "lat_rep", "lat_req", "thr_inproc", "lat_inproc", "hs_req",
	"router_echo", "dealer_rt", "xpub_fan", "sub_fan", "pull_fair", "push_fair", "connmem"}

// build compiles the C peers against libzmq and cmd/peer into bin.
func build(ctx context.Context, benchDir, bin string, log io.Writer) error {
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	if _, err := exec.LookPath(cc); err != nil {
		return fmt.Errorf("compare: no C compiler (%s): %w", cc, err)
	}
	for _, name := range cPeers {
		src := filepath.Join(benchDir, "c", name+".c")
		cmd := exec.CommandContext(ctx, cc, "-O2", "-Wall", "-o", filepath.Join(bin, name), src, "-lzmq", "-lpthread")
		if out, err := cmd.CombinedOutput(); err != nil {
			hint := ""
			if strings.Contains(string(out), "zmq.h") {
				hint = " (is libzmq3-dev installed? as root: apt-get install libzmq3-dev)"
			}
			return fmt.Errorf("compare: building %s: %v%s\n%s", name, err, hint, out)
		}
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	for name, pkg := range map[string]string{"peer": "./cmd/peer", connmemGo: "./cmd/connmem", rpcPeerBin: "./cmd/rpcpeer", natsServerBin: "./cmd/natsserver"} {
		cmd := exec.CommandContext(ctx, goTool, "build", "-o", filepath.Join(bin, name), pkg)
		cmd.Dir = benchDir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("compare: building %s: %v\n%s", pkg, err, out)
		}
	}
	fmt.Fprintf(log, "built %d libzmq peers, cmd/peer, cmd/connmem, cmd/rpcpeer and cmd/natsserver into %s\n", len(cPeers), bin)
	return nil
}

// freePort returns a TCP port on the loopback that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Environment describes the machine and the versions measured, for the report's header.
func Environment(benchDir string) []string {
	var env []string
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	env = append(env, fmt.Sprintf("%s, %d logical CPUs, %s/%s", cpu, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH))
	env = append(env, "Go "+strings.TrimPrefix(runtime.Version(), "go"))
	if v, err := libzmqVersion(); err == nil {
		env = append(env, "libzmq "+v+" (C peers built with cc -O2)")
	}
	if mods, err := moduleVersions(filepath.Join(benchDir, "go.mod")); err == nil {
		env = append(env, mods...)
	}
	return env
}

// libzmqVersion reads the version of the installed headers.
func libzmqVersion() (string, error) {
	b, err := os.ReadFile("/usr/include/zmq.h")
	if err != nil {
		return "", err
	}
	var parts []string
	for _, k := range []string{"MAJOR", "MINOR", "PATCH"} {
		m := regexp.MustCompile(`#define ZMQ_VERSION_` + k + ` (\d+)`).FindSubmatch(b)
		if m == nil {
			return "", errors.New("compare: no version in zmq.h")
		}
		parts = append(parts, string(m[1]))
	}
	return strings.Join(parts, "."), nil
}

// moduleVersions lists the versions of the Go implementations bench/go.mod requires.
func moduleVersions(gomod string) ([]string, error) {
	b, err := os.ReadFile(gomod)
	if err != nil {
		return nil, err
	}
	names := map[string]string{
		"github.com/pebbe/zmq4":             "pebbe = github.com/pebbe/zmq4 (cgo, libzmq)",
		"github.com/go-zeromq/zmq4":         "gozmq = github.com/go-zeromq/zmq4 (pure Go)",
		"go.nanomsg.org/mangos/v3":          "mangos = go.nanomsg.org/mangos/v3 (pure Go, SP protocol)",
		"google.golang.org/grpc":            "gRPC-Go = google.golang.org/grpc",
		"github.com/nats-io/nats.go":        "NATS client = github.com/nats-io/nats.go",
		"github.com/nats-io/nats-server/v2": "NATS broker = github.com/nats-io/nats-server/v2",
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && names[f[0]] != "" {
			out = append(out, names[f[0]]+" "+f[1])
		}
	}
	return out, nil
}

// loadAverage is the 1-minute load average, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}
