package rpc

import "github.com/vmihailenco/msgpack/v5"

// Codec turns arguments and results into bytes and back. Only data formats: nothing that runs
// code when it decodes.
type Codec interface {
	ID() byte                           // its number on the wire
	Name() string                       // its name: "json", "msgpack"
	Marshal(v any) ([]byte, error)      // encodes v, as json.Marshal does
	Unmarshal(data []byte, v any) error // decodes data into v, a pointer
}

// The codecs: JSON is the default; Msgpack (github.com/vmihailenco/msgpack/v5) is more compact.
var (
	JSON    Codec = jsonCodec{}    // encoding/json; wire number 1
	Msgpack Codec = msgpackCodec{} // msgpack with the library's defaults; wire number 2
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
