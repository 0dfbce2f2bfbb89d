package rpc

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestRequestRoundTrip(t *testing.T) {
	for _, r := range []request{
		{header: header{kind: kindCall, codec: 1, id: 42, timeout: 1500 * time.Microsecond},
			key: "openstack/compute", namespace: "ns", version: "1.2", method: "echo", args: []byte(`{"a":1}`)},
		{header: header{kind: kindCast, codec: 2, id: 0}, key: "x/y/host1", method: "m", args: []byte{0x80},
			meta: map[string]string{"traceparent": "00-abc-def-01"}},
		{header: header{kind: kindCancel, id: 7}},
	} {
		got, err := parseRequest(r.frames())
		if err != nil {
			t.Fatalf("parse(%+v): %v", r, err)
		}
		if got.args == nil && r.args != nil || !reflect.DeepEqual(got.header, r.header) || got.key != r.key ||
			got.method != r.method || got.namespace != r.namespace || got.version != r.version ||
			!bytes.Equal(got.args, r.args) || !reflect.DeepEqual(got.meta, r.meta) {
			t.Errorf("round trip of %+v = %+v", r, got)
		}
	}
}

func TestTimeoutOnTheWire(t *testing.T) {
	for _, tc := range []struct{ in, want time.Duration }{
		{0, 0}, {time.Nanosecond, time.Microsecond}, {1500 * time.Microsecond, 1500 * time.Microsecond},
		{time.Hour, time.Hour}, {-time.Second, 0},
	} {
		h, err := parseHeader(header{kind: kindCall, codec: 1, timeout: tc.in}.marshal())
		if err != nil || h.timeout != tc.want {
			t.Errorf("timeout %v came back as %v, %v; want %v", tc.in, h.timeout, err, tc.want)
		}
	}
	b := header{kind: kindCall, codec: 1}.marshal()
	for i := 12; i < 20; i++ {
		b[i] = 0xff
	}
	if h, err := parseHeader(b); err != nil || h.timeout != maxTimeout {
		t.Errorf("the largest timeout = %v, %v; want it capped at %v", h.timeout, err, maxTimeout)
	}
}

func TestMalformedRequests(t *testing.T) {
	good := (&request{header: header{kind: kindCall, codec: 1, id: 1}, key: "a/b", method: "m", args: []byte("1")}).frames()
	with := func(i int, f []byte) [][]byte {
		c := append([][]byte(nil), good...)
		c[i] = f
		return c
	}
	hdr := func(edit func(b []byte)) []byte {
		b := append([]byte(nil), good[0]...)
		edit(b)
		return b
	}
	for name, frames := range map[string][][]byte{
		"none":              nil,
		"short header":      with(0, good[0][:19]),
		"long header":       with(0, append(append([]byte(nil), good[0]...), 0)),
		"version 2":         with(0, hdr(func(b []byte) { b[0] = 2 })),
		"kind 0":            with(0, hdr(func(b []byte) { b[1] = 0 })),
		"kind 9":            with(0, hdr(func(b []byte) { b[1] = 9 })),
		"reply as request":  with(0, hdr(func(b []byte) { b[1] = byte(kindReply) })),
		"codec 7":           with(0, hdr(func(b []byte) { b[2] = 7 })),
		"status in request": with(0, hdr(func(b []byte) { b[3] = 5 })),
		"status 200":        with(0, hdr(func(b []byte) { b[3] = 200 })),
		"too few frames":    good[:5],
		"too many frames":   append(append([][]byte(nil), good...), []byte("{}"), []byte("x")),
		"empty key":         with(1, nil),
		"empty method":      with(4, nil),
		"long method":       with(4, bytes.Repeat([]byte("m"), 256)),
		"not UTF-8":         with(2, []byte{0xff, 0xfe}),
		"bad metadata":      append(append([][]byte(nil), good...), []byte(`{"a":1}`)),
		"cancel with body":  append([][]byte{hdr(func(b []byte) { b[1] = byte(kindCancel) })}, []byte("x")),
	} {
		if _, err := parseRequest(frames); !errors.Is(err, errMalformed) {
			t.Errorf("%s: parseRequest = %v, want errMalformed", name, err)
		}
	}
}

