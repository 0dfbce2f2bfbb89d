package amqp10

import (
	"errors"
	"maps"
	"testing"

	"github.com/Azure/go-amqp"
	"github.com/purezmq/zmq/bridge"
)

func ptr[T any](v T) *T { return &v }

// TestFromAMQP: how each form of AMQP 1.0 message maps, and which cannot.
func TestFromAMQP(t *testing.T) {
	uuid := amqp.UUID{0x12, 0x34, 15: 0xff}
	tests := []struct {
		name string
		in   *amqp.Message
		want bridge.Message
		err  error
	}{
		{"empty", &amqp.Message{}, bridge.Message{}, nil},
		{"one data section", &amqp.Message{Data: [][]byte{{0, 1, 0xff}}}, bridge.Message{Body: []byte{0, 1, 0xff}}, nil},
		{"properties", &amqp.Message{
			Data: [][]byte{[]byte("b")},
			Properties: &amqp.MessageProperties{Subject: ptr("s"), ContentType: ptr("t/x"),
				MessageID: "id"},
			ApplicationProperties: map[string]any{"a": "1"},
		}, bridge.Message{Subject: "s", ContentType: "t/x", ID: "id", Body: []byte("b"),
			Headers: map[string]string{"a": "1"}}, nil},
		{"non-string ids and properties", &amqp.Message{
			Properties:            &amqp.MessageProperties{MessageID: uint64(42)},
			ApplicationProperties: map[string]any{"n": int64(-7), "b": true, "u": uuid},
		}, bridge.Message{ID: "42", Headers: map[string]string{"n": "-7", "b": "true", "u": uuid.String()}}, nil},
		{"uuid id", &amqp.Message{Properties: &amqp.MessageProperties{MessageID: uuid}},
			bridge.Message{ID: uuid.String()}, nil},
		{"binary id", &amqp.Message{Properties: &amqp.MessageProperties{MessageID: []byte("raw")}},
			bridge.Message{ID: "raw"}, nil},
		{"string value", &amqp.Message{Value: "text"}, bridge.Message{Body: []byte("text")}, nil},
		{"binary value", &amqp.Message{Value: []byte{9}}, bridge.Message{Body: []byte{9}}, nil},
		{"int value", &amqp.Message{Value: int64(5)}, bridge.Message{}, bridge.ErrMalformed},
		{"map value", &amqp.Message{Value: map[string]any{"k": "v"}}, bridge.Message{}, bridge.ErrMalformed},
		{"sequence", &amqp.Message{Sequence: [][]any{{"a"}}}, bridge.Message{}, bridge.ErrMalformed},
		{"two data sections", &amqp.Message{Data: [][]byte{{1}, {2}}}, bridge.Message{}, bridge.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fromAMQP(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if got.Subject != tt.want.Subject || got.ContentType != tt.want.ContentType ||
				got.ID != tt.want.ID || string(got.Body) != string(tt.want.Body) ||
				!maps.Equal(got.Headers, tt.want.Headers) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestToAMQP: every message is durable, one data section, with a properties section even
// when empty; its fields land where the package doc says and map back unchanged.
func TestToAMQP(t *testing.T) {
	for _, m := range []bridge.Message{
		{},
		{Subject: "s", Body: []byte{0, 0xff}, ContentType: "c", Headers: map[string]string{"k": "v"}, ID: "i"},
	} {
		a := toAMQP(m)
		if a.Header == nil || !a.Header.Durable {
			t.Errorf("%+v: header %+v, want durable", m, a.Header)
		}
		if a.Properties == nil {
			t.Errorf("%+v: no properties section", m)
		}
		if len(a.Data) != 1 {
			t.Errorf("%+v: %d data sections, want 1", m, len(a.Data))
		}
		back, err := fromAMQP(a)
		if err != nil {
			t.Fatal(err)
		}
		if back.Subject != m.Subject || back.ContentType != m.ContentType || back.ID != m.ID ||
			string(back.Body) != string(m.Body) || !maps.Equal(back.Headers, m.Headers) {
			t.Errorf("back %+v, want %+v", back, m)
		}
	}
}
