package main

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestClone: three clients update ten shared keys at once, each starting from a snapshot taken
// while the others are already updating; a fourth joins after the last update and has only the
// snapshot. All four print the server's map, the last value it numbered for each key, and
// the server numbered every update of every client.
func TestClone(t *testing.T) {
	for _, transport := range []string{"ipc", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			eps := endpoints{"tcp://127.0.0.1:*", "tcp://127.0.0.1:*", "tcp://127.0.0.1:*"}
			if transport == "ipc" {
				dir := t.TempDir()
				eps = endpoints{"ipc://" + filepath.Join(dir, "snapshot"), "ipc://" + filepath.Join(dir, "updates"), "ipc://" + filepath.Join(dir, "collector")}
			}
			roles := extest.NewRoles(t)
			srvOut := extest.NewLines()
			roles.Go("server", func(ctx context.Context) error { return server(ctx, eps, 5*time.Millisecond, srvOut) })
			bound := strings.Fields(strings.TrimPrefix(srvOut.Next(t), "ready "))
			if len(bound) != 3 {
				t.Fatalf("ready line has %d endpoints, want 3", len(bound))
			}
			eps = endpoints{bound[0], bound[1], bound[2]}

			const clients, n = 3, 10
			const total = clients * n
			outs := make([]*extest.Lines, clients+1)
			var dones []<-chan error
			var want []string
			for i := range clients + 1 {
				cfg := clientConfig{n: n, ivl: time.Millisecond, keys: 10, until: total, name: fmt.Sprint("c", i)}
				if i == clients {
					// The latecomer: it sends nothing and starts after the last update.
					cfg.n = 0
					want = serverMap(t, srvOut, total, clients, n)
				}
				outs[i] = extest.NewLines()
				dones = append(dones, roles.Start(func(ctx context.Context) error { return client(ctx, eps, cfg, outs[i]) }))
			}
			var clientMaps [][]string
			for i, done := range dones {
				if err := extest.Wait(t, done); err != nil {
					t.Fatalf("client %d: %v", i, err)
				}
				if line := outs[i].Next(t); !strings.HasPrefix(line, "snapshot of ") {
					t.Fatalf("client %d printed %q, want its snapshot", i, line)
				}
				header := outs[i].Next(t)
				var seq, entries int
				if _, err := fmt.Sscanf(header, "map at %d, %d entries", &seq, &entries); err != nil || seq != total {
					t.Fatalf("client %d printed %q, want map at %d, N entries", i, header, total)
				}
				m := make([]string, entries)
				for j := range m {
					m[j] = outs[i].Next(t)
				}
				clientMaps = append(clientMaps, m)
			}
			for i, m := range clientMaps {
				if !slices.Equal(m, want) {
					t.Fatalf("client %d's map\n%q\ndiffers from the server's\n%q", i, m, want)
				}
			}
		})
	}
}

// serverMap reads the server's log up to its total'th update, checks that each of the clients
// had its n updates numbered, and returns the map the updates make, as a client prints it.
func serverMap(t *testing.T, srvOut *extest.Lines, total, clients, n int) []string {
	t.Helper()
	kv := map[string]string{}
	perClient := map[string]int{}
	for seq := 1; seq <= total; {
		line := srvOut.Next(t)
		if strings.HasPrefix(line, "snapshot of ") {
			continue
		}
		var got int
		var update string
		if _, err := fmt.Sscanf(line, "update %d %s", &got, &update); err != nil || got != seq {
			t.Fatalf("server printed %q, want update %d KEY=VALUE", line, seq)
		}
		key, value, _ := strings.Cut(update, "=")
		kv[key] = value
		perClient[strings.Split(value, ":")[0]]++
		seq++
	}
	for i := range clients {
		if got := perClient[fmt.Sprint("c", i)]; got != n {
			t.Fatalf("server numbered %d updates of client c%d, want %d", got, i, n)
		}
	}
	var m []string
	for _, key := range slices.Sorted(maps.Keys(kv)) {
		m = append(m, key+"="+kv[key])
	}
	return m
}
