package zmq_test

import (
	"errors"
	"testing"

	zmq "github.com/purezmq/zmq"
)

func TestMsgString(t *testing.T) {
	for _, tt := range []struct {
		m    zmq.Msg
		want string
	}{
		{zmq.NewMsgString("a|b"), `["a|b"]`},
		{zmq.NewMsgString("a", "b"), `["a" "b"]`},
		{zmq.NewMsgString("", "x"), `["" "x"]`},
		{zmq.NewMsg([]byte{0, 0x6b, 0x8b, 0x45, 0x67}), `[0x006b8b4567]`},
		{zmq.NewMsgString("tab\there", "\x00"), `["tab\there" "\x00"]`},
		{zmq.NewMsgString(`"q" ["x"]`), `["\"q\" [\"x\"]"]`},
		{zmq.Msg{}, `[]`},
	} {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("String of %q = %s, want %s", tt.m.Frames, got, tt.want)
		}
	}
}

func TestEnvelope(t *testing.T) {
	for _, tt := range []struct {
		name           string
		in             []string
		envelope, body []string
	}{
		{"router-from-req", []string{"id", "", "hello"}, []string{"id", ""}, []string{"hello"}},
		{"two-hops", []string{"a", "b", "", "x", "y"}, []string{"a", "b", ""}, []string{"x", "y"}},
		{"empty-body", []string{"id", ""}, []string{"id", ""}, nil},
		{"delimiter-only", []string{"", "x"}, []string{""}, []string{"x"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := zmq.NewMsgString(tt.in...)
			env, err := m.PopEnvelope()
			if err != nil || !framesEqual(env, strFrames(tt.envelope...)) || !framesEqual(m.Frames, strFrames(tt.body...)) {
				t.Fatalf("PopEnvelope = %s | %s, %v; want %q | %q", fmtFrames(env), fmtFrames(m.Frames), err, tt.envelope, tt.body)
			}
			reply := zmq.NewMsgString("reply")
			reply.PushEnvelope(env...)
			if want := append(strFrames(tt.envelope...), []byte("reply")); !framesEqual(reply.Frames, want) {
				t.Fatalf("PushEnvelope = %s, want %s", fmtFrames(reply.Frames), fmtFrames(want))
			}
			// The popped envelope is its own: appending to it must not overwrite the body.
			_ = append(env, []byte("clobber"))
			if !framesEqual(m.Frames, strFrames(tt.body...)) {
				t.Fatalf("appending to the envelope changed the body to %s", fmtFrames(m.Frames))
			}
		})
	}
	m := zmq.NewMsgString("no", "delimiter")
	if _, err := m.PopEnvelope(); !errors.Is(err, zmq.ErrInvalidEnvelope) || m.Len() != 2 {
		t.Errorf("PopEnvelope without delimiter = %v, %d frames left; want ErrInvalidEnvelope, 2", err, m.Len())
	}
	r := zmq.NewMsgString("body")
	r.PushEnvelope([]byte("id"))
	if !framesEqual(r.Frames, strFrames("id", "", "body")) {
		t.Errorf("PushEnvelope(id) = %s, want the delimiter added", fmtFrames(r.Frames))
	}
}

func TestLookupOptionAliases(t *testing.T) {
	for name, want := range map[string]zmq.OptionID{
		"IDENTITY": zmq.OptRoutingID, "ZMQ_IDENTITY": zmq.OptRoutingID, "connect_rid": zmq.OptConnectRoutingID,
		"DELAY_ATTACH_ON_CONNECT": zmq.OptImmediate, "FAIL_UNROUTABLE": zmq.OptRouterMandatory,
		"ROUTER_BEHAVIOR": zmq.OptRouterMandatory, "IPV4ONLY": zmq.OptIPv4Only, "ZMQ_IPV6": zmq.OptIPv6,
		"SOCKS_PROXY": zmq.OptSocksProxy, "ROUTER_NOTIFY": zmq.OptRouterNotify, "metadata": zmq.OptMetadata,
		"BINDTODEVICE": zmq.OptBindToDevice, "TCP_MAXRT": zmq.OptTCPMaxRT, "TOS": zmq.OptTOS, "BACKLOG": zmq.OptBacklog,
	} {
		if id, ok := zmq.LookupOption(name); !ok || id != want {
			t.Errorf("LookupOption(%q) = %v, %v; want %v", name, id, ok, want)
		}
	}
}

func TestVersion(t *testing.T) {
	if major, minor, _ := zmq.Version(); major != 4 || minor != 3 {
		t.Errorf("Version = %d.%d, want libzmq 4.3", major, minor)
	}
}
