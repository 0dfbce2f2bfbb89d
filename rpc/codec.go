package rpc

import "github.com/vmihailenco/msgpack/v5"

// Codec turns arguments and results into bytes and back. Only data formats: nothing that runs
// code when it decodes.
type Codec interface {
	ID() byte // its number on the wire
	Name() string
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// The codecs: JSON is the default; Msgpack (github.com/vmihailenco/msgpack/v5) is more compact.
var (
	JSON    Codec = jsonCodec{}
	Msgpack Codec = msgpackCodec{}
)

type msgpackCodec struct{}

func (msgpackCodec) ID() byte                           { return 2 }
func (msgpackCodec) Name() string                       { return "msgpack" }
func (msgpackCodec) Marshal(v any) ([]byte, error)      { return msgpack.Marshal(v) }
func (msgpackCodec) Unmarshal(data []byte, v any) error { return msgpack.Unmarshal(data, v) }

// codecByID finds the codec a message names.
func codecByID(id byte) (Codec, bool) {
	switch id {
	case 1:
		return JSON, true
	case 2:
		return Msgpack, true
	}
	return nil, false
}
