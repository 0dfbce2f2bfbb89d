package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/purezmq/zmq/internal/zerr"
)

var ipcSeq atomic.Uint64

// ListenIPC binds a unix-domain socket. "*" picks a fresh path under the temporary directory;
// a leading "@" is Linux's abstract namespace. A stale socket file (nobody accepting on it) is
// replaced, as libzmq does; a live one is EADDRINUSE.
func ListenIPC(path string) (net.Listener, string, error) {
	if path == "*" {
		path = filepath.Join(os.TempDir(), "purezmq-"+strconv.Itoa(os.Getpid())+"-"+strconv.FormatUint(ipcSeq.Add(1), 10)+".sock")
	}
	l, err := net.Listen("unix", path)
	if err != nil && errors.Is(err, syscall.EADDRINUSE) && path[0] != '@' {
		c, derr := net.DialTimeout("unix", path, time.Second)
		if derr == nil {
			c.Close()
			return nil, "", fmt.Errorf("%w: ipc://%s", zerr.ErrAddrInUse, path)
		}
		_ = os.Remove(path)
		l, err = net.Listen("unix", path)
	}
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, "", fmt.Errorf("%w: ipc://%s", zerr.ErrAddrInUse, path)
		}
		return nil, "", fmt.Errorf("zmq: bind ipc://%s: %w", path, err)
	}
	return l, "ipc://" + path, nil
}

// DialIPC connects to a unix-domain socket, with buffers b.
func DialIPC(ctx context.Context, path string, b Buffers) (net.Conn, error) {
	d := net.Dialer{Control: b.control}
	c, err := d.DialContext(ctx, "unix", path)
	if err == nil && !beforeConnect {
		b.apply(c)
	}
	return c, err
}
