package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"
)

func TestPrinter(t *testing.T) {
	bin := []byte{0x00, 0xff, '\n', 0xc3}
	for _, tc := range []struct {
		name     string
		format   outputFormat
		sep      string
		sepGiven bool
		nul      bool
		id       []byte
		frames   [][]byte
		want     string
	}{
		{"text", formatText, "|", false, false, nil, [][]byte{[]byte("a"), []byte("b")}, "a|b\n"},
		{"text -0", formatText, "|", false, true, nil, [][]byte{[]byte("a")}, "a\x00"},
		{"text empty frame", formatText, "|", false, false, nil, [][]byte{{}, []byte("x")}, "|x\n"},
		{"text router id", formatText, "|", false, false, []byte{0, 0x80}, [][]byte{[]byte("hi")}, "0x0080|hi\n"},
		{"hex", formatHex, "|", false, false, nil, [][]byte{bin, {}}, "00ff0ac3|\n"},
		{"hex router id", formatHex, ",", true, false, []byte("w"), [][]byte{[]byte("A")}, "77,41\n"},
		{"json text", formatJSON, "|", false, false, nil, [][]byte{[]byte("héllo"), {}}, `{"frames":["héllo",""]}` + "\n"},
		{"json binary", formatJSON, "|", false, false, nil, [][]byte{bin}, `{"frames":[{"base64":"AP8Kww=="}]}` + "\n"},
		{"json text that looks like base64", formatJSON, "|", false, false, nil, [][]byte{[]byte("AP8Kww==")}, `{"frames":["AP8Kww=="]}` + "\n"},
		{"json text that looks like the base64 object", formatJSON, "|", false, false, nil, [][]byte{[]byte(`{"base64":"QQ=="}`)}, `{"frames":["{\"base64\":\"QQ==\"}"]}` + "\n"},
		{"json id", formatJSON, "|", false, false, []byte{0, 1}, [][]byte{[]byte("<&>")}, `{"id":"0001","frames":["<&>"]}` + "\n"},
		{"json -0 still lines", formatJSON, "|", false, true, nil, [][]byte{[]byte("a")}, `{"frames":["a"]}` + "\n"},
		{"raw", formatRaw, "|", false, false, nil, [][]byte{bin, []byte("b")}, string(bin) + "b"},
		{"raw --sep", formatRaw, "|", true, false, nil, [][]byte{bin, []byte("b")}, string(bin) + "|b"},
		{"raw -0", formatRaw, "|", false, true, nil, [][]byte{bin}, string(bin) + "\x00"},
		{"raw leaves the id out", formatRaw, "|", false, false, []byte("id"), [][]byte{[]byte("x")}, "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			p := newPrinter(&out, tc.format, tc.sep, tc.sepGiven, tc.nul)
			if err := p.print(tc.id, tc.frames); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("got %q, want %q", out.String(), tc.want)
			}
		})
	}
}

// decodeJSONFrames reads frames back from --format json as a user's program would.
func decodeJSONFrames(t *testing.T, line []byte) [][]byte {
	t.Helper()
	var m struct{ Frames []json.RawMessage }
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	var frames [][]byte
	for _, raw := range m.Frames {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			frames = append(frames, []byte(s))
			continue
		}
		var b struct{ Base64 string }
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatalf("frame %s: %v", raw, err)
		}
		d, err := base64.StdEncoding.DecodeString(b.Base64)
		if err != nil {
			t.Fatalf("frame %s: %v", raw, err)
		}
		frames = append(frames, d)
	}
	return frames
}

func TestJSONRoundTripsEveryByte(t *testing.T) {
	var frames [][]byte
	for b := 0; b < 256; b++ {
		frames = append(frames, []byte{byte(b)}, []byte{'x', byte(b), 'y'})
	}
	frames = append(frames, []byte("\xe2\x82"), []byte("€"), []byte("\ufffd"), []byte("\xed\xa0\x80"))
	var out bytes.Buffer
	if err := newPrinter(&out, formatJSON, "|", false, false).print(nil, frames); err != nil {
		t.Fatal(err)
	}
	got := decodeJSONFrames(t, out.Bytes())
	if len(got) != len(frames) {
		t.Fatalf("%d frames back, want %d", len(got), len(frames))
	}
	for i := range got {
		if !bytes.Equal(got[i], frames[i]) {
			t.Errorf("frame %d: %x back, sent %x", i, got[i], frames[i])
		}
	}
}
