package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"unicode/utf8"
)

// outputFormat is how received messages are printed (--format).
type outputFormat int

const (
	formatText outputFormat = iota
	formatHex
	formatJSON
	formatRaw
)

// defaultSep joins frames in text and hex output; send's --sep splits at it only when given.
const defaultSep = "|"

const formatHelp = "output format: text, hex, json or raw (described above)"

func parseFormat(s string) (outputFormat, error) {
	switch s {
	case "text":
		return formatText, nil
	case "hex":
		return formatHex, nil
	case "json":
		return formatJSON, nil
	case "raw":
		return formatRaw, nil
	}
	return 0, usagef("--format %q: want text, hex, json or raw", s)
}

// printer writes messages in one format. Each message goes out in one Write, so that a reader
// of a pipe sees it as soon as it arrived.
type printer struct {
	w      io.Writer
	format outputFormat
	sep    []byte
	end    byte // after each text, hex or raw message: '\n', or 0 with -0; none for raw without -0
	noEnd  bool
	buf    bytes.Buffer
}

// newPrinter: sep joins frames (raw joins them only when sepGiven); nul ends each message with
// NUL instead of a newline (JSON lines always end with a newline).
func newPrinter(w io.Writer, format outputFormat, sep string, sepGiven, nul bool) *printer {
	p := &printer{w: w, format: format, sep: []byte(sep), end: '\n'}
	if nul {
		p.end = 0
	}
	if format == formatRaw {
		if !sepGiven {
			p.sep = nil
		}
		p.noEnd = !nul
	}
	if format == formatJSON {
		p.end = '\n'
	}
	return p
}

// jsonMsg is one message in --format json. A frame is a JSON string when it is valid UTF-8,
// else an object {"base64": ...}: the two cannot be confused, whatever the text looks like.
type jsonMsg struct {
	ID     *string `json:"id,omitempty"` // a ROUTER's routing id, lowercase hex
	Frames []any   `json:"frames"`
}

type base64Frame struct {
	Base64 string `json:"base64"`
}

// print writes one message; id is the routing id a ROUTER or STREAM received it from, or nil.
func (p *printer) print(id []byte, frames [][]byte) error {
	p.buf.Reset()
	switch p.format {
	case formatJSON:
		m := jsonMsg{Frames: make([]any, len(frames))}
		if id != nil {
			h := hex.EncodeToString(id)
			m.ID = &h
		}
		for i, f := range frames {
			if utf8.Valid(f) {
				m.Frames[i] = string(f)
			} else {
				m.Frames[i] = base64Frame{base64.StdEncoding.EncodeToString(f)}
			}
		}
		enc := json.NewEncoder(&p.buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m); err != nil { // Encode adds the newline
			return err
		}
		_, err := p.w.Write(p.buf.Bytes())
		return err
	case formatHex:
		if id != nil {
			p.buf.WriteString(hex.EncodeToString(id))
			p.buf.Write(p.sep)
		}
		for i, f := range frames {
			if i > 0 {
				p.buf.Write(p.sep)
			}
			p.buf.WriteString(hex.EncodeToString(f))
		}
	default:
		if id != nil && p.format == formatText { // raw shows the data alone
			p.buf.WriteString("0x" + hex.EncodeToString(id))
			p.buf.Write(p.sep)
		}
		p.buf.Write(bytes.Join(frames, p.sep))
	}
	if !p.noEnd {
		p.buf.WriteByte(p.end)
	}
	_, err := p.w.Write(p.buf.Bytes())
	return err
}
