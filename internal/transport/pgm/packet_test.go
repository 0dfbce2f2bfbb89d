package pgm

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// Every packet libzmq sent parses, names its type, and encodes back to the same bytes: the
// codec agrees with OpenPGM on layout, options and checksum.
func TestParseLibzmqCaptures(t *testing.T) {
	seen := map[Type]bool{}
	for i, c := range loadCaptures(t) {
		var p Packet
		if err := Parse(c.b, &p); err != nil {
			t.Fatalf("packet %d (%s): %v", i, c.label, err)
		}
		typ, opts, _ := strings.Cut(c.label, "+")
		if p.Type.String() != typ {
			t.Fatalf("packet %d: type %v, captured as %s", i, p.Type, c.label)
		}
		if (opts != "") != p.Options.any() {
			t.Fatalf("packet %d (%s): options %+v", i, c.label, p.Options)
		}
		seen[p.Type] = true
		switch p.Type {
		case TypeSPM:
			if p.NLA != netip.MustParseAddr("10.77.9.1") {
				t.Fatalf("SPM path NLA %v", p.NLA)
			}
			if opts != "" && !p.Options.Fin {
				t.Fatalf("closing SPM without OPT_FIN: %+v", p.Options)
			}
		case TypeNAK, TypeNCF:
			if p.NLA != netip.MustParseAddr("10.77.9.1") || p.Group != netip.MustParseAddr("239.192.1.1") {
				t.Fatalf("%v names source %v group %v", p.Type, p.NLA, p.Group)
			}
		}
		out, err := p.Append(nil)
		if err != nil {
			t.Fatalf("packet %d (%s): encode: %v", i, c.label, err)
		}
		if len(p.Options.NakList) > 0 {
			// OpenPGM leaves OPT_NAK_LIST's U/OPX byte uninitialised (0xcf in the capture):
			// compare with that byte and the checksum taken from the capture.
			out[6], out[7] = c.b[6], c.b[7]
			i := len(out) - 4*len(p.Options.NakList) - 2
			out[i] = c.b[i]
		}
		if !bytes.Equal(out, c.b) {
			t.Fatalf("packet %d (%s) re-encoded differs:\n got %x\nwant %x", i, c.label, out, c.b)
		}
	}
	for _, typ := range []Type{TypeSPM, TypeODATA, TypeRDATA, TypeNAK, TypeNCF, TypeSPMR} {
		if !seen[typ] {
			t.Errorf("no %v among the captures", typ)
		}
	}
}

