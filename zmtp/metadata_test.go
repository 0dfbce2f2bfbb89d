package zmtp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// rfc23DealerMetadata is the READY body of the RFC 23 worked example, after
// the command name: Socket-Type "DEALER" and an empty Identity.
var rfc23DealerMetadata = []byte("\x0bSocket-Type\x00\x00\x00\x06DEALER" + "\x08Identity\x00\x00\x00\x00")

func TestMetadataAppend(t *testing.T) {
	long := strings.Repeat("n", 300)
	tests := []struct {
		name string
		md   Metadata
		want []byte
	}{
		{"nil", nil, nil},
		{"rfc23", Metadata{{PropSocketType, []byte("DEALER")}, {PropIdentity, nil}}, rfc23DealerMetadata},
		{"binaryValue", Metadata{{"X-Bin", []byte{0, 1, 2}}}, []byte("\x05X-Bin\x00\x00\x00\x03\x00\x01\x02")},
		{"nameTruncated", Metadata{{long, []byte("v")}}, append(append([]byte{255}, long[:255]...), 0, 0, 0, 1, 'v')},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.md.Append([]byte("pre"))
			if want := append([]byte("pre"), tt.want...); !bytes.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
			if n := tt.md.EncodedLen(); n != len(tt.want) {
				t.Errorf("EncodedLen = %d, want %d", n, len(tt.want))
			}
		})
	}
}

func TestMetadataGet(t *testing.T) {
	md := Metadata{
		{"Socket-Type", []byte("ROUTER")},
		{"identity", []byte("id1")},
		{"IDENTITY", []byte("id2")},
		{"X-Empty", []byte{}},
	}
	tests := []struct {
		name   string
		want   string
		wantOK bool
	}{
		{PropSocketType, "ROUTER", true},
		{"socket-type", "ROUTER", true},
		{"SOCKET-TYPE", "ROUTER", true},
		{PropIdentity, "id1", true}, // first of the duplicates
		{"x-empty", "", true},
		{PropResource, "", false},
		{"Socket-Typ", "", false},
		{"", "", false},
		{"\u212aEY", "", false}, // Kelvin sign must not fold to 'k'
	}
	for _, tt := range tests {
		v, ok := md.Get(tt.name)
		if ok != tt.wantOK || string(v) != tt.want {
			t.Errorf("Get(%q) = %q, %v; want %q, %v", tt.name, v, ok, tt.want, tt.wantOK)
		}
	}
	if _, ok := Metadata(nil).Get(PropSocketType); ok {
		t.Error("Get on nil Metadata found a value")
	}
}

func TestParseMetadata(t *testing.T) {
	name255 := strings.Repeat("a", 255)
	tests := []struct {
		name    string
		in      []byte
		want    Metadata
		wantErr error
	}{
		{"empty", nil, nil, nil},
		{"rfc23", rfc23DealerMetadata, Metadata{{"Socket-Type", []byte("DEALER")}, {"Identity", []byte{}}}, nil},
		{"allNameChars", []byte("\x0aAz09-_.+Xy\x00\x00\x00\x01!"), Metadata{{"Az09-_.+Xy", []byte("!")}}, nil},
		{"name255", append(append([]byte{255}, name255...), 0, 0, 0, 0), Metadata{{name255, []byte{}}}, nil},
		{"order", []byte("\x01B\x00\x00\x00\x01b\x01A\x00\x00\x00\x01a"), Metadata{{"B", []byte("b")}, {"A", []byte("a")}}, nil},

		{"nameSizeZero", []byte("\x00\x00\x00\x00\x00"), nil, ErrMalformed},
		{"nameTruncated", []byte("\x0bSocket"), nil, ErrMalformed},
		{"nameSizeOnly", []byte("\x05"), nil, ErrMalformed},
		{"noValueSize", []byte("\x01A"), nil, ErrMalformed},
		{"valueSizeTruncated", []byte("\x01A\x00\x00"), nil, ErrMalformed},
		{"valuePastEnd", []byte("\x01A\x00\x00\x00\x05abcd"), nil, ErrMalformed},
		{"valueHugeSize", []byte("\x01A\xff\xff\xff\xffabcd"), nil, ErrMalformed},
		{"valueAboveInt32", []byte("\x01A\x80\x00\x00\x00"), nil, ErrMalformed},
		{"secondTruncated", append(append([]byte(nil), rfc23DealerMetadata...), 0x03, 'a'), nil, ErrMalformed},
		{"spaceInName", []byte("\x02A \x00\x00\x00\x00"), nil, ErrMalformed},
		{"nulInName", []byte("\x02A\x00\x00\x00\x00\x00"), nil, ErrMalformed},
		{"colonInName", []byte("\x02A:\x00\x00\x00\x00"), nil, ErrMalformed},
		{"highByteInName", []byte("\x02A\xc3\x00\x00\x00\x00"), nil, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, err := ParseMetadata(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if md != nil {
					t.Errorf("metadata %v returned with error", md)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if !equalMetadata(md, tt.want) {
				t.Errorf("got %q, want %q", md, tt.want)
			}
		})
	}
}

func TestParseMetadataAliases(t *testing.T) {
	in := append([]byte(nil), rfc23DealerMetadata...)
	md, err := ParseMetadata(in)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := md.Get(PropSocketType)
	if cap(v) != len(v) {
		t.Errorf("value capacity %d exceeds length %d: appends would clobber the input", cap(v), len(v))
	}
	in[16] = 'd' // first byte of "DEALER" (1+11+4)
	if string(v) != "dEALER" {
		t.Errorf("value does not alias input: %q", v)
	}
}

func TestMetadataRoundTrip(t *testing.T) {
	for _, md := range []Metadata{
		{{PropSocketType, []byte("ROUTER")}},
		{{PropSocketType, []byte("DEALER")}, {PropIdentity, []byte{}}, {PropResource, []byte("a/b")}},
		{{PropRoutingID, bytes.Repeat([]byte{0xFF}, 1000)}, {"X-Dup", []byte("1")}, {"x-dup", []byte("2")}},
	} {
		got, err := ParseMetadata(md.Append(nil))
		if err != nil || !equalMetadata(got, md) {
			t.Errorf("round trip %q: got %q, %v", md, got, err)
		}
	}
}

func equalMetadata(a, b Metadata) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || !bytes.Equal(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

func FuzzMetadata(f *testing.F) {
	f.Add([]byte{})
	f.Add(rfc23DealerMetadata)
	f.Add(Metadata{{PropSocketType, []byte("SUB")}, {PropResource, []byte("x/y")}}.Append(nil))
	f.Add(Metadata{{"X-Bin", []byte{0, 0xFF, 0x7F}}, {PropRoutingID, nil}}.Append(nil))
	f.Add([]byte("\x01A\xff\xff\xff\xffabcd"))
	f.Add([]byte("\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := ParseMetadata(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		enc := md.Append(nil)
		if !bytes.Equal(enc, data) { // the encoding is canonical
			t.Fatalf("re-encoded %q, input %q", enc, data)
		}
		if md.EncodedLen() != len(enc) {
			t.Fatalf("EncodedLen %d, Append wrote %d", md.EncodedLen(), len(enc))
		}
		md2, err := ParseMetadata(enc)
		if err != nil || !equalMetadata(md2, md) {
			t.Fatalf("round trip: %q, %v; want %q", md2, err, md)
		}
		for _, p := range md {
			if _, ok := md.Get(strings.ToUpper(p.Name)); !ok {
				t.Fatalf("Get(%q) failed", strings.ToUpper(p.Name))
			}
		}
	})
}
