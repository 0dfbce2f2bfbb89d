package zmtp

import "testing"

func TestCompatible(t *testing.T) {
	// Expected peers, transcribed from the RFC 37 table.
	peers := map[string][]string{
		"REQ":     {"REP", "ROUTER"},
		"REP":     {"REQ", "DEALER"},
		"DEALER":  {"REP", "DEALER", "ROUTER"},
		"ROUTER":  {"REQ", "DEALER", "ROUTER"},
		"PUB":     {"SUB", "XSUB"},
		"XPUB":    {"SUB", "XSUB"},
		"SUB":     {"PUB", "XPUB"},
		"XSUB":    {"PUB", "XPUB"},
		"PUSH":    {"PULL"},
		"PULL":    {"PUSH"},
		"PAIR":    {"PAIR"},
		"CLIENT":  {"SERVER"},
		"SERVER":  {"CLIENT"},
		"RADIO":   {"DISH"},
		"DISH":    {"RADIO"},
		"SCATTER": {"GATHER"},
		"GATHER":  {"SCATTER"},
		"PEER":    {"PEER"},
		"CHANNEL": {"CHANNEL"},
	}
	names := []string{"STREAM", "", "pair", "Req", "REQ ", "UNKNOWN"}
	for n := range peers {
		names = append(names, n)
	}
	for _, ours := range names {
		for _, theirs := range names {
			want := false
			for _, p := range peers[ours] {
				want = want || p == theirs
			}
			if got := Compatible(ours, theirs); got != want {
				t.Errorf("Compatible(%q, %q) = %v, want %v", ours, theirs, got, want)
			}
			if Compatible(ours, theirs) != Compatible(theirs, ours) {
				t.Errorf("Compatible(%q, %q) is not symmetric", ours, theirs)
			}
		}
	}
}

func TestValidSocketType(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"REQ", true}, {"REP", true}, {"DEALER", true}, {"ROUTER", true},
		{"PUB", true}, {"XPUB", true}, {"SUB", true}, {"XSUB", true},
		{"PUSH", true}, {"PULL", true}, {"PAIR", true},
		{"CLIENT", true}, {"SERVER", true}, {"RADIO", true}, {"DISH", true},
		{"SCATTER", true}, {"GATHER", true}, {"PEER", true}, {"CHANNEL", true},
		{"STREAM", false}, {"", false}, {"req", false}, {"PAIR\x00", false},
	}
	for _, tt := range tests {
		if got := ValidSocketType(tt.name); got != tt.want {
			t.Errorf("ValidSocketType(%q) = %v, want %v", tt.name, got, tt.want)
		}
		// Every valid type has at least one compatible peer, and only valid ones do.
		hasPeer := false
		for _, other := range []string{"REQ", "REP", "DEALER", "PUB", "SUB", "PUSH", "PULL", "PAIR",
			"CLIENT", "SERVER", "RADIO", "DISH", "SCATTER", "GATHER", "PEER", "CHANNEL"} {
			hasPeer = hasPeer || Compatible(tt.name, other)
		}
		if hasPeer != tt.want {
			t.Errorf("%q: has compatible peer = %v, valid = %v", tt.name, hasPeer, tt.want)
		}
	}
}
