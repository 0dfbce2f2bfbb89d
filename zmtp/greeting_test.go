package zmtp

import (
	"bytes"
	"errors"
	"testing"
)

// rfc23NullGreeting is the full NULL greeting of the RFC 23 worked example
// (version 3.0, mechanism "NULL", as-server 0).
func rfc23NullGreeting() []byte {
	b := []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0x03, 0x00}
	b = append(b, "NULL"...)
	b = append(b, make([]byte, 16)...) // mechanism padding
	b = append(b, 0x00)                // as-server
	b = append(b, make([]byte, 31)...) // filler
	return b
}

// greetingWith returns the RFC 23 NULL greeting modified by edit.
func greetingWith(edit func(b []byte)) []byte {
	b := rfc23NullGreeting()
	edit(b)
	return b
}

func TestGreetingAppendRFC23(t *testing.T) {
	got := Greeting{Major: 3, Minor: 0, Mechanism: "NULL"}.Append(nil)
	if want := rfc23NullGreeting(); !bytes.Equal(got, want) {
		t.Fatalf("Append = % x\nwant     % x", got, want)
	}
	if len(got) != GreetingSize {
		t.Fatalf("len = %d, want %d", len(got), GreetingSize)
	}
}

func TestGreetingAppend(t *testing.T) {
	tests := []struct {
		name     string
		g        Greeting
		mech     string // expected mechanism field before the NUL padding
		asServer byte
	}{
		{"null31", Greeting{3, 1, "NULL", false}, "NULL", 0},
		{"plainServer", Greeting{3, 1, "PLAIN", true}, "PLAIN", 1},
		{"curve", Greeting{3, 0, "CURVE", false}, "CURVE", 0},
		{"twenty", Greeting{3, 1, "ABCDEFGHIJ0123456789", false}, "ABCDEFGHIJ0123456789", 0},
		{"truncated", Greeting{3, 1, "ABCDEFGHIJ0123456789XYZ", false}, "ABCDEFGHIJ0123456789", 0},
		{"empty", Greeting{3, 1, "", false}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte("prefix")
			b := tt.g.Append(append([]byte(nil), prefix...))
			if !bytes.HasPrefix(b, prefix) {
				t.Fatalf("prefix clobbered: % x", b)
			}
			b = b[len(prefix):]
			if len(b) != GreetingSize {
				t.Fatalf("appended %d bytes, want %d", len(b), GreetingSize)
			}
			if b[0] != 0xFF || b[9] != 0x7F || !bytes.Equal(b[1:9], make([]byte, 8)) {
				t.Errorf("bad signature % x", b[:10])
			}
			if b[10] != tt.g.Major || b[11] != tt.g.Minor {
				t.Errorf("version = %d.%d", b[10], b[11])
			}
			wantMech := make([]byte, 20)
			copy(wantMech, tt.mech)
			if !bytes.Equal(b[12:32], wantMech) {
				t.Errorf("mechanism field = %q, want %q", b[12:32], wantMech)
			}
			if b[32] != tt.asServer {
				t.Errorf("as-server = %d, want %d", b[32], tt.asServer)
			}
			if !bytes.Equal(b[33:], make([]byte, 31)) {
				t.Errorf("filler not zero: % x", b[33:])
			}
		})
	}
}

func TestCheckSignature(t *testing.T) {
	full := rfc23NullGreeting()
	tests := []struct {
		name      string
		in        []byte
		wantMajor uint8
		wantErr   error
	}{
		{"empty", nil, 0, ErrNeedMore},
		{"oneByte", full[:1], 0, ErrNeedMore},
		{"tenBytes", full[:10], 0, ErrNeedMore},
		{"exact", full[:SignatureSize], 3, nil},
		{"full", full, 3, nil},
		{"major4", append([]byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F}, 4), 4, nil},
		// RFC 23: padding is not significant and must not be validated.
		{"padding", []byte{0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 0x7F, 3}, 3, nil},
		// ZMTP 1.0: short identity frame (length 1, flags 0).
		{"zmtp10Short", []byte{0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, ErrVersion},
		// ZMTP 1.0: long identity frame, flags byte (byte 9) has low bit 0.
		{"zmtp10Long", []byte{0xFF, 0, 0, 0, 0, 0, 0, 1, 0, 0x00, 'x'}, 0, ErrVersion},
		{"zmtp10LongFlags7E", []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7E, 'x'}, 0, ErrVersion},
		// ZMTP 2.0 greeting: signature, revision 0x01, socket type, identity.
		{"zmtp20", []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0x01, 0x05, 0x00, 0x00}, 1, ErrVersion},
		{"major2", []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0x02}, 2, ErrVersion},
		{"major0", []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0x00}, 0, ErrVersion},
		{"badSigEnd", []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x03}, 0, ErrMalformed},
		{"badSigEndFF", []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0x03}, 0, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			major, err := CheckSignature(tt.in)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if major != tt.wantMajor {
				t.Errorf("major = %d, want %d", major, tt.wantMajor)
			}
		})
	}
}

