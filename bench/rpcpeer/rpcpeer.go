// Package rpcpeer is one side of bench-compare's RPC cells: an echo server, or a client whose
// callers make small calls through one shared connection and time each, for gRPC-Go unary,
// NATS request-reply, a raw purezmq DEALER→ROUTER echo and purezmq's rpc package. cmd/rpcpeer
// runs it as a process.
package rpcpeer

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Caller is one client: Call sends args and returns the echoed reply. Every caller goroutine
// shares it, as users share one connection.
type Caller interface {
	Call(ctx context.Context, args []byte) ([]byte, error)
	Close() error
}

// Impl is one implementation: Serve echoes at endpoint until ctx ends, calling ready with the
// endpoint its clients dial (a tcp port 0 resolved) once it takes calls; Dial opens a client.
type Impl struct {
	Serve func(ctx context.Context, endpoint string, ready func(bound string)) error
	Dial  func(ctx context.Context, endpoint string) (Caller, error)
}

// impls are the -impl values.
var impls = map[string]Impl{
	"grpc": {serveGRPC, dialGRPC},
	"nats": {serveNATS, dialNATS},
	"zmq":  {serveZMQ, dialZMQ},
	"rpc":  {serveRPC, dialRPC},
}

// Names lists the implementations, sorted.
func Names() []string {
	var n []string
	for k := range impls {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Config is one client run.
type Config struct {
	Size    int           // args and reply, bytes
	Count   int           // timed calls in all callers
	Callers int           // goroutines calling at once
	Timeout time.Duration // each call's deadline
}

// Result is the client's JSON line.
type Result struct {
	Impl     string  `json:"impl"`
	Role     string  `json:"role"`
	Size     int     `json:"size"`
	Count    int     `json:"count"`
	Callers  int     `json:"callers"`
	ElapsedS float64 `json:"elapsed_s"`
	CallsPer float64 `json:"calls_per_s"`
	P50US    float64 `json:"p50_us"`
	P99US    float64 `json:"p99_us"`
}

// warmup is the untimed calls each caller makes first, so that connections are up and buffers
// grown before the clock starts.
const warmup = 5

// Measure makes cfg.Count calls through c from cfg.Callers goroutines, each call with its own
// deadline and its reply checked. After warmup calls each, all start together; the window ends
// when the last call has returned. Every call's time is kept for the percentiles.
func Measure(ctx context.Context, c Caller, cfg Config) (Result, error) {
	if cfg.Size < idLen || cfg.Count < 1 || cfg.Callers < 1 || cfg.Timeout <= 0 {
		return Result{}, fmt.Errorf("rpcpeer: need size ≥ %d, count ≥ 1, callers ≥ 1 and a timeout (have %+v)", idLen, cfg)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		lat      = make([]time.Duration, cfg.Count)
		warm     sync.WaitGroup
		start    time.Time
		begin    = make(chan struct{})
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	call := func(id uint64) (time.Duration, error) {
		args := payload(id, cfg.Size)
		cctx, done := context.WithTimeout(ctx, cfg.Timeout)
		t0 := time.Now()
		reply, err := c.Call(cctx, args)
		d := time.Since(t0)
		done()
		if err != nil {
			return 0, fmt.Errorf("rpcpeer: call %#x: %w", id, err)
		}
		return d, checkReply(args, reply)
	}
	warm.Add(cfg.Callers)
	go func() {
		warm.Wait()
		start = time.Now()
		close(begin)
	}()
	for i := range cfg.Callers {
		wg.Go(func() {
			warmed := sync.OnceFunc(warm.Done)
			defer warmed()
			seq := uint64(0)
			for ; seq < warmup; seq++ {
				if _, err := call(uint64(i)<<32 | seq); err != nil {
					fail(err)
					return
				}
			}
			warmed()
			select {
			case <-begin:
			case <-ctx.Done():
				return
			}
			for ; ; seq++ {
				k := next.Add(1) - 1
				if k >= int64(cfg.Count) {
					return
				}
				d, err := call(uint64(i)<<32 | seq)
				if err != nil {
					fail(err)
					return
				}
				lat[k] = d
			}
		})
	}
	wg.Wait()
	end := time.Now()
	if firstErr != nil {
		return Result{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	elapsed := end.Sub(start)
	slices.Sort(lat)
	return Result{Role: "client", Size: cfg.Size, Count: cfg.Count, Callers: cfg.Callers,
		ElapsedS: elapsed.Seconds(), CallsPer: float64(cfg.Count) / elapsed.Seconds(),
		P50US: us(percentile(lat, 50)), P99US: us(percentile(lat, 99))}, nil
}

func us(d time.Duration) float64 { return float64(d) / 1e3 }

// percentile is the nearest-rank p-th percentile of sorted.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := (p*len(sorted) + 99) / 100
	return sorted[min(max(k, 1), len(sorted))-1]
}

// Main is cmd/rpcpeer: -role server serves until EOF on stdin (or ctx ends), saying "ready" on
// stderr once it takes calls; -role client measures and prints one JSON line on stdout.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rpcpeer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("impl", "", "implementation: one of grpc, nats, zmq, rpc")
	role := fs.String("role", "", "server or client")
	ep := fs.String("endpoint", "", "grpc: host:port; nats: nats://host:port of the nats-server; zmq and rpc: tcp://host:port")
	var cfg Config
	fs.IntVar(&cfg.Size, "size", 64, "client: args (and so reply) size in bytes")
	fs.IntVar(&cfg.Count, "count", 10000, "client: timed calls in all")
	fs.IntVar(&cfg.Callers, "callers", 1, "client: concurrent callers on the one client")
	fs.DurationVar(&cfg.Timeout, "call-timeout", 10*time.Second, "client: each call's deadline")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the serving (server) or the calls (client) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := profile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	im, ok := impls[*name]
	if !ok {
		return fmt.Errorf("rpcpeer: -impl %q: want one of %v", *name, Names())
	}
	if *ep == "" {
		return errors.New("rpcpeer: -endpoint is required")
	}
	switch *role {
	case "server":
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			// EOF on stdin (the driver closing it) is the end of the run.
			_, _ = io.Copy(io.Discard, stdin)
			cancel()
		}()
		return im.Serve(ctx, *ep, func(string) { fmt.Fprintln(stderr, "ready") })
	case "client":
		c, err := im.Dial(ctx, *ep)
		if err != nil {
			return err
		}
		res, err := Measure(ctx, c, cfg)
		if cerr := c.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		res.Impl = *name
		return json.NewEncoder(stdout).Encode(res)
	}
	return fmt.Errorf("rpcpeer: -role %q: want server or client", *role)
}

// profile starts a CPU profile into path; stop ends it and closes the file.
func profile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("rpcpeer: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("rpcpeer: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
