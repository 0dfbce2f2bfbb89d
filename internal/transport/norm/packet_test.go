package norm

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/purezmq/zmq/internal/zerr"
)

func hexb(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A DATA libzmq sent: instance 0xfecb, RS8 block 0 symbol 0, an FTI (16+4 symbols of 1400
// bytes), a stream segment with a message start at its first byte: "\x00\x01\x03top".
const libzmqData = "120800010a4e0001fecb9442200500000000000040030000001fc980057810040006000100000000000103746f70"

func TestParseData(t *testing.T) {
	m, err := Parse(hexb(t, libzmqData))
	if err != nil {
		t.Fatal(err)
	}
	d := m.(*Data)
	want := ObjectHeader{SenderHeader: SenderHeader{Instance: 0xfecb, GRTT: 0x94, Backoff: 4, GSize: 2}, Flags: FlagStream, FecID: FecRS8}
	if d.ObjectHeader != want || d.Source != 0x0a4e0001 || d.Seq != 1 || d.ID != (PayloadID{}) {
		t.Fatalf("header %+v %+v", d.Header, d.ObjectHeader)
	}
	f, ok, err := ParseFTI(d.FecID, d.Exts)
	if err != nil || !ok || f != (FTI{Size: 0x1fc980, Segment: 1400, NData: 16, NParity: 4}) {
		t.Fatalf("FTI %+v %v %v", f, ok, err)
	}
	s, err := ParseStream(d.Payload)
	if err != nil || s.MsgStart != 1 || s.Offset != 0 || string(s.Data) != "\x00\x01\x03top" {
		t.Fatalf("stream %+v %v", s, err)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, hex   string
		unsupported bool
	}{
		{"empty", "", false},
		{"short common header", "1202000100", false},
		{"version 2", "22020001" + "0a4e0001", false},
		{"header length beyond", "12ff00010a4e0001", false},
		{"DATA header too short", "120300010a4e0001fecb9442", false},
		{"DATA unknown FEC id", "120500010a4e0001fecb9442200700000000000000", true},
		{"extension of zero words", "120700010a4e0001fecb944220050000000000004000aaaa", false},
		{"extension longer than the header", "120700010a4e0001fecb944220050000000000004009aaaa", false},
		{"stray extension bytes", "120600010a4e0001fecb944220050000000000004003", false},
		{"REPORT", "160200000a4e0001", true},
		{"CMD flavor 9", "130400000a4e0001fecb944209000000", true},
		{"CMD(CC) short", "130400000a4e0001fecb944204000000", false},
		{"CMD(EOT) with content", "130400000a4e0001fecb944202000000ff", false},
		{"CMD(FLUSH) node list not words", "130500000a4e0001fecb944201050000000000000102", false},
		{"NACK repair form 7", "140600000a4e00020a4e0001fecb0000000000000000000007010000", false},
		{"NACK repair length beyond", "140600000a4e00020a4e0001fecb000000000000000000000101ff00", false},
		{"NACK range without its end", "140600000a4e00020a4e0001fecb00000000000000000000020100080500000000000010", false},
		{"NACK item of unknown FEC", "140600000a4e00020a4e0001fecb00000000000000000000010100080700000000000010", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := hexb(t, tt.hex)
			m, err := Parse(b)
			if err == nil || m != nil {
				t.Fatalf("Parse = %+v, %v; want an error", m, err)
			}
			if !errors.Is(err, ErrPacket) || !errors.Is(err, zerr.ErrProtocol) {
				t.Fatalf("error %v is not ErrPacket and ErrProtocol", err)
			}
			if errors.Is(err, ErrUnsupported) != tt.unsupported {
				t.Fatalf("error %v: unsupported %v, want %v", err, !tt.unsupported, tt.unsupported)
			}
		})
	}
}

func TestParseStreamRejects(t *testing.T) {
	for _, b := range [][]byte{
		{0, 1, 0, 0, 0, 0},                 // shorter than its header
		{0, 3, 0, 0, 0, 0, 0, 0, 'a', 'b'}, // says 3 bytes, has 2
		{0, 2, 0, 3, 0, 0, 0, 0, 'a', 'b'}, // a message start beyond them
	} {
		if s, err := ParseStream(b); !errors.Is(err, ErrPacket) {
			t.Errorf("ParseStream(%x) = %+v, %v; want ErrPacket", b, s, err)
		}
	}
	// FEC padding after payload_len is not data.
	s, err := ParseStream([]byte{0, 2, 0, 1, 0, 0, 0, 9, 'a', 'b', 0, 0, 0})
	if err != nil || !bytes.Equal(s.Data, []byte("ab")) || s.Offset != 9 || s.MsgStart != 1 {
		t.Fatalf("padded segment: %+v %v", s, err)
	}
}

// Every message kind, built by hand, encodes to bytes that parse back to it.
func TestRoundTrip(t *testing.T) {
	id := PayloadID{Block: 0x123456, Symbol: 7}
	h := Header{Seq: 9, Source: 0x0a000001}
	sh := SenderHeader{Instance: 3, GRTT: 100, Backoff: 4, GSize: 3}
	msgs := []Message{
		&Data{Header: h, ObjectHeader: ObjectHeader{SenderHeader: sh, Flags: FlagStream, FecID: FecRS8, Object: 2}, ID: id,
			Exts: []Ext{FTI{Size: 1 << 21, Segment: 1400, NData: 16, NParity: 4}.Ext(FecRS8)}, Payload: Stream{MsgStart: 1, Offset: 77, Data: []byte("hi")}.Append(nil)},
		&Data{Header: h, ObjectHeader: ObjectHeader{SenderHeader: sh, FecID: FecSmallBlock}, ID: PayloadID{Block: 1 << 30, Symbol: 300, BlockLen: 64},
			Exts: []Ext{FTI{Size: 1 << 40, Segment: 1024, NData: 64, NParity: 8, FecInst: 1}.Ext(FecSmallBlock)}, Payload: []byte{1, 2, 3}},
		&Data{Header: h, ObjectHeader: ObjectHeader{SenderHeader: sh, FecID: FecRS16}, ID: PayloadID{Block: 0xffff, Symbol: 0x1234},
			Exts: []Ext{FTI{Size: 5, Segment: 10, NData: 300, NParity: 20, FieldM: 16, GroupG: 1}.Ext(FecRS16)}},
		&Info{Header: h, ObjectHeader: ObjectHeader{SenderHeader: sh, Flags: FlagInfo, FecID: FecRS8, Object: 4}, Content: []byte("info")},
		&Cmd{Header: h, SenderHeader: sh, Flavor: CmdFlush, FecID: FecRS8, Object: 5, ID: id, Nodes: []NodeID{1, 2}},
		&Cmd{Header: h, SenderHeader: sh, Flavor: CmdSquelch, FecID: FecRS8, Object: 5, ID: id, Invalid: []uint16{1, 2, 3}},
		&Cmd{Header: h, SenderHeader: sh, Flavor: CmdCC, Flags: 1, CCSeq: 8, SendSec: 10, SendUS: 20,
			Exts: []Ext{{Type: ExtCCRate, Data: []byte{0, 0xcc, 0xd3}}}, CCNodes: []CCNode{{Node: 7, Flags: 0x0d, RTT: 78, Rate: 1}}},
		&Cmd{Header: h, SenderHeader: sh, Flavor: CmdRepairAdv, Flags: 1, Requests: []RepairRequest{{Form: FormItems, Flags: RepairSegment, Items: []RepairItem{{FecID: FecRS8, ID: id}}}}},
		&Cmd{Header: h, SenderHeader: sh, Flavor: CmdAckReq, AckType: AckFlush, AckID: 3, Nodes: []NodeID{9}},
		&Cmd{Header: h, SenderHeader: sh, Flavor: CmdEOT},
		&Cmd{Header: h, SenderHeader: sh, Flavor: CmdApp, Content: []byte("app")},
		&Nack{Header: h, Server: 1, Instance: 3, GRTTSec: 4, GRTTUS: 5, Exts: []Ext{CCFeedback{CCSeq: 1, RTT: 2, Rate: 3}.Ext()},
			Requests: []RepairRequest{{Form: FormRanges, Flags: RepairSegment, Items: []RepairItem{{FecID: FecRS8, ID: id}, {FecID: FecRS8, ID: PayloadID{Block: 0x123456, Symbol: 9}}}},
				{Form: FormErasures, Flags: RepairBlock, Items: []RepairItem{{FecID: FecRS8, Object: 1, ID: PayloadID{Block: 2, Symbol: 3}}}}}},
		&Ack{Header: h, Server: 1, Instance: 3, AckType: AckFlush, AckID: 2, Content: Watermark{FecID: FecRS8, Object: 5, ID: id}.Append(nil)},
	}
	for _, m := range msgs {
		b := m.Append(nil)
		got, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", kindOf(m), err)
		}
		if canonical(got) != canonical(m) {
			t.Errorf("%s:\n got %+v\nwant %+v", kindOf(m), got, m)
		}
	}
}
