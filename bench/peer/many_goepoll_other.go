//go:build !linux

package peer

import (
	"fmt"
	"io"
)

// echoEpoll is Linux's (epoll): elsewhere GoEpoll plays nothing.
func (m *many) echoEpoll(io.Writer, *ManyResult) error {
	return fmt.Errorf("peer: %s needs Linux (epoll)", GoEpoll)
}
