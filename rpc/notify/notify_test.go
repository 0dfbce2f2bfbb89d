package notify

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// Every priority reaches a listener on "<topic>.<priority>" with oslo's fields.
func TestPrioritiesAndFields(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			w := memoryWorld(t, mode)
			n := w.notifier("compute.host1", WithTopics("notifications", "versioned"))
			got := make(chan *Notification, 32)
			w.listener(func(_ context.Context, n *Notification) Result { got <- n; return Handled },
				WithTopics("versioned"))
			ctx := testCtx(t)
			sends := []func(context.Context, string, any) error{n.Audit, n.Debug, n.Info, n.Warn, n.Error, n.Critical, n.Sample}
			before := time.Now().UTC().Add(-time.Second)
			for i, send := range sends {
				if err := send(ctx, "compute.instance.create.end", map[string]int{"n": i}); err != nil {
					t.Fatal(err)
				}
			}
			for i, p := range Priorities {
				var x *Notification
				select {
				case x = <-got:
				case <-ctx.Done():
					t.Fatalf("notification %d not received", i)
				}
				if x.Topic != "versioned."+p.String() || x.Priority != strings.ToUpper(p.String()) {
					t.Errorf("#%d: topic %q priority %q, want versioned.%s", i, x.Topic, x.Priority, p)
				}
				if x.PublisherID != "compute.host1" || x.EventType != "compute.instance.create.end" || payloadN(t, x) != i {
					t.Errorf("#%d: %+v", i, x)
				}
				if len(x.MessageID) != 36 || x.MessageID[14] != '4' {
					t.Errorf("#%d: message_id %q is not a UUID v4", i, x.MessageID)
				}
				ts, err := x.Timestamp()
				if err != nil || ts.Before(before) || ts.After(time.Now().UTC().Add(time.Second)) {
					t.Errorf("#%d: timestamp %q (%v)", i, x.Time, err)
				}
			}
		})
	}
}

// The body carries exactly oslo's six fields.
func TestBodyFieldNames(t *testing.T) {
	body, err := encodeBody(&Notification{MessageID: newMessageID(), PublisherID: "p", EventType: "e",
		Priority: "INFO", Payload: json.RawMessage(`{"a":1}`), Time: time.Now().UTC().Format(TimeLayout), Topic: "x.info"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"event_type", "message_id", "payload", "priority", "publisher_id", "timestamp"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
}

func TestParsePriority(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Priority
		ok   bool
	}{
		{"audit", Audit, true}, {"DEBUG", Debug, true}, {"Info", Info, true}, {"warn", Warn, true},
		{"WARNING", Warn, true}, {"error", Error, true}, {"critical", Critical, true},
		{"sample", Sample, true}, {"", 0, false}, {"fatal", 0, false}, {"info ", 0, false},
	} {
		p, err := ParsePriority(tc.in)
		if (err == nil) != tc.ok || p != tc.want {
			t.Errorf("ParsePriority(%q) = %v, %v", tc.in, p, err)
		}
	}
}

// A listener that filters sees only what its filter and priorities let through.
func TestListenerFilterAndPriorities(t *testing.T) {
	w := memoryWorld(t, "direct")
	n := w.notifier("p1")
	got := newTally(1)
	l := w.listener(got.handler(Handled), WithPriorities(Error),
		WithFilter(Filter{EventType: mustRegexp(t, `^volume\.`)}))
	ctx := testCtx(t)
	for _, s := range []struct {
		p  Priority
		et string
	}{{Info, "volume.create"}, {Error, "compute.fail"}, {Error, "volume.fail"}} {
		if err := n.Notify(ctx, s.p, s.et, nil); err != nil {
			t.Fatal(err)
		}
	}
	got.wait(t, "filtered")
	for id := range got.snapshot() {
		_ = id
	}
	if s := l.Stats(); s.Filtered != 1 || s.Handled != 1 {
		t.Errorf("stats %+v: want 1 filtered (compute.fail), 1 handled", s)
	}
}

// The handshake: a notification sent once Start returned is never missed, round after round,
// with or without a pool, direct and through a hub, with Redis discovery.
func TestHandshakeRounds(t *testing.T) {
	const rounds = 60
	for _, mode := range modes {
		for _, pooled := range []bool{false, true} {
			name := mode
			if pooled {
				name += "/pool"
			}
			t.Run(name, func(t *testing.T) {
				w := redisWorld(t, mode)
				n := w.notifier("p1")
				ctx := testCtx(t)
				for r := range rounds {
					got := make(chan int, 4)
					opts := []Option{}
					if pooled {
						opts = append(opts, WithPool("round"))
					}
					l, err := NewListener(func(_ context.Context, x *Notification) Result {
						got <- payloadN(t, x)
						return Handled
					}, w.opts(opts)...)
					if err != nil {
						t.Fatal(err)
					}
					if err := l.Start(ctx); err != nil {
						t.Fatal(err)
					}
					if err := n.Info(ctx, "round", map[string]int{"n": r}); err != nil {
						t.Fatal(err)
					}
					select {
					case x := <-got:
						if x != r {
							t.Fatalf("round %d: got notification of round %d", r, x)
						}
					case <-ctx.Done():
						t.Fatalf("round %d: the notification sent after Start returned was missed", r)
					}
					stopOK(t, l.Stop)
				}
			})
		}
	}
}