// The ODATA libzmq sent carry its payload layout: the first packet starts a message at offset
// 0 and the stream decodes to the messages the capture's publisher sent.
func TestLibzmqPayloadDecodes(t *testing.T) {
	var u unpacker
	u.maxMsgSize = -1
	var msgs [][][]byte
	var gsi GSI
	next := uint32(0)
	for _, c := range loadCaptures(t) {
		var p Packet
		if err := Parse(c.b, &p); err != nil {
			t.Fatal(err)
		}
		if p.Type != TypeODATA {
			continue
		}
		if next == 0 {
			gsi = p.GSI
		}
		if p.GSI != gsi || p.Sqn != next {
			break // the first capture's run of packets only
		}
		next++
		if err := u.feed(p.Data, func(m [][]byte) { msgs = append(msgs, m) }); err != nil {
			t.Fatal(err)
		}
	}
	if next == 0 || len(msgs) == 0 {
		t.Fatal("no messages decoded")
	}
	for i, m := range msgs {
		if len(m) != 3 || string(m[0]) != "topic" || string(m[1]) != "msg-"+itoa(i) || len(m[2]) != i*37%400 {
			t.Fatalf("message %d: %q", i, m)
		}
	}
	t.Logf("%d ODATA packets, %d messages", next, len(msgs))
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestPacketRoundTrip(t *testing.T) {
	src, grp := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("239.1.2.3")
	src6 := netip.MustParseAddr("fe80::1")
	gsi := GSI{1, 2, 3, 4, 5, 6}
	cases := []Packet{
		{SrcPort: 7, DstPort: 5555, Type: TypeSPM, GSI: gsi, Sqn: 9, Trail: 1, Lead: 4, NLA: src},
		{SrcPort: 7, DstPort: 5555, Type: TypeSPM, GSI: gsi, NLA: src6, Options: Options{Fin: true}},
		{SrcPort: 7, DstPort: 5555, Type: TypeODATA, GSI: gsi, Sqn: 3, Trail: 1, Data: []byte("\x00\x00\x02\x00a")},
		{SrcPort: 7, DstPort: 5555, Type: TypeRDATA, GSI: gsi, Sqn: 3, Trail: 1, Data: []byte("xy"),
			Options: Options{Fragment: &Fragment{Sqn: 2, Offset: 10, Length: 100}}},
		{SrcPort: 7, DstPort: 5555, Type: TypeODATA, GSI: gsi, Sqn: 0, Data: []byte{},
			Options: Options{HasJoin: true, Join: 5, Syn: true, Rst: true}},
		{SrcPort: 5555, DstPort: 7, Type: TypeNAK, GSI: gsi, Sqn: 8, NLA: src, Group: grp,
			Options: Options{NakList: []uint32{9, 11, 40}}},
		{SrcPort: 7, DstPort: 5555, Type: TypeNCF, GSI: gsi, Sqn: 8, NLA: src6, Group: netip.MustParseAddr("ff02::1")},
		{SrcPort: 5555, DstPort: 7, Type: TypeNNAK, GSI: gsi, Sqn: 8, NLA: src, Group: grp},
		{SrcPort: 5555, DstPort: 7, Type: TypeSPMR, GSI: gsi},
	}
	for _, want := range cases {
		b, err := want.Append([]byte("prefix"))
		if err != nil {
			t.Fatalf("%v: %v", want.Type, err)
		}
		if string(b[:6]) != "prefix" {
			t.Fatal("Append overwrote its prefix")
		}
		var got Packet
		if err := Parse(b[6:], &got); err != nil {
			t.Fatalf("%v: %v", want.Type, err)
		}
		if len(want.Options.NakList) == 0 {
			got.Options.NakList = nil
		}
		if want.Data == nil {
			got.Data = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	good, err := (&Packet{SrcPort: 1, DstPort: 2, Type: TypeODATA, Data: []byte("abcd")}).Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	nak, err := (&Packet{Type: TypeNAK, NLA: netip.MustParseAddr("1.2.3.4"), Group: netip.MustParseAddr("239.0.0.1"),
		Options: Options{NakList: []uint32{1}}}).Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	mod := func(b []byte, f func([]byte) []byte) []byte {
		c := f(append([]byte(nil), b...))
		c[6], c[7] = 0, 0 // no checksum: the test reaches the parser's other checks
		return c
	}
	cases := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"header cut", good[:15], ErrMalformed},
		{"checksum", func() []byte { c := append([]byte(nil), good...); c[20] ^= 1; return c }(), ErrChecksum},
		{"data body cut", mod(good[:20], func(b []byte) []byte { return b }), ErrMalformed},
		{"tsdu length", mod(good, func(b []byte) []byte { b[15]++; return b }), ErrMalformed},
		{"parity", mod(good, func(b []byte) []byte { b[5] |= flagParity; return b }), ErrUnsupported},
		{"unknown type", mod(good, func(b []byte) []byte { b[4] = 0x33; return b }), ErrMalformed},
		{"bad afi", mod(nak, func(b []byte) []byte { b[21] = 9; return b }), ErrMalformed},
		{"options without OPT_LENGTH", mod(nak, func(b []byte) []byte { b[36] = optFin; return b }), ErrMalformed},
		{"options total too long", mod(nak, func(b []byte) []byte { b[39] = 200; return b }), ErrMalformed},
		{"option length zero", mod(nak, func(b []byte) []byte { b[41] = 0; return b }), ErrMalformed},
		{"nak list ragged", mod(nak, func(b []byte) []byte { b[41] = 7; return b }), ErrMalformed},
		{"no end bit", mod(nak, func(b []byte) []byte { b[40] &^= optEnd; return b }), ErrMalformed},
		{"parity option", mod(nak, func(b []byte) []byte { b[40] = optEnd | optParityGrp; return b }), ErrUnsupported},
	}
	for _, c := range cases {
		var p Packet
		if err := Parse(c.b, &p); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

// FuzzParse: no input panics, and what parses encodes to bytes that parse to the same packet.
func FuzzParse(f *testing.F) {
	for _, c := range loadCaptures(f) {
		f.Add(c.b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Packet
		if Parse(b, &p) != nil {
			return
		}
		switch p.Type {
		case TypePOLL, TypePOLR, TypeACK:
			return // header only: not encoded
		}
		out, err := p.Append(nil)
		if err != nil {
			return // e.g. an SPM whose NLA the encoder cannot write
		}
		var q Packet
		if err := Parse(out, &q); err != nil {
			t.Fatalf("re-encoded packet does not parse: %v\n%x", err, out)
		}
		p.Options.unknownSeen, q.Options.unknownSeen = false, false
		if len(p.Options.NakList) == 0 {
			p.Options.NakList = nil
		}
		if len(q.Options.NakList) == 0 {
			q.Options.NakList = nil
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", q, p)
		}
	})
}
