package stomp

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func decodeAll(t *testing.T, wire string, lim Limits) ([]*Frame, error) {
	t.Helper()
	d := NewDecoder(strings.NewReader(wire), lim)
	var fs []*Frame
	for {
		f, err := d.Read()
		if errors.Is(err, io.EOF) {
			return fs, nil
		}
		if err != nil {
			return fs, err
		}
		fs = append(fs, f)
	}
}

func TestEncode(t *testing.T) {
	cases := []struct {
		name string
		f    Frame
		want string
	}{
		{"no headers", Frame{Command: "DISCONNECT"}, "DISCONNECT\n\n\x00"},
		{"escapes", Frame{Command: "SEND", Headers: []Header{{"a:b", "c\\d\ne\rf:"}}},
			"SEND\na\\cb:c\\\\d\\ne\\rf\\c\n\n\x00"},
		{"binary body", Frame{Command: "SEND", Headers: []Header{{"destination", "/queue/q"}}, Body: []byte("a\x00b\n")},
			"SEND\ndestination:/queue/q\ncontent-length:4\n\na\x00b\n\x00"},
		{"CONNECT not escaped", Frame{Command: "CONNECT", Headers: []Header{{"passcode", "p\\w:x"}}},
			"CONNECT\npasscode:p\\w:x\n\n\x00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := AppendFrame(nil, &c.f)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != c.want {
				t.Fatalf("got %q, want %q", b, c.want)
			}
			fs, err := decodeAll(t, string(b), Limits{})
			if err != nil || len(fs) != 1 || !reflect.DeepEqual(*fs[0], c.f) {
				t.Fatalf("decoded %+v, %v; want %+v", fs, err, c.f)
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	cases := []struct {
		name string
		f    Frame
	}{
		{"empty command", Frame{}},
		{"lower-case command", Frame{Command: "send"}},
		{"content-length header", Frame{Command: "SEND", Headers: []Header{{"content-length", "3"}}}},
		{"newline in CONNECT", Frame{Command: "CONNECT", Headers: []Header{{"login", "a\nb"}}}},
		{"colon in CONNECT key", Frame{Command: "CONNECT", Headers: []Header{{"a:b", "c"}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := AppendFrame(nil, &c.f); !errors.Is(err, ErrFrame) {
				t.Fatalf("err %v, want ErrFrame", err)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	cases := []struct {
		name string
		wire string
		want []Frame
	}{
		{"heart-beats between frames", "\n\r\n\nRECEIPT\nreceipt-id:7\n\n\x00\n\n",
			[]Frame{{Command: "RECEIPT", Headers: []Header{{"receipt-id", "7"}}}}},
		{"CRLF lines", "MESSAGE\r\na:b\r\n\r\nhi\x00",
			[]Frame{{Command: "MESSAGE", Headers: []Header{{"a", "b"}}, Body: []byte("hi")}}},
		{"no content-length: body to the NUL", "MESSAGE\n\nab\nc\x00",
			[]Frame{{Command: "MESSAGE", Body: []byte("ab\nc")}}},
		{"content-length: NULs in the body", "MESSAGE\ncontent-length:3\n\n\x00\x00\x00\x00",
			[]Frame{{Command: "MESSAGE", Body: []byte{0, 0, 0}}}},
		{"first content-length counts", "MESSAGE\ncontent-length:1\ncontent-length:9\n\nx\x00",
			[]Frame{{Command: "MESSAGE", Body: []byte("x")}}},
		{"repeated header kept in order", "MESSAGE\na:1\na:2\n\n\x00",
			[]Frame{{Command: "MESSAGE", Headers: []Header{{"a", "1"}, {"a", "2"}}}}},
		{"escapes", "MESSAGE\nk\\c:v\\n\\r\\\\\\c\n\n\x00",
			[]Frame{{Command: "MESSAGE", Headers: []Header{{"k:", "v\n\r\\:"}}}}},
		{"value after the first colon", "CONNECTED\nserver:RabbitMQ/3.10:x\n\n\x00",
			[]Frame{{Command: "CONNECTED", Headers: []Header{{"server", "RabbitMQ/3.10:x"}}}}},
		{"CONNECTED not unescaped", "CONNECTED\nsession:a\\n\n\n\x00",
			[]Frame{{Command: "CONNECTED", Headers: []Header{{"session", "a\\n"}}}}},
		{"two frames", "RECEIPT\n\n\x00ERROR\nmessage:no\n\nwhy\x00",
			[]Frame{{Command: "RECEIPT"}, {Command: "ERROR", Headers: []Header{{"message", "no"}}, Body: []byte("why")}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs, err := decodeAll(t, c.wire, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			var got []Frame
			for _, f := range fs {
				got = append(got, *f)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	small := Limits{MaxLine: 16, MaxHeaders: 2, MaxHeaderBytes: 24, MaxBody: 8}
	cases := []struct {
		name string
		wire string
		lim  Limits
		want error
	}{
		{"bad command", "send\n\n\x00", Limits{}, ErrFrame},
		{"command with a digit", "SEND1\n\n\x00", Limits{}, ErrFrame},
		{"header without colon", "SEND\nab\n\n\x00", Limits{}, ErrFrame},
		{"undefined escape", "SEND\na:\\t\n\n\x00", Limits{}, ErrFrame},
		{"escape at the end", "SEND\na:b\\\n\n\x00", Limits{}, ErrFrame},
		{"raw CR in a header", "SEND\na:b\rc\n\n\x00", Limits{}, ErrFrame},
		{"raw CR in a CONNECTED header", "CONNECTED\na:b\r\r\n\n\x00", Limits{}, ErrFrame},
		{"bad content-length", "SEND\ncontent-length:-1\n\n\x00", Limits{}, ErrFrame},
		{"content-length not a number", "SEND\ncontent-length:1x\n\nx\x00", Limits{}, ErrFrame},
		{"no NUL after the body", "SEND\ncontent-length:1\n\nxy\x00", Limits{}, ErrFrame},
		{"line too long", "SEND\n" + strings.Repeat("a", 17) + ":\n\n\x00", small, ErrFrame},
		{"command line too long", strings.Repeat("A", 20) + "\n\n\x00", small, ErrFrame},
		{"too many headers", "SEND\na:1\nb:2\nc:3\n\n\x00", small, ErrFrame},
		{"headers too big", "SEND\naaaaaaaaaa:1\nbbbbbbbbbb:2\nc:3\n\n\x00", Limits{MaxHeaderBytes: 24}, ErrFrame},
		{"declared body too big", "SEND\ncontent-length:9\n\n123456789\x00", small, ErrFrame},
		{"huge declared body", "SEND\ncontent-length:99999999999999\n\n\x00", Limits{}, ErrFrame},
		{"body without length too big", "SEND\n\n123456789\x00", small, ErrFrame},
		{"cut in the headers", "SEND\na:b", Limits{}, io.ErrUnexpectedEOF},
		{"cut in the body", "SEND\ncontent-length:5\n\nab", Limits{}, io.ErrUnexpectedEOF},
		{"cut before the NUL", "SEND\n\nab", Limits{}, io.ErrUnexpectedEOF},
		{"cut in the command", "SEN", Limits{}, io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs, err := decodeAll(t, c.wire, c.lim)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %+v, %v; want %v", fs, err, c.want)
			}
		})
	}
}

// TestDecodeLongLines: lines and bodies longer than the decoder's buffer still decode whole.
func TestDecodeLongLines(t *testing.T) {
	v := strings.Repeat("v", 6000)
	body := bytes.Repeat([]byte{0xff}, 10000)
	f := Frame{Command: "SEND", Headers: []Header{{"k", v}}, Body: body}
	b, err := AppendFrame(nil, &f)
	if err != nil {
		t.Fatal(err)
	}
	// The same without content-length: the body runs to its NUL.
	nolen := append([]byte("SEND\nk:"+v+"\n\n"), append(body, 0)...)
	for _, wire := range [][]byte{b, nolen} {
		fs, err := decodeAll(t, string(wire), Limits{})
		if err != nil || len(fs) != 1 || !reflect.DeepEqual(*fs[0], f) {
			t.Fatalf("%v, %d frames", err, len(fs))
		}
	}
}
