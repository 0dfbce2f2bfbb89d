//go:build !linux

// Package readyset is Linux's (epoll): elsewhere New fails and sockets read each connection
// on a goroutine of its own.
package readyset

import (
	"errors"
	"syscall"
)

// Supported reports whether this platform has sets.
const Supported = false

var errUnsupported = errors.New("readyset: needs Linux (epoll)")

// Set is Linux's only.
type Set struct{}

// New fails: sets are Linux's only.
func New() (*Set, error) { return nil, errUnsupported }

func (s *Set) Add(syscall.RawConn, uint32) error                  { return errUnsupported }
func (s *Set) Remove(syscall.RawConn)                             {}
func (s *Set) Wait(dst []uint32, _ func() bool) ([]uint32, error) { return dst, errUnsupported }
func (s *Set) Kick()                                              {}
func (s *Set) Close() error                                       { return nil }
