package cli

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func readAll(t *testing.T, r *messageReader) []string {
	t.Helper()
	var msgs []string
	for {
		m, err := r.next()
		if errors.Is(err, io.EOF) {
			return msgs
		}
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, string(m))
	}
}

func TestMessageReader(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode inputMode
		in   string
		want []string
	}{
		{"lines", inputLines, "a\nb\n", []string{"a", "b"}},
		{"last line without newline", inputLines, "a\nb", []string{"a", "b"}},
		{"empty input", inputLines, "", nil},
		{"empty lines are empty messages", inputLines, "\n\na\n", []string{"", "", "a"}},
		{"only \\n is stripped", inputLines, "a\r\n b \n", []string{"a\r", " b "}},
		{"binary kept", inputLines, "\x00\xff\n", []string{"\x00\xff"}},
		{"nul", inputNUL, "a\nb\x00c\x00", []string{"a\nb", "c"}},
		{"nul without last", inputNUL, "a\x00c", []string{"a", "c"}},
		{"nul empty messages", inputNUL, "\x00\x00", []string{"", ""}},
		{"raw", inputRaw, "a\nb\x00\n", []string{"a\nb\x00\n"}},
		{"raw empty is one empty message", inputRaw, "", []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := readAll(t, newMessageReader(strings.NewReader(tc.in), tc.mode))
			if strings.Join(got, "/") != strings.Join(tc.want, "/") || len(got) != len(tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSplitFrames(t *testing.T) {
	for _, tc := range []struct {
		msg, sep string
		want     []string
	}{
		{"a|b", "|", []string{"a", "b"}},
		{"a|b", "", []string{"a|b"}},
		{"|a|", "|", []string{"", "a", ""}},
		{"", "|", []string{""}},
		{"a::b:c", "::", []string{"a", "b:c"}},
	} {
		got := splitFrames([]byte(tc.msg), tc.sep)
		if len(got) != len(tc.want) {
			t.Errorf("splitFrames(%q, %q) = %q, want %q", tc.msg, tc.sep, got, tc.want)
			continue
		}
		for i := range got {
			if string(got[i]) != tc.want[i] {
				t.Errorf("splitFrames(%q, %q) = %q, want %q", tc.msg, tc.sep, got, tc.want)
			}
		}
	}
}

func TestDecodeFrames(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want []string
	}{
		{[]string{"00ff", "0x4142", "DE AD"}, []string{"\x00\xff", "AB", "\xde\xad"}},
		{[]string{""}, []string{""}},
	} {
		var in [][]byte
		for _, s := range tc.in {
			in = append(in, []byte(s))
		}
		got, err := decodeFrames(in)
		if err != nil {
			t.Fatalf("decodeFrames(%q): %v", tc.in, err)
		}
		for i := range got {
			if string(got[i]) != tc.want[i] {
				t.Errorf("decodeFrames(%q) = %q, want %q", tc.in, got, tc.want)
			}
		}
	}
	for _, bad := range []string{"abc", "zz", "0x0g"} {
		if _, err := decodeFrames([][]byte{[]byte(bad)}); !errors.Is(err, ErrUsage) {
			t.Errorf("decodeFrames(%q) = %v, want ErrUsage", bad, err)
		}
	}
}

func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []byte
	}{
		{"worker-1", []byte("worker-1")},
		{"0x0080000001", []byte{0, 0x80, 0, 0, 1}},
		{"0XFF", []byte{0xff}},
		{"x0", []byte("x0")},
	} {
		got, err := parseID(tc.in)
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("parseID(%q) = %x, %v; want %x", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "0x", "0x123", "0xzz"} {
		if _, err := parseID(bad); !errors.Is(err, ErrUsage) {
			t.Errorf("parseID(%q) = %v, want ErrUsage", bad, err)
		}
	}
}

func TestSendSource(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags sendFlags
		args  []string
		stdin string
		want  []string
	}{
		{"arguments", sendFlags{}, []string{"a", "b"}, "", []string{"a", "b"}},
		{"stdin lines", sendFlags{}, nil, "a\nb\n", []string{"a", "b"}},
		{"-n repeats one argument", sendFlags{exchangeFlags: exchangeFlags{count: 3}}, []string{"x"}, "", []string{"x", "x", "x"}},
		{"-n repeats --raw", sendFlags{raw: true, exchangeFlags: exchangeFlags{count: 2}}, nil, "r\n", []string{"r\n", "r\n"}},
		{"-n takes the first lines", sendFlags{exchangeFlags: exchangeFlags{count: 2}}, nil, "a\nb\nc\n", []string{"a", "b"}},
		{"-n beyond the lines", sendFlags{exchangeFlags: exchangeFlags{count: 5}}, nil, "a\n", []string{"a"}},
		{"-0", sendFlags{exchangeFlags: exchangeFlags{nul: true}}, nil, "a\nb\x00c", []string{"a\nb", "c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next := tc.flags.source(tc.args, strings.NewReader(tc.stdin))
			var got []string
			for {
				m, err := next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, string(m))
			}
			if strings.Join(got, "/") != strings.Join(tc.want, "/") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
