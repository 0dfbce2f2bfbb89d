package rpc

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzJSONBytes holds the JSON codec's []byte shortcut to encoding/json: the same encoding of
// any bytes, and for any input the same decoded bytes, or an error where encoding/json has one.
func FuzzJSONBytes(f *testing.F) {
	for _, s := range []string{`"aGVsbG8="`, `null`, `""`, ` "QUJD" `, `"QUJD\nRA=="`, "\"QUJD\nRA==\"",
		`"QUJ"`, `"Q\u0055JD"`, `"@@@@"`, `[1,2]`, `"QUJD"x`, `"`, "\"\xff\xfe\"", `"QUJD"  `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := JSON.Marshal(data); !bytes.Equal(got, want) {
			t.Fatalf("Marshal(%q) = %s, encoding/json %s", data, got, want)
		}
		if got, _ := JSON.Marshal(&data); !bytes.Equal(got, want) {
			t.Fatalf("Marshal(&%q) = %s, encoding/json %s", data, got, want)
		}

		var ours, theirs []byte
		errOurs := JSON.Unmarshal(data, &ours)
		errTheirs := json.Unmarshal(data, &theirs)
		if (errOurs == nil) != (errTheirs == nil) {
			t.Fatalf("Unmarshal(%q): error %v, encoding/json's %v", data, errOurs, errTheirs)
		}
		if errOurs == nil && (!bytes.Equal(ours, theirs) || (ours == nil) != (theirs == nil)) {
			t.Fatalf("Unmarshal(%q) = %q (nil %v), encoding/json %q (nil %v)", data, ours, ours == nil, theirs, theirs == nil)
		}
	})
}

// TestJSONNilBytes: a nil slice is null both ways, as with encoding/json.
func TestJSONNilBytes(t *testing.T) {
	var b []byte
	if got, _ := JSON.Marshal(b); string(got) != "null" {
		t.Fatalf("Marshal(nil) = %s, want null", got)
	}
	if got, _ := JSON.Marshal((*[]byte)(nil)); string(got) != "null" {
		t.Fatalf("Marshal((*[]byte)(nil)) = %s, want null", got)
	}
	out := []byte("x")
	if err := JSON.Unmarshal([]byte("null"), &out); err != nil || out != nil {
		t.Fatalf("Unmarshal(null) = %q, %v; want nil", out, err)
	}
}