func TestReplyAndErrorObject(t *testing.T) {
	for _, c := range []Codec{JSON, Msgpack} {
		e := &Error{Code: Remote, Message: "boom", Details: map[string]string{"k": "v"}, Type: "app.Err"}
		r := reply{header: header{kind: kindReply, codec: c.ID(), status: Remote, id: 9}, body: encodeError(c, e)}
		got, err := parseReply(r.frames())
		if err != nil {
			t.Fatal(err)
		}
		de := decodeError(c, got.status, got.body)
		if de.Code != Remote || de.Message != "boom" || de.Details["k"] != "v" || de.Type != "app.Err" || got.id != 9 {
			t.Errorf("%s: error came back as %+v (id %d)", c.Name(), de, got.id)
		}
		if de := decodeError(c, NotFound, []byte{0xc1, 0xff}); de.Code != NotFound {
			t.Errorf("%s: an undecodable body gives %v, want its status", c.Name(), de.Code)
		}
	}
	for _, frames := range [][][]byte{nil, {header{kind: kindReply, codec: 1}.marshal()},
		{header{kind: kindCall, codec: 1}.marshal(), nil}} {
		if _, err := parseReply(frames); !errors.Is(err, errMalformed) {
			t.Errorf("parseReply(%d frames) = %v, want errMalformed", len(frames), err)
		}
	}
}

// FuzzParseRequest: whatever arrives, parsing returns a request or errMalformed, never panics,
// and what parses re-encodes to frames that parse the same.
func FuzzParseRequest(f *testing.F) {
	good := (&request{header: header{kind: kindCall, codec: 1, id: 1, timeout: time.Second}, key: "a/b",
		namespace: "n", version: "1.0", method: "m", args: []byte("1"), meta: map[string]string{"x": "y"}}).frames()
	f.Add(good[0], good[1], good[4], good[5], good[6], uint8(7))
	f.Add(header{kind: kindCancel, id: 3}.marshal(), []byte{}, []byte{}, []byte{}, []byte{}, uint8(1))
	f.Fuzz(func(t *testing.T, h, key, method, args, meta []byte, n uint8) {
		frames := [][]byte{h, key, []byte("ns"), []byte("1.0"), method, args, meta}[:int(n)%8]
		r, err := parseRequest(frames)
		if err != nil {
			if !errors.Is(err, errMalformed) {
				t.Fatalf("error %v is not errMalformed", err)
			}
			return
		}
		again, err := parseRequest(r.frames())
		if err != nil || again.key != r.key || again.method != r.method || !bytes.Equal(again.args, r.args) ||
			!reflect.DeepEqual(again.meta, r.meta) && len(r.meta) > 0 {
			t.Fatalf("re-encoded %+v parses as %+v, %v", r, again, err)
		}
	})
}

// FuzzParseReply: a client reading whatever comes back gets a reply or errMalformed, and any
// error body decodes to an *Error of the reply's status in either codec, never a panic.
func FuzzParseReply(f *testing.F) {
	ok := (&reply{header: header{kind: kindReply, codec: 1, id: 5}, body: []byte(`{"a":1}`)}).frames()
	f.Add(ok[0], ok[1])
	e := (&reply{header: header{kind: kindReply, codec: 2, status: Remote, id: 6},
		body: encodeError(Msgpack, &Error{Code: Remote, Message: "x", Details: map[string]string{"k": "v"}})}).frames()
	f.Add(e[0], e[1])
	f.Fuzz(func(t *testing.T, h, body []byte) {
		r, err := parseReply([][]byte{h, body})
		if err != nil {
			if !errors.Is(err, errMalformed) {
				t.Fatalf("error %v is not errMalformed", err)
			}
		} else if r.status != OK {
			cd, _ := codecByID(r.codec)
			if de := decodeError(cd, r.status, r.body); de.Code != r.status {
				t.Fatalf("error body decoded with code %v, status %v", de.Code, r.status)
			}
		}
		for _, cd := range []Codec{JSON, Msgpack} {
			_ = decodeError(cd, Internal, body)
		}
	})
}
