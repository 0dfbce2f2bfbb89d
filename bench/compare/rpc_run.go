package compare

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"
)

// runRPC measures implementation impl once on cell with count calls: for NATS it starts the
// broker first; then the echo server, then the client, which measures. The server and the
// broker end at EOF on their stdin once the client is done; neither outlives the run.
func (r *runner) runRPC(ctx context.Context, cell RPCCell, impl string, count int) (RPCMeasurement, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	ep, err := r.endpoint("tcp")
	if err != nil {
		return RPCMeasurement{}, err
	}
	var held []*proc
	stop := func(p *proc) error {
		p.release()
		<-p.done
		if p.err != nil {
			return p.failure(ctx, r.timeout)
		}
		return nil
	}
	defer func() {
		cancel()
		for _, p := range held {
			<-p.done
		}
	}()
	start := func(name, role, path string, args ...string) (*proc, error) {
		p, err := r.launch(ctx, name, role, path, args)
		if err != nil {
			return nil, err
		}
		held = append(held, p)
		return p, p.awaitReady(ctx, r.timeout)
	}
	var broker *proc
	switch impl {
	case "grpc":
		ep = strings.TrimPrefix(ep, "tcp://")
	case "nats":
		addr := strings.TrimPrefix(ep, "tcp://")
		if broker, err = start("nats-server", "nats_server", filepath.Join(r.bin, natsServerBin), "-addr", addr); err != nil {
			return RPCMeasurement{}, err
		}
		ep = "nats://" + addr
	}
	peer := filepath.Join(r.bin, rpcPeerBin)
	server, err := start(impl+" rpc server", "rpc_server", peer, "-impl", impl, "-role", "server", "-endpoint", ep)
	if err != nil {
		return RPCMeasurement{}, err
	}
	client, err := r.launch(ctx, impl+" rpc client", "rpc_client", peer, []string{"-impl", impl, "-role", "client", "-endpoint", ep,
		"-size", fmt.Sprint(rpcSize), "-count", fmt.Sprint(count), "-callers", fmt.Sprint(cell.Callers),
		"-call-timeout", rpcCallTimeout.String()})
	if err != nil {
		return RPCMeasurement{}, err
	}
	held = append(held, client)
	select {
	case <-client.done:
	case <-server.done:
		return RPCMeasurement{}, fmt.Errorf("the server ended during the run: %w", server.failure(ctx, r.timeout))
	}
	if client.err != nil {
		return RPCMeasurement{}, client.failure(ctx, r.timeout)
	}
	m, err := parseRPC(client, cell, count)
	if err != nil {
		return RPCMeasurement{}, err
	}
	if err := stop(server); err != nil {
		return RPCMeasurement{}, err
	}
	if broker != nil {
		if err := stop(broker); err != nil {
			return RPCMeasurement{}, err
		}
	}
	return m, nil
}

// rpcResult is the part of rpcpeer's JSON line the driver reads.
type rpcResult struct {
	Size      int     `json:"size"`
	Count     int     `json:"count"`
	Callers   int     `json:"callers"`
	ElapsedS  float64 `json:"elapsed_s"`
	CallsPerS float64 `json:"calls_per_s"`
	P50US     float64 `json:"p50_us"`
	P99US     float64 `json:"p99_us"`
}

// parseRPC reads the client's result, checking it is the run's and plausible.
func parseRPC(p *proc, cell RPCCell, count int) (RPCMeasurement, error) {
	var res rpcResult
	line := ""
	for _, l := range strings.Split(p.stdout.String(), "\n") {
		if strings.HasPrefix(l, "{") {
			line = l
		}
	}
	if line == "" {
		return RPCMeasurement{}, fmt.Errorf("%s: printed no result line (stdout %q)", p.name, p.stdout.String())
	}
	if err := json.Unmarshal([]byte(line), &res); err != nil {
		return RPCMeasurement{}, fmt.Errorf("%s: result %q: %w", p.name, line, err)
	}
	ok := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	if res.Size != rpcSize || res.Count != count || res.Callers != cell.Callers ||
		!ok(res.ElapsedS) || !ok(res.CallsPerS) || !ok(res.P50US) || !ok(res.P99US) || res.P99US < res.P50US {
		return RPCMeasurement{}, fmt.Errorf("%s: %w %s for %v, count %d", p.name, errImplausible, line, cell, count)
	}
	return RPCMeasurement{CallsPerS: res.CallsPerS, P50US: res.P50US, P99US: res.P99US,
		Elapsed: time.Duration(res.ElapsedS * float64(time.Second))}, nil
}
