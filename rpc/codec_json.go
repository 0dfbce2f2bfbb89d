package rpc

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
)

// jsonCodec is encoding/json, with a shortcut for []byte, the commonest payload of an RPC
// that carries opaque data: encoding/json writes it as a base64 string through reflection and
// an intermediate buffer, which cost a small call as much as the rest of its encoding. The
// shortcut writes and reads the same bytes encoding/json does (FuzzJSONBytes holds it to that).
type jsonCodec struct{}

func (jsonCodec) ID() byte     { return 1 }
func (jsonCodec) Name() string { return "json" }

func (jsonCodec) Marshal(v any) ([]byte, error) {
	switch b := v.(type) {
	case []byte:
		return marshalBytes(b), nil
	case *[]byte:
		if b != nil {
			return marshalBytes(*b), nil
		}
	}
	return json.Marshal(v)
}

func (jsonCodec) Unmarshal(data []byte, v any) error {
	if p, ok := v.(*[]byte); ok && p != nil && unmarshalBytes(data, p) {
		return nil
	}
	return json.Unmarshal(data, v)
}

// marshalBytes is encoding/json's form of b: null for nil, else a base64 string.
func marshalBytes(b []byte) []byte {
	if b == nil {
		return []byte("null")
	}
	n := base64.StdEncoding.EncodedLen(len(b))
	out := make([]byte, n+2)
	out[0], out[n+1] = '"', '"'
	base64.StdEncoding.Encode(out[1:], b)
	return out
}

// unmarshalBytes decodes the plain forms, null and a string without escapes, as encoding/json
// does; false leaves anything else (escapes, bad input and its error) to encoding/json.
func unmarshalBytes(data []byte, p *[]byte) bool {
	data = bytes.Trim(data, " \t\r\n")
	if string(data) == "null" {
		*p = nil
		return true
	}
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return false
	}
	s := data[1 : len(data)-1]
	for _, c := range s {
		if c < 0x20 || c == '\\' || c == '"' { // control characters are errors, escapes json's
			return false
		}
	}
	b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(b, s)
	if err != nil {
		return false
	}
	*p = b[:n]
	return true
}
