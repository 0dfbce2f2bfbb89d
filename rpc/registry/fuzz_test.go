package registry

import (
	"errors"
	"slices"
	"testing"
)

// FuzzParseURL: any text parses into a URL or fails with ErrBadURL, never panics; a URL
// without a password prints as a URL that parses the same.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"zmq://h1:5555,h2:5556", "zmq+redis://:pw@h1:6379,h2/3",
		"zmq+redis+sentinel://s1,s2:26380/mymaster/1", "zmq+redis://[::1]:6379/0", "tcp://x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			if !errors.Is(err, ErrBadURL) {
				t.Fatalf("ParseURL(%q) = %v, not ErrBadURL", s, err)
			}
			return
		}
		if u.Password != "" {
			return // String hides it
		}
		again, err := ParseURL(u.String())
		if err != nil || again.Scheme != u.Scheme || !slices.Equal(again.Hosts, u.Hosts) ||
			again.DB != u.DB || again.MasterName != u.MasterName || again.Username != u.Username {
			t.Fatalf("%q parsed as %+v, printed %q, which parses as %+v, %v", s, u, u.String(), again, err)
		}
	})
}

// FuzzParseFile: any file content gives valid entries or an error, never a panic; what it
// gives has only valid keys and sorted, distinct endpoints.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(`{"openstack/compute": ["tcp://127.0.0.1:5555", "tcp://127.0.0.1:5556"]}`))
	f.Add([]byte(`{"k": []}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"k": ["tcp://a:1"]} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseFile(data)
		if err != nil {
			return
		}
		for key, eps := range entries {
			if CheckKey(key) != nil {
				t.Fatalf("key %q accepted", key)
			}
			for i, ep := range eps {
				if CheckEndpoint(ep) != nil || i > 0 && eps[i-1] >= ep {
					t.Fatalf("endpoints %q of %q: invalid, unsorted or repeated", eps, key)
				}
			}
		}
	})
}
