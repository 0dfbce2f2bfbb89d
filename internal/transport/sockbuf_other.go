//go:build !unix

package transport

import "syscall"

// beforeConnect: elsewhere the buffers are set on the open connection.
const beforeConnect = false

func (b Buffers) control(string, string, syscall.RawConn) error { return nil }