func TestParseGreeting(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    Greeting
		wantErr error
	}{
		{"rfc23", rfc23NullGreeting(), Greeting{3, 0, "NULL", false}, nil},
		{"minor1", greetingWith(func(b []byte) { b[11] = 1 }), Greeting{3, 1, "NULL", false}, nil},
		{"minor9", greetingWith(func(b []byte) { b[11] = 9 }), Greeting{3, 9, "NULL", false}, nil},
		{"major4", greetingWith(func(b []byte) { b[10] = 4 }), Greeting{4, 0, "NULL", false}, nil},
		{"asServer", greetingWith(func(b []byte) { copy(b[12:], "PLAIN"); b[32] = 1 }), Greeting{3, 0, "PLAIN", true}, nil},
		{"allChars", greetingWith(func(b []byte) { copy(b[12:32], "AZ09-_.+XXXXXXXXXXXX") }), Greeting{3, 0, "AZ09-_.+XXXXXXXXXXXX", false}, nil},
		{"paddingIgnored", greetingWith(func(b []byte) { copy(b[1:9], "garbage!") }), Greeting{3, 0, "NULL", false}, nil},
		{"fillerIgnored", greetingWith(func(b []byte) { b[63] = 0xAA }), Greeting{3, 0, "NULL", false}, nil},
		{"trailingIgnored", append(rfc23NullGreeting(), 0x04, 0x29), Greeting{3, 0, "NULL", false}, nil},

		{"empty", nil, Greeting{}, ErrNeedMore},
		{"signatureOnly", rfc23NullGreeting()[:SignatureSize], Greeting{}, ErrNeedMore},
		{"oneShort", rfc23NullGreeting()[:GreetingSize-1], Greeting{}, ErrNeedMore},
		{"zmtp10", append([]byte{0x01, 0x00}, make([]byte, 62)...), Greeting{}, ErrVersion},
		// Version errors do not wait for 64 bytes: an old peer may send fewer.
		{"zmtp10Partial", []byte{0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0}, Greeting{}, ErrVersion},
		{"zmtp20Partial", []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0x01, 0x05, 0x00, 0x00}, Greeting{}, ErrVersion},
		{"nineBytes", rfc23NullGreeting()[:9], Greeting{}, ErrNeedMore},
		{"zmtp20", greetingWith(func(b []byte) { b[10] = 1 }), Greeting{}, ErrVersion},
		{"major2", greetingWith(func(b []byte) { b[10] = 2 }), Greeting{}, ErrVersion},
		{"badSignature", greetingWith(func(b []byte) { b[9] = 0x7D }), Greeting{}, ErrMalformed},
		{"lowerCaseMech", greetingWith(func(b []byte) { copy(b[12:], "null") }), Greeting{}, ErrMalformed},
		{"emptyMech", greetingWith(func(b []byte) { copy(b[12:], "\x00\x00\x00\x00") }), Greeting{}, ErrMalformed},
		{"spaceInMech", greetingWith(func(b []byte) { copy(b[12:], "NU L") }), Greeting{}, ErrMalformed},
		{"spacePadded", greetingWith(func(b []byte) { copy(b[16:32], "                ") }), Greeting{}, ErrMalformed},
		{"nonNULAfterNUL", greetingWith(func(b []byte) { b[20] = 'X' }), Greeting{}, ErrMalformed},
		{"lastPadByte", greetingWith(func(b []byte) { b[31] = 'X' }), Greeting{}, ErrMalformed},
		{"highByteMech", greetingWith(func(b []byte) { b[13] = 0xC3 }), Greeting{}, ErrMalformed},
		{"asServer2", greetingWith(func(b []byte) { b[32] = 2 }), Greeting{}, ErrMalformed},
		{"asServerFF", greetingWith(func(b []byte) { b[32] = 0xFF }), Greeting{}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ParseGreeting(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if g != tt.want {
				t.Errorf("got %+v, want %+v", g, tt.want)
			}
		})
	}
}

func TestGreetingRoundTrip(t *testing.T) {
	for _, g := range []Greeting{
		{3, 0, "NULL", false},
		{3, 1, "NULL", false},
		{3, 1, "PLAIN", true},
		{3, 1, "CURVE", false},
		{4, 7, "X-EXPERIMENT_1.0+", true},
		{255, 255, "ABCDEFGHIJKLMNOPQRST", true},
	} {
		got, err := ParseGreeting(g.Append(nil))
		if err != nil || got != g {
			t.Errorf("round trip %+v: got %+v, %v", g, got, err)
		}
	}
}

func TestParseGreetingNoAlloc(t *testing.T) {
	b := Greeting{Major: 3, Minor: 1, Mechanism: MechanismCurve}.Append(nil)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ParseGreeting(b); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("ParseGreeting allocates %v times for a standard mechanism", allocs)
	}
}

func FuzzGreeting(f *testing.F) {
	f.Add(Greeting{3, 0, "NULL", false}.Append(nil))
	f.Add(Greeting{3, 1, "PLAIN", true}.Append(nil))
	f.Add(Greeting{3, 1, "CURVE", false}.Append(nil))
	f.Add(Greeting{4, 2, "ABCDEFGHIJKLMNOPQRST", false}.Append(nil))
	f.Add(greetingWith(func(b []byte) { b[10] = 2 }))
	f.Add(greetingWith(func(b []byte) { copy(b[12:], "null") }))
	f.Add(rfc23NullGreeting()[:SignatureSize])
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseGreeting(data)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		major, err := CheckSignature(data)
		if err != nil || major != g.Major {
			t.Fatalf("CheckSignature = %d, %v; ParseGreeting major %d", major, err, g.Major)
		}
		enc := g.Append(nil)
		if len(enc) != GreetingSize {
			t.Fatalf("Append wrote %d bytes", len(enc))
		}
		g2, err := ParseGreeting(enc)
		if err != nil {
			t.Fatalf("re-parse of %+v: %v", g, err)
		}
		if g2 != g {
			t.Fatalf("round trip: %+v != %+v", g2, g)
		}
	})
}

// isSentinel reports whether err wraps one of the package's sentinel errors.
func isSentinel(err error) bool {
	return errors.Is(err, ErrNeedMore) || errors.Is(err, ErrMalformed) ||
		errors.Is(err, ErrVersion) || errors.Is(err, ErrMsgTooLarge)
}
