package curve

import (
	"bytes"
	"fmt"
	"strings"
)

// This file reads and writes the subset of the ZeroMQ Property Language
// (RFC 4) that certificates use: a tree of "name" or "name = value" lines,
// four spaces of indentation per level, '#' comments, values optionally in
// single or double quotes (no escapes).

// zplNode is one property; the root has no name.
type zplNode struct {
	name     string
	value    string
	line     int
	children []*zplNode
}

const zplIndent = 4

// child returns the only child called name, nil if there is none, and an
// error if there are several.
func (n *zplNode) child(name string) (*zplNode, error) {
	var found *zplNode
	for _, c := range n.children {
		if c.name != name {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("%w: line %d: %q repeats line %d", ErrCertificate, c.line, name, found.line)
		}
		found = c
	}
	return found, nil
}

// parseZPL parses a whole document into a tree under an unnamed root.
func parseZPL(data []byte) (*zplNode, error) {
	root := &zplNode{}
	stack := []*zplNode{root} // stack[i] takes children at indentation level i
	for i, line := range splitLines(data) {
		lineNo := i + 1
		if len(line) == 0 {
			continue
		}
		trimmed := bytes.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		trimmed = bytes.TrimRight(trimmed, " \t")
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue // blank or comment line, whatever its indentation
		}
		if indent%zplIndent != 0 {
			return nil, zplError(lineNo, "indentation of %d spaces is not a multiple of 4", indent)
		}
		level := indent / zplIndent
		if level >= len(stack) {
			return nil, zplError(lineNo, "indented more than one level below its parent")
		}
		node, err := parseZPLLine(trimmed, lineNo)
		if err != nil {
			return nil, err
		}
		parent := stack[level]
		parent.children = append(parent.children, node)
		stack = append(stack[:level+1], node)
	}
	return root, nil
}

// splitLines splits at "\r\n", "\n" or "\r", the line endings RFC 4 allows.
func splitLines(data []byte) [][]byte {
	var lines [][]byte
	for len(data) > 0 {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			lines = append(lines, data)
			break
		}
		lines = append(lines, data[:i])
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	return lines
}

// parseZPLLine parses "name", "name = value" or either followed by a comment;
// line has no leading or trailing blanks.
func parseZPLLine(line []byte, lineNo int) (*zplNode, error) {
	n := 0
	for n < len(line) && isZPLNameChar(line[n]) {
		n++
	}
	if n == 0 {
		return nil, zplError(lineNo, "line starts with %q, not a property name", line[0])
	}
	node := &zplNode{name: string(line[:n]), line: lineNo}
	rest := bytes.TrimLeft(line[n:], " \t")
	switch {
	case len(rest) == 0 || rest[0] == '#':
		return node, nil
	case rest[0] != '=':
		return nil, zplError(lineNo, "unexpected %q after name %q", rest[0], node.name)
	}
	node.value = parseZPLValue(bytes.TrimLeft(rest[1:], " \t"))
	return node, nil
}

// parseZPLValue returns the value text after '=' and any blanks. A value in
// matching quotes may hold '#'; RFC 4 treats a value that opens a quote but
// does not end with it as unquoted.
func parseZPLValue(v []byte) string {
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
		if end := bytes.IndexByte(v[1:], v[0]); end >= 0 {
			after := bytes.TrimLeft(v[1+end+1:], " \t")
			if len(after) == 0 || after[0] == '#' {
				return string(v[1 : 1+end])
			}
		}
	}
	if i := bytes.IndexByte(v, '#'); i >= 0 {
		v = v[:i]
	}
	return string(bytes.TrimRight(v, " \t"))
}

// isZPLNameChar reports whether c may appear in a name (RFC 4: ALPHA, DIGIT
// and "$-_@.&+/").
func isZPLNameChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("$-_@.&+/", c) >= 0
}

func validZPLName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isZPLNameChar(s[i]) {
			return false
		}
	}
	return true
}

// quoteZPL returns v in double quotes, or single quotes if it contains a
// double quote. ZPL has no escapes, so a value holding both quote kinds or a
// line break cannot be written.
func quoteZPL(v string) (string, error) {
	switch {
	case strings.ContainsAny(v, "\r\n"):
		return "", fmt.Errorf("%w: value %q holds a line break", ErrCertificate, v)
	case !strings.Contains(v, `"`):
		return `"` + v + `"`, nil
	case !strings.Contains(v, `'`):
		return `'` + v + `'`, nil
	}
	return "", fmt.Errorf("%w: value %q holds both quote characters", ErrCertificate, v)
}

func zplError(line int, format string, args ...any) error {
	return fmt.Errorf("%w: line %d: %s", ErrCertificate, line, fmt.Sprintf(format, args...))
}
