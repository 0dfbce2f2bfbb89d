package peer

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
)

// The many-peer roles: N sockets of one kind in one process, each used from its own goroutine
// as a Go program would, against one bound socket in another process. The C peers of the same
// names (../c/router_echo.c ...) are libzmq's side; both print the same JSON fields.
const (
	RouterEcho = "router_echo" // ROUTER bind, echoes until every DEALER sent its end marker
	DealerRT   = "dealer_rt"   // N DEALERs making round trips; prints rtt_per_s, p50_us, p99_us, fairness_pct
	XPubFan    = "xpub_fan"    // XPUB bind, sends Count to N subscribers; prints send_per_s, cpu_ns_per_msg_sub
	SubFan     = "sub_fan"     // N SUBs; prints delivered, delivered_per_s, drops
	PullFair   = "pull_fair"   // PULL bind, receives Count/N from each sender; prints msgs_per_s, fairness_pct
	PushFair   = "push_fair"   // N PUSH sending Count/N each
)

// ManyRoles are the many-peer roles; the first of each pair binds.
var ManyRoles = []string{RouterEcho, DealerRT, XPubFan, SubFan, PullFair, PushFair}

// IsMany reports whether role is a many-peer role.
func IsMany(role string) bool { return slices.Contains(ManyRoles, role) }

// stampLen is the stamp at the front of a many-peer payload: the sender's index (4 bytes) and
// its sequence number (8), little-endian, so a receiver notices a message lost, repeated,
// reordered or delivered to the wrong peer.
const stampLen = 12

// manyStall is how long a many-peer role waits for progress before it fails, saying what it
// waited for. It is shorter than bench-compare's default -timeout (30 s), which kills a run
// without a word from its processes; the C peers' MP_TIMEOUT_MS is the same.
const manyStall = 20 * time.Second

// ManyResult is the JSON line of a many-peer role. Fields not of the role are left out.
type ManyResult struct {
	Impl     string  `json:"impl"`
	Role     string  `json:"role"`
	Endpoint string  `json:"endpoint"`
	Size     int     `json:"size"`
	Count    int     `json:"count"`
	Peers    int     `json:"peers"`
	ElapsedS float64 `json:"elapsed_s,omitempty"`
	// dealer_rt
	RTTPerS     float64  `json:"rtt_per_s,omitempty"`
	P50US       float64  `json:"p50_us,omitempty"`
	P99US       float64  `json:"p99_us,omitempty"`
	FairnessPct *float64 `json:"fairness_pct,omitempty"` // dealer_rt, pull_fair (0 is a result)
	MinDone     *int     `json:"min_done,omitempty"`     // dealer_rt (0 is a result)
	MaxDone     int      `json:"max_done,omitempty"`
	// router_echo
	Echoed int `json:"echoed,omitempty"`
	// xpub_fan: CPU per message per subscriber over the send loop, and up to the end of the
	// stream.
	SendPerS          float64 `json:"send_per_s,omitempty"`
	CPUNsPerMsgSub    float64 `json:"cpu_ns_per_msg_sub,omitempty"`
	CPUNsPerMsgSubEnd float64 `json:"cpu_ns_per_msg_sub_drained,omitempty"`
	// sub_fan
	Delivered     int     `json:"delivered,omitempty"`
	DeliveredPerS float64 `json:"delivered_per_s,omitempty"`
	Drops         *int    `json:"drops,omitempty"` // 0 is a result
	// pull_fair
	MsgsPerS float64 `json:"msgs_per_s,omitempty"`
}

// runMany plays one of the many-peer roles with purezmq, or the ROUTER echo's and N PUSH →
// PULL's with GoNet, or the ROUTER echo's server with GoEpoll.
func runMany(c Config, stdout, stderr io.Writer) error {
	if c.Impl != "purezmq" && !isFloor(c.Impl, c.Role) {
		return fmt.Errorf("peer: role %s is purezmq's only (libzmq's is ../c/%s.c; %s plays the ROUTER echo's and N PUSH → PULL's, %s the ROUTER echo's server)", c.Role, c.Role, GoNet, GoEpoll)
	}
	if c.Curve {
		return fmt.Errorf("peer: role %s has no CURVE", c.Role)
	}
	if c.Size < stampLen || c.Peers < 1 || c.Peers > 10000 {
		return fmt.Errorf("peer: %s needs -size >= %d and -peers from 1 to 10000, have %d and %d", c.Role, stampLen, c.Size, c.Peers)
	}
	if (c.Role == PullFair || c.Role == PushFair) && c.Count < c.Peers {
		return fmt.Errorf("peer: count %d is less than one message per sender (%d)", c.Count, c.Peers)
	}
	zc := zmq.NewContext()
	defer zc.Close()
	m := &many{c: c, zc: zc, pat: Pattern(c.Size)}
	m.ctx, m.stop = m.watch()
	defer m.stop()
	res := ManyResult{Impl: c.Impl, Role: c.Role, Endpoint: c.Endpoint, Size: c.Size, Count: c.Count, Peers: c.Peers}
	var err error
	switch c.Role {
	case RouterEcho:
		switch c.Impl {
		case GoNet:
			err = m.echoNet(stderr, &res)
		case GoEpoll:
			err = m.echoEpoll(stderr, &res)
		default:
			err = m.routerEcho(stderr, &res)
		}
	case DealerRT:
		err = m.dealers(stderr, &res)
	case XPubFan:
		err = m.publish(stderr, &res)
	case SubFan:
		err = m.subscribers(stderr, &res)
	case PullFair:
		if c.Impl == GoNet {
			err = m.pullNet(stderr, &res)
		} else {
			err = m.pull(stderr, &res)
		}
	case PushFair:
		fmt.Fprintln(stderr, "ready")
		return m.pushers()
	}
	if err != nil {
		return err
	}
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", line)
	return err
}

