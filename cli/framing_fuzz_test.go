package cli

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"testing"
)

// FuzzMessageReader: cutting stdin into messages loses and adds nothing: joined again with
// their delimiter they are the input.
func FuzzMessageReader(f *testing.F) {
	f.Add([]byte("a\nb\n\nc"), false)
	f.Add([]byte("a\x00b\x00"), true)
	f.Add([]byte(""), false)
	f.Fuzz(func(t *testing.T, in []byte, nul bool) {
		mode, delim := inputLines, []byte("\n")
		if nul {
			mode, delim = inputNUL, []byte{0}
		}
		r := newMessageReader(bytes.NewReader(in), mode)
		var msgs [][]byte
		for {
			m, err := r.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			msgs = append(msgs, m)
		}
		joined := bytes.Join(msgs, delim)
		if bytes.HasSuffix(in, delim) {
			joined = append(joined, delim...)
		}
		if !bytes.Equal(joined, in) {
			t.Fatalf("%q cut into %q", in, msgs)
		}
	})
}

// FuzzParseID: --to takes any text or 0xHEX without panicking, and 0x plus the hex of an id
// gives the id back.
func FuzzParseID(f *testing.F) {
	f.Add("peer1", []byte{0, 0x80, 1})
	f.Add("0xzz", []byte{})
	f.Fuzz(func(t *testing.T, s string, id []byte) {
		if _, err := parseID(s); err != nil && !errors.Is(err, ErrUsage) {
			t.Fatalf("parseID(%q) = %v, not a usage error", s, err)
		}
		if len(id) == 0 {
			return
		}
		got, err := parseID("0x" + hex.EncodeToString(id))
		if err != nil || !bytes.Equal(got, id) {
			t.Fatalf("0x%x parsed as %x, %v", id, got, err)
		}
	})
}
