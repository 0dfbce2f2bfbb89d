// Command connmem reports resident memory per connection for purezmq and libzmq: N DEALERs
// (default 10,000, over 2 processes) connected over tcp to one ROUTER, each having sent one
// message. It builds the libzmq peer from c/connmem.c with cc.
//
//	go run ./cmd/connmem [-n 10000] [-procs 2] [-impls purezmq,libzmq]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/purezmq/zmq/bench/connmem"
)

func main() {
	role := flag.String("role", "", "internal: run one purezmq role (router or dealers)")
	endpoint := flag.String("endpoint", "", "internal: the endpoint for -role")
	n := flag.Int("n", 10000, "connections")
	procs := flag.Int("procs", 2, "processes the DEALERs are spread over (libzmq needs 2 descriptors per socket)")
	impls := flag.String("impls", "purezmq,libzmq", "implementations to measure")
	out := flag.String("out", "out", "directory for connmem.json and connmem.md")
	flag.Parse()
	if err := run(*role, *endpoint, *n, *procs, *impls, *out); err != nil {
		fmt.Fprintln(os.Stderr, "connmem:", err)
		os.Exit(1)
	}
}

func run(role, endpoint string, n, procs int, impls, outDir string) error {
	switch role {
	case "router":
		return connmem.RunRouter(endpoint, n, os.Stdin, os.Stdout)
	case "dealers":
		return connmem.RunDealers(endpoint, n, os.Stdin, os.Stdout)
	case "":
	default:
		return fmt.Errorf("unknown role %q", role)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(outDir, "bin"), 0o755); err != nil {
		return err
	}
	cbin := filepath.Join(outDir, "bin", "connmem")
	if b, err := exec.Command("cc", "-O2", "-Wall", "-o", cbin, "c/connmem.c", "-lzmq").CombinedOutput(); err != nil {
		return fmt.Errorf("building c/connmem.c: %v\n%s", err, b)
	}
	commands := map[string]connmem.Command{
		"purezmq": func(ctx context.Context, role, ep string, n int) *exec.Cmd {
			return exec.CommandContext(ctx, self, "-role", role, "-endpoint", ep, "-n", strconv.Itoa(n))
		},
		"libzmq": func(ctx context.Context, role, ep string, n int) *exec.Cmd {
			return exec.CommandContext(ctx, cbin, role, ep, strconv.Itoa(n))
		},
	}
	var results []connmem.Result
	for _, impl := range strings.Split(impls, ",") {
		mk, ok := commands[impl]
		if !ok {
			return fmt.Errorf("unknown implementation %q (have purezmq, libzmq)", impl)
		}
		port, err := freePort()
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		fmt.Fprintf(os.Stderr, "%s: %d connections ...\n", impl, n)
		r, err := connmem.Measure(ctx, impl, mk, fmt.Sprintf("tcp://127.0.0.1:%d", port), n, procs)
		cancel()
		if err != nil {
			return fmt.Errorf("%s: %w", impl, err)
		}
		results = append(results, r)
	}
	table := connmem.Table(results)
	fmt.Print(table)
	js, _ := json.MarshalIndent(results, "", "  ")
	if err := os.WriteFile(filepath.Join(outDir, "connmem.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(outDir, "connmem.md"), []byte(table), 0o644)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
