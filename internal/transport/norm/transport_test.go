package norm

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/purezmq/zmq/internal/zerr"
)

func TestParseEndpoint(t *testing.T) {
	good := []struct {
		addr string
		want Endpoint
	}{
		{"239.192.1.1:5555", Endpoint{Session: netip.MustParseAddrPort("239.192.1.1:5555")}},
		{"eth0;239.192.1.1:5555", Endpoint{Iface: "eth0", Session: netip.MustParseAddrPort("239.192.1.1:5555")}},
		{"7,10.0.0.1;239.192.1.1:1", Endpoint{Node: 7, Iface: "10.0.0.1", Session: netip.MustParseAddrPort("239.192.1.1:1")}},
		{"10.0.0.2:6000", Endpoint{Session: netip.MustParseAddrPort("10.0.0.2:6000")}},
	}
	for _, g := range good {
		got, err := ParseEndpoint(g.addr)
		if err != nil || got != g.want {
			t.Errorf("ParseEndpoint(%q) = %+v, %v; want %+v", g.addr, got, err, g.want)
		}
	}
	for _, bad := range []string{"", "239.192.1.1", "239.192.1.1:0", "239.192.1.1:65536", "x,239.192.1.1:5", "0,239.192.1.1:5",
		"4294967295,239.192.1.1:5", "[ff02::1]:5", "host.example:5", "0.0.0.0:5", "eth0;:5"} {
		if _, err := ParseEndpoint(bad); !errors.Is(err, zerr.ErrEndpoint) {
			t.Errorf("ParseEndpoint(%q): %v, want ErrEndpoint", bad, err)
		}
	}
}

func TestQuantize(t *testing.T) {
	for _, ms := range []float64{0.5, 10, 100, 500, 15000} {
		d := msDur(ms)
		back := unquantizeRTT(quantizeRTT(d))
		if back < d || float64(back) > float64(d)*1.1 {
			t.Errorf("RTT %v -> %d -> %v", d, quantizeRTT(d), back)
		}
	}
	// NRL's captured values: GRTT 0x94 is about 0.27 s, a CC rate 0x5c52 about 360 B/s.
	if d := unquantizeRTT(0x94); d.Seconds() < 0.26 || d.Seconds() > 0.28 {
		t.Errorf("GRTT 0x94 = %v", d)
	}
	if r := unquantizeRate(0x5c52); r < 350 || r > 370 {
		t.Errorf("rate 0x5c52 = %v", r)
	}
	for _, r := range []float64{2880, 1e5, 12.5e6} {
		if back := unquantizeRate(quantizeRate(r)); back < r*0.99 || back > r*1.01 {
			t.Errorf("rate %v -> %v", r, back)
		}
	}
}
