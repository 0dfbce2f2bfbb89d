// Command divide is the guide's divide and conquer pattern, a pipeline: a ventilator pushes
// tasks, workers pull them in parallel and push their results to a sink, which collects the
// batch and then tells the workers to stop (the guide's second version, with a kill signal
// published to them).
//
//	go run ./examples/divide sink -bind tcp://*:5558 -control tcp://*:5559
//	go run ./examples/divide worker -name w1   # and as many more as you like
//	go run ./examples/divide ventilator -bind tcp://*:5557 -workers 1 -n 100
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/purezmq/zmq"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	// What a role sent last (the ventilator's tasks, the sink's kill) may still be queued:
	// give it a few seconds to go out before the process ends.
	flush, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	zmq.DefaultContext().Shutdown(flush)
	if err != nil {
		fmt.Fprintln(os.Stderr, "divide:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: divide ventilator|worker|sink [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	var bind, control, sink, tasks, results, name *string
	n := fs.Int("n", 100, "tasks the ventilator sends")
	workers := fs.Int("workers", 1, "workers the ventilator waits for before it sends")
	maxWork := fs.Duration("work", 100*time.Millisecond, "the longest a task takes (each takes 1ms up to this)")
	switch args[0] {
	case "ventilator":
		bind = fs.String("bind", "tcp://*:5557", "where the ventilator binds for workers")
		sink = fs.String("sink", "tcp://127.0.0.1:5558", "where the ventilator connects to the sink")
	case "worker":
		tasks = fs.String("tasks", "tcp://127.0.0.1:5557", "where the worker connects for tasks")
		results = fs.String("results", "tcp://127.0.0.1:5558", "where the worker connects to push results")
		control = fs.String("control", "tcp://127.0.0.1:5559", "where the worker connects for the kill signal")
		name = fs.String("name", fmt.Sprint("worker-", os.Getpid()), "the worker's name in its results")
	case "sink":
		bind = fs.String("bind", "tcp://*:5558", "where the sink binds for results")
		control = fs.String("control", "tcp://*:5559", "where the sink binds to publish the kill signal")
	default:
		return fmt.Errorf("unknown role %q: want ventilator, worker or sink", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "ventilator":
		if *n < 1 || *workers < 1 || *maxWork < time.Millisecond {
			return fmt.Errorf("want -n and -workers at least 1, -work at least 1ms")
		}
		return ventilator(ctx, *bind, *sink, *n, *workers, *maxWork, out)
	case "worker":
		return worker(ctx, *tasks, *results, *control, *name, out)
	}
	return sinkRole(ctx, *bind, *control, out)
}