// many is one many-peer run.
type many struct {
	c   Config
	zc  *zmq.Context
	pat []byte
	// ctx is cancelled when nothing progressed for manyStall (then stuck is set), or when one
	// of the peers failed: every wait of the role uses it.
	ctx      context.Context
	cancel   context.CancelFunc
	stop     func()
	progress atomic.Int64
	stuck    atomic.Bool
	idle     atomic.Bool // set while waiting is expected: no stall then
}

// watch returns the context the role's waits use, cancelled once progress has not moved for
// manyStall, and the function that ends the watch.
func (m *many) watch() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		last, since := m.progress.Load(), time.Now()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if p := m.progress.Load(); p != last || m.idle.Load() {
				last, since = p, time.Now()
			} else if time.Since(since) >= manyStall {
				m.stuck.Store(true)
				cancel()
				return
			}
		}
	})
	var once sync.Once
	return ctx, func() { once.Do(func() { close(done); wg.Wait(); cancel() }) }
}

func (m *many) stalled() error {
	return fmt.Errorf("peer: %s: nothing happened for %v", m.c.Role, manyStall)
}

// wrap describes err of a wait, as a stall when the watch ended it.
func (m *many) wrap(what string, err error) error {
	if m.stuck.Load() {
		return fmt.Errorf("%s: %w", what, m.stalled())
	}
	return fmt.Errorf("peer: %s: %w", what, err)
}

// stamped returns a new payload: the pattern stamped with idx and seq. A new one each time, as
// the frames of a message sent belong to the library.
func (m *many) stamped(idx int, seq uint64) []byte {
	return m.stamp(make([]byte, len(m.pat)), idx, seq)
}

// stamp writes the pattern stamped with idx and seq into b, which has its size, for SendCopy.
func (m *many) stamp(b []byte, idx int, seq uint64) []byte {
	copy(b, m.pat)
	binary.LittleEndian.PutUint32(b, uint32(idx))
	binary.LittleEndian.PutUint64(b[4:], seq)
	return b
}

var errCorrupt = errors.New("corrupted")

// unstamp checks a received payload (its size, its last byte, every byte when full) and
// returns its stamp.
func (m *many) unstamp(b []byte, full bool) (idx int, seq uint64, err error) {
	if len(b) != len(m.pat) {
		return 0, 0, fmt.Errorf("a message has %d bytes, want %d", len(b), len(m.pat))
	}
	if b[len(b)-1] != m.pat[len(b)-1] || (full && !bytes.Equal(b[stampLen:], m.pat[stampLen:])) {
		return 0, 0, fmt.Errorf("a message of %d bytes is %w", len(b), errCorrupt)
	}
	return int(binary.LittleEndian.Uint32(b)), binary.LittleEndian.Uint64(b[4:]), nil
}

// open makes a socket of type t, bound or connected to the endpoint.
func (m *many) open(t zmq.Type, bind bool, opts ...zmq.Option) (*zmq.Socket, error) {
	s, err := m.zc.NewSocket(t, opts...)
	if err != nil {
		return nil, err
	}
	if bind {
		err = s.Bind(m.c.Endpoint)
	} else {
		err = s.Connect(m.c.Endpoint)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("peer: %s %s: %w", t, m.c.Endpoint, err)
	}
	return s, nil
}

// each runs f for every peer index in its own goroutine and returns the first error; the first
// error cancels m.ctx, so that the other peers stop waiting.
func (m *many) each(f func(i int) error) error {
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	for i := range m.c.Peers {
		wg.Go(func() {
			if err := f(i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
					m.cancel()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

// percentile is the nearest-rank p-th percentile of the sorted v.
func percentile(v []time.Duration, p int) time.Duration {
	k := (p*len(v) + 99) / 100
	return v[max(k, 1)-1]
}

// ratioPct is lo/hi in percent (0 when hi is).
func ratioPct[T int | uint64](lo, hi T) *float64 {
	p := 0.0
	if hi > 0 {
		p = 100 * float64(lo) / float64(hi)
	}
	return &p
}
