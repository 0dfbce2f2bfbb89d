package stomp

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/zmq/bridge"
)

// A fake broker plays what RabbitMQ will not: a broken or hostile peer. It answers CONNECT
// with CONNECTED (no heart-beats) and then runs script on the connection.
func fakeBroker(t *testing.T, script func(d *Decoder, c net.Conn)) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				d := NewDecoder(c, Limits{})
				if f, err := d.Read(); err != nil || f.Command != "CONNECT" {
					return
				}
				if _, err := c.Write([]byte("CONNECTED\nversion:1.2\n\n\x00")); err != nil {
					return
				}
				script(d, c)
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().String()
}

// answerSubscribe reads the SUBSCRIBE and sends its RECEIPT; it returns the subscription id.
func answerSubscribe(d *Decoder, c net.Conn) string {
	f, err := d.Read()
	if err != nil {
		return ""
	}
	id, _ := f.Get("id")
	r, _ := f.Get("receipt")
	fmt.Fprintf(c, "RECEIPT\nreceipt-id:%s\n\n\x00", r)
	return id
}

// TestHostileBroker: frames over the limits, or more deliveries than the window, end the
// connection with ErrConnection instead of growing memory.
func TestHostileBroker(t *testing.T) {
	lim := Limits{MaxBody: 1 << 10, MaxHeaders: 8, MaxLine: 256}
	cases := []struct {
		name  string
		frame func(sub string) string
	}{
		{"huge content-length", func(s string) string {
			return "MESSAGE\nsubscription:" + s + "\nack:1\ncontent-length:1099511627776\n\n"
		}},
		{"endless body", func(s string) string {
			return "MESSAGE\nsubscription:" + s + "\nack:1\n\n" + strings.Repeat("x", 4<<10)
		}},
		{"too many headers", func(s string) string {
			return "MESSAGE\nsubscription:" + s + "\nack:1\n" + strings.Repeat("h:v\n", 9) + "\n\x00"
		}},
		{"endless header line", func(s string) string {
			return "MESSAGE\nsubscription:" + s + "\nack:1\nh:" + strings.Repeat("v", 4<<10)
		}},
		{"over the window", func(s string) string {
			return strings.Repeat("MESSAGE\nsubscription:"+s+"\nack:1\n\nm\x00", 3)
		}},
		{"MESSAGE without ack", func(s string) string {
			return "MESSAGE\nsubscription:" + s + "\n\nm\x00"
		}},
		{"not STOMP", func(string) string { return "HTTP/1.1 200 OK\r\n\r\n" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := fakeBroker(t, func(d *Decoder, conn net.Conn) {
				sub := answerSubscribe(d, conn)
				conn.Write([]byte(c.frame(sub)))
				d.Read() // until the client hangs up
			})
			br, err := Dial("stomp://"+addr, WithHeartbeat(0), WithLimits(lim))(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			defer br.Close()
			cons, err := br.Consumer(testCtx(t), "/queue/q", 2)
			if err != nil {
				t.Fatal(err)
			}
			for {
				d, err := cons.Receive(testCtx(t))
				if errors.Is(err, bridge.ErrConnection) {
					return
				}
				if err != nil {
					t.Fatalf("%v, want ErrConnection", err)
				}
				if c.name != "over the window" {
					t.Fatalf("delivered %+v", d.Message())
				}
			}
		})
	}
}

// TestErrorWithReceipt: an ERROR that names a SEND's receipt rejects that publication
// (ErrRejected); the others pending fail with ErrConnection, as the ERROR ends the
// connection.
func TestErrorWithReceipt(t *testing.T) {
	addr := fakeBroker(t, func(d *Decoder, c net.Conn) {
		first, err := d.Read()
		if err != nil {
			return
		}
		if _, err := d.Read(); err != nil {
			return
		}
		r, _ := first.Get("receipt")
		fmt.Fprintf(c, "ERROR\nreceipt-id:%s\nmessage:refused\n\n\x00", r)
		d.Read()
	})
	br, err := Dial("stomp://"+addr, WithHeartbeat(0))(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	p, err := br.Publisher(testCtx(t), "/queue/q")
	if err != nil {
		t.Fatal(err)
	}
	var cfs []bridge.Confirm
	for range 2 {
		cf, err := p.Publish(testCtx(t), bridge.Message{Body: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		cfs = append(cfs, cf)
	}
	if err := cfs[0].Wait(testCtx(t)); !errors.Is(err, bridge.ErrRejected) {
		t.Errorf("the named publication: %v, want ErrRejected", err)
	}
	if err := cfs[1].Wait(testCtx(t)); !errors.Is(err, bridge.ErrConnection) {
		t.Errorf("the other: %v, want ErrConnection", err)
	}
}

// TestWindowHeld: deliveries received but not settled count against the window: a broker
// sending one more while the consumer holds window of them ends the connection, though the
// consumer's queue is empty.
func TestWindowHeld(t *testing.T) {
	held := make(chan struct{})
	addr := fakeBroker(t, func(d *Decoder, c net.Conn) {
		sub := answerSubscribe(d, c)
		msg := "MESSAGE\nsubscription:" + sub + "\nack:%d\n\n\x00"
		fmt.Fprintf(c, msg+msg, 1, 2)
		select {
		case <-held:
		case <-time.After(testTimeout):
			return
		}
		fmt.Fprintf(c, msg, 3)
		d.Read()
	})
	br, err := Dial("stomp://"+addr, WithHeartbeat(0))(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	cons, err := br.Consumer(testCtx(t), "/queue/q", 2)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := cons.Receive(testCtx(t)); err != nil {
			t.Fatal(err)
		}
	}
	close(held)
	if d, err := cons.Receive(testCtx(t)); !errors.Is(err, bridge.ErrConnection) {
		t.Fatalf("third delivery with two held: %v, %v; want ErrConnection", d, err)
	}
}
