package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/purezmq/zmq/examples/majordomo/mdp"
)

// serverConfig is the server's MDP settings: its workers' heartbeat, and its dispatcher's
// wait for each reply and pause between rounds.
type serverConfig struct {
	heartbeat time.Duration
	timeout   time.Duration
	retry     time.Duration
}

// server is the Titanic server (rfc.zeromq.org spec 9/TSP) on the broker at endpoint: workers
// for titanic.request, titanic.reply and titanic.close keep requests and replies in dir, and a
// dispatcher sends each pending request to its real service until one gets a reply. It prints
// "recovered UUID" for each request left pending in dir, then "stored UUID SERVICE",
// "replied UUID" and "closed UUID" as requests come, get their replies and are closed.
func server(ctx context.Context, endpoint, dir string, cfg serverConfig, out io.Writer) error {
	st, err := openStore(dir)
	if err != nil {
		return err
	}
	for _, id := range st.pendingIDs() {
		fmt.Fprintln(out, "recovered", id)
	}
	log := &syncWriter{w: out}
	wake := make(chan struct{}, 1) // a new request: dispatch now rather than at the next round
	services := map[string]mdp.Handler{
		"titanic.request": func(_ context.Context, body [][]byte, _ func(...[]byte) error) ([][]byte, error) {
			if len(body) < 2 || mdp.CheckService(string(body[0])) != nil {
				return status("400 malformed request"), nil
			}
			id, err := st.put(body[0], body[1:])
			if err != nil {
				return status("500 " + err.Error()), nil
			}
			fmt.Fprintf(log, "stored %s %s\n", id, body[0])
			select {
			case wake <- struct{}{}:
			default:
			}
			return [][]byte{[]byte("200"), []byte(id)}, nil
		},
		"titanic.reply": func(_ context.Context, body [][]byte, _ func(...[]byte) error) ([][]byte, error) {
			if len(body) != 1 {
				return status("400 malformed request"), nil
			}
			reply, err := st.reply(string(body[0]))
			switch {
			case errors.Is(err, errUnknown):
				return status("400"), nil
			case err != nil:
				return status("500 " + err.Error()), nil
			case reply == nil:
				return status("300"), nil
			}
			return append(status("200"), reply...), nil
		},
		"titanic.close": func(_ context.Context, body [][]byte, _ func(...[]byte) error) ([][]byte, error) {
			if len(body) != 1 {
				return status("400 malformed request"), nil
			}
			if err := st.close(string(body[0])); errors.Is(err, errUnknown) {
				return status("400"), nil
			} else if err != nil {
				return status("500 " + err.Error()), nil
			}
			fmt.Fprintf(log, "closed %s\n", body[0])
			return status("200"), nil
		},
	}
	// Each service is a worker of its own, each in its goroutine; the first to fail stops all.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(services)+1)
	for name, h := range services {
		w := mdp.Worker{Endpoint: endpoint, Service: name, Heartbeat: cfg.heartbeat, Reconnect: cfg.heartbeat}
		wg.Go(func() { errs <- w.Run(ctx, h); cancel() })
	}
	wg.Go(func() {
		errs <- dispatch(ctx, st, mdp.NewClient(endpoint, cfg.timeout, 0), wake, cfg.retry, log)
		cancel()
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// dispatch sends the pending requests to their services, each round once a request comes in
// or retry has passed, until ctx ends. A service is asked for only when mmi.service says it
// has a worker, so that a request does not wait in the broker for a service that is not there.
// Only the FINAL reply is kept: TSP predates MDP/0.2's PARTIALs.
func dispatch(ctx context.Context, st *store, c *mdp.Client, wake <-chan struct{}, retry time.Duration, out io.Writer) error {
	defer c.Close()
	for {
		for _, id := range st.pendingIDs() {
			service, body, err := st.request(id)
			if err != nil {
				fmt.Fprintf(out, "skipped %s: %v\n", id, err)
				continue
			}
			found, err := c.Request(ctx, "mmi.service", service)
			if err != nil {
				break // the broker is not answering: next round
			}
			if string(found.Final[0]) != "200" {
				continue
			}
			reply, err := c.Request(ctx, string(service), body...)
			if err != nil {
				continue // the worker was lost on the way: next round
			}
			if err := st.saveReply(id, reply.Final); err != nil {
				return err
			}
			fmt.Fprintf(out, "replied %s\n", id)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-time.After(retry):
		}
	}
}

func status(s string) [][]byte { return [][]byte{[]byte(s)} }

// syncWriter serializes the lines of the server's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
