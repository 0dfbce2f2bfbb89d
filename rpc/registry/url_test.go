package registry

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in   string
		want URL
	}{
		{"zmq://127.0.0.1:5555", URL{Scheme: SchemeZMQ, Hosts: []string{"127.0.0.1:5555"}}},
		{"zmq://h1:1,h2:2", URL{Scheme: SchemeZMQ, Hosts: []string{"h1:1", "h2:2"}}},
		{"ZMQ://[::1]:9", URL{Scheme: SchemeZMQ, Hosts: []string{"[::1]:9"}}},
		{"zmq+redis://127.0.0.1:6379/0", URL{Scheme: SchemeRedis, Hosts: []string{"127.0.0.1:6379"}}},
		{"zmq+redis://h1", URL{Scheme: SchemeRedis, Hosts: []string{"h1:6379"}}},
		{"zmq+redis://h1/", URL{Scheme: SchemeRedis, Hosts: []string{"h1:6379"}}},
		{"zmq+redis://:s%40cret@h1:7000,h2,[::1]/3",
			URL{Scheme: SchemeRedis, Hosts: []string{"h1:7000", "h2:6379", "[::1]:6379"}, Password: "s@cret", DB: 3}},
		{"zmq+redis://bob:pw@h1:6379/1", URL{Scheme: SchemeRedis, Hosts: []string{"h1:6379"}, Username: "bob", Password: "pw", DB: 1}},
		{"zmq+redis+sentinel://h1:26379,h2/mymaster/2",
			URL{Scheme: SchemeSentinel, Hosts: []string{"h1:26379", "h2:26379"}, MasterName: "mymaster", DB: 2}},
		{"zmq+redis+sentinel://:pw@h1/mymaster",
			URL{Scheme: SchemeSentinel, Hosts: []string{"h1:26379"}, Password: "pw", MasterName: "mymaster"}},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.in)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tt.in, err)
			continue
		}
		if got.Scheme != tt.want.Scheme || !slices.Equal(got.Hosts, tt.want.Hosts) || got.Username != tt.want.Username ||
			got.Password != tt.want.Password || got.DB != tt.want.DB || got.MasterName != tt.want.MasterName {
			t.Errorf("ParseURL(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseURLBad(t *testing.T) {
	for _, in := range []string{
		"",
		"127.0.0.1:5555",
		"tcp://127.0.0.1:5555",
		"redis://h1:6379/0",
		"zmq://",
		"zmq://h1", // zmq needs a port
		"zmq://h1:0",
		"zmq://h1:65536",
		"zmq://h1:+5",
		"zmq://h1:x",
		"zmq://h1:1,",
		"zmq://,h1:1",
		"zmq://h1:1/path",
		"zmq://:pw@h1:1",
		"zmq+redis://h1:6379/x",
		"zmq+redis://h1:6379/-1",
		"zmq+redis://h1:6379/0/1",
		"zmq+redis://h1:6379?db=0",
		"zmq+redis://h1:6379#frag",
		"zmq+redis://a:b:c",
		"zmq+redis://:pw@",
		"zmq+redis://h1:6379:1/0",
		"zmq+redis://h%zz:1/0",
		"zmq+redis://:%zz@h1/0",
		"zmq+redis+sentinel://h1:26379",
		"zmq+redis+sentinel://h1:26379/",
		"zmq+redis+sentinel://h1:26379/m/0/1",
		"zmq+redis+sentinel://h1:26379/m/x",
		"zmq+redis+sentinel://h1:26379/%zz",
	} {
		u, err := ParseURL(in)
		if !errors.Is(err, ErrBadURL) {
			t.Errorf("ParseURL(%q) = %+v, %v; want ErrBadURL", in, u, err)
		}
	}
}

func TestParseURLHidesPassword(t *testing.T) {
	_, err := ParseURL("zmq+redis://:hunter2@h1:6379/x")
	if !errors.Is(err, ErrBadURL) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v: want ErrBadURL without the password", err)
	}
	u, err := ParseURL("zmq+redis://:hunter2@h1:6379/4")
	if err != nil {
		t.Fatal(err)
	}
	if s := u.String(); strings.Contains(s, "hunter2") || s != "zmq+redis://:xxxxx@h1:6379/4" {
		t.Errorf("String() = %q", s)
	}
}

func TestURLEndpoints(t *testing.T) {
	u, err := ParseURL("zmq://127.0.0.1:1,127.0.0.1:2")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.Endpoints(), []string{"tcp://127.0.0.1:1", "tcp://127.0.0.1:2"}; !slices.Equal(got, want) {
		t.Errorf("Endpoints() = %v, want %v", got, want)
	}
	r, _ := ParseURL("zmq+redis://h1/0")
	if r.Endpoints() != nil {
		t.Errorf("a redis URL has no static endpoints, got %v", r.Endpoints())
	}
}
