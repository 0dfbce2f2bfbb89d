// Command mcastpeer is purezmq's side of make bench-multicast: a PUB or a SUB on a multicast
// endpoint (epgm, pgm, norm), speaking the driver's protocol as the libzmq peers c/mcast_pub.c
// and c/mcast_sub.c do; see package mcast.
//
// With MCASTPEER_CPUPROFILE=dir in its environment it writes a CPU profile of its run to
// dir/<role>-<pid>.pprof and its garbage collector's figures to dir/<role>-<pid>.gc, for
// finding where a cell's time goes; with MCASTPEER_TRACE=dir, an execution trace to
// dir/<role>-<pid>.trace, for finding where its goroutines wait.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"time"

	"github.com/purezmq/zmq/bench/mcast"
)

func main() {
	stop, err := profile(os.Getenv("MCASTPEER_CPUPROFILE"), os.Args[1:])
	if err == nil {
		var stopTrace func()
		if stopTrace, err = tracing(os.Getenv("MCASTPEER_TRACE"), os.Args[1:]); err == nil {
			err = mcast.Main(os.Args[1:], os.Stdin, os.Stdout)
			stopTrace()
		}
		stop()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mcastpeer:", err)
		os.Exit(1)
	}
}

// profile starts a CPU profile into dir when dir is set; stop ends it.
func profile(dir string, args []string) (stop func(), err error) {
	if dir == "" {
		return func() {}, nil
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", roleOf(args), os.Getpid())))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		gc := fmt.Sprintf("gc cycles %d, pause total %v, gc cpu fraction %.3f, allocated %d MB in %d objects, heap in use %d MB, heap goal %d MB\n",
			m.NumGC, time.Duration(m.PauseTotalNs), m.GCCPUFraction, m.TotalAlloc>>20, m.Mallocs, m.HeapInuse>>20, m.NextGC>>20)
		_ = os.WriteFile(strings.TrimSuffix(f.Name(), ".pprof")+".gc", []byte(gc), 0o644)
	}, nil
}

// tracing starts an execution trace into dir when dir is set; stop ends it.
func tracing(dir string, args []string) (stop func(), err error) {
	if dir == "" {
		return func() {}, nil
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%d.trace", roleOf(args), os.Getpid())))
	if err != nil {
		return nil, err
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		trace.Stop()
		f.Close()
	}, nil
}

// roleOf is the peer's role, for file names.
func roleOf(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return "peer"
}
