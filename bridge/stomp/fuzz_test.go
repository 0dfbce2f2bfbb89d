package stomp

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzDecode: any input decodes or fails with an error, within the limits; what decodes
// encodes again and decodes to the same frame. Seeds in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	for _, fr := range []Frame{
		{Command: "CONNECTED", Headers: []Header{{"version", "1.2"}, {"heart-beat", "1000,1000"}}},
		{Command: "MESSAGE", Headers: []Header{{"subscription", "s1"}, {"ack", "T_s1@@x@@1"}, {"k:\n", "\\\r"}}, Body: []byte("a\x00b")},
		{Command: "RECEIPT", Headers: []Header{{"receipt-id", "r1"}}},
		{Command: "ERROR", Headers: []Header{{"message", "not_found"}}, Body: []byte("no exchange")},
	} {
		b, err := AppendFrame(nil, &fr)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	lim := Limits{MaxLine: 256, MaxHeaders: 16, MaxHeaderBytes: 1024, MaxBody: 4096}
	f.Fuzz(func(t *testing.T, in []byte) {
		d := NewDecoder(bytes.NewReader(in), lim)
		for {
			fr, err := d.Read()
			if err != nil {
				return
			}
			if len(fr.Body) > lim.MaxBody || len(fr.Headers) > lim.MaxHeaders {
				t.Fatalf("over the limits: %d body bytes, %d headers", len(fr.Body), len(fr.Headers))
			}
			b, err := AppendFrame(nil, fr)
			if err != nil {
				t.Fatalf("decoded %+v does not encode: %v", fr, err)
			}
			again, err := NewDecoder(bytes.NewReader(b), Limits{}).Read()
			if err != nil {
				t.Fatalf("%q does not decode again: %v", b, err)
			}
			if !reflect.DeepEqual(fr, again) {
				t.Fatalf("round trip: %+v became %+v", fr, again)
			}
		}
	})
}
