package wire

import (
	"errors"
	"testing"
	"time"
)

func TestHeaderRoundTrip(t *testing.T) {
	for _, h := range []Header{
		{Kind: Call, Codec: 1, ID: 42, Timeout: 1500 * time.Microsecond},
		{Kind: Reply, Codec: 2, Status: 7, ID: 1<<64 - 1},
		{Kind: Ready, ID: 8, Timeout: time.Second},
		{Kind: Kind(200)}, // kinds are the reader's to judge
	} {
		b := h.Marshal()
		if len(b) != HeaderLen {
			t.Fatalf("%+v: %d bytes", h, len(b))
		}
		got, err := ParseHeader(b)
		if err != nil || got != h {
			t.Errorf("round trip of %+v = %+v, %v", h, got, err)
		}
	}
}

func TestTimeouts(t *testing.T) {
	for _, tc := range []struct{ in, want time.Duration }{
		{0, 0}, {-time.Second, 0}, {time.Nanosecond, time.Microsecond}, {time.Hour, time.Hour},
	} {
		b := make([]byte, HeaderLen)
		Header{Kind: Call, Timeout: time.Minute}.Put(b)
		PutTimeout(b, tc.in)
		if h, err := ParseHeader(b); err != nil || h.Timeout != tc.want {
			t.Errorf("timeout %v came back as %v, %v; want %v", tc.in, h.Timeout, err, tc.want)
		}
	}
	b := Header{Kind: Call}.Marshal()
	for i := 12; i < HeaderLen; i++ {
		b[i] = 0xff
	}
	if h, err := ParseHeader(b); err != nil || h.Timeout != MaxTimeout {
		t.Errorf("the largest timeout = %v, %v; want it capped at %v", h.Timeout, err, MaxTimeout)
	}
}

func TestNotAHeader(t *testing.T) {
	good := Header{Kind: Call}.Marshal()
	bad := append([]byte(nil), good...)
	bad[0] = 2
	for _, b := range [][]byte{nil, good[:HeaderLen-1], append(good, 0), bad} {
		if _, err := ParseHeader(b); !errors.Is(err, ErrHeader) {
			t.Errorf("ParseHeader(%x) = %v, want ErrHeader", b, err)
		}
	}
}

func TestValidName(t *testing.T) {
	for _, tc := range []struct {
		b    []byte
		want bool
	}{
		{nil, true}, {[]byte("openstack/compute"), true}, {make([]byte, MaxName), true},
		{make([]byte, MaxName+1), false}, {[]byte{0xff}, false},
	} {
		if got := ValidName(tc.b); got != tc.want {
			t.Errorf("ValidName(%q) = %v, want %v", tc.b, got, tc.want)
		}
	}
}
