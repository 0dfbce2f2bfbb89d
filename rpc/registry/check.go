package registry

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

var (
	// ErrInvalid reports a bad key, endpoint or TTL.
	ErrInvalid = errors.New("registry: invalid argument")
	// ErrWatchLost is what Cached's onStale hears when a Watch of the registry it wraps ended
	// (the registry failed) and it serves the last snapshot until a new Watch starts.
	ErrWatchLost = errors.New("registry: watch lost")
	// ErrReadOnly is returned by Register on a registry that cannot register, such as a file.
	ErrReadOnly = errors.New("registry: read-only registry")
	// ErrClosed is returned after Close; it satisfies errors.Is(err, net.ErrClosed).
	ErrClosed = fmt.Errorf("registry: closed (%w)", net.ErrClosed)
	// ErrBadURL reports a transport URL that ParseURL cannot accept.
	ErrBadURL = errors.New("registry: bad transport URL")
	// ErrBadFile reports a registry file that is not a JSON object of key → endpoints.
	ErrBadFile = errors.New("registry: bad registry file")
)

// maxName bounds keys and endpoints: both end up in Redis keys, files and log lines.
const maxName = 1024

// CheckKey reports whether key can name a set of endpoints: 1–1024 printable bytes, no spaces.
func CheckKey(key string) error {
	if err := checkName(key); err != nil {
		return fmt.Errorf("%w: key %q: %s", ErrInvalid, key, err)
	}
	return nil
}

// CheckEndpoint reports whether endpoint looks like a ZeroMQ endpoint, "transport://address".
func CheckEndpoint(endpoint string) error {
	if err := checkName(endpoint); err != nil {
		return fmt.Errorf("%w: endpoint %q: %s", ErrInvalid, endpoint, err)
	}
	scheme, addr, ok := strings.Cut(endpoint, "://")
	if !ok || scheme == "" || addr == "" {
		return fmt.Errorf("%w: endpoint %q: want transport://address", ErrInvalid, endpoint)
	}
	return nil
}

// CheckRegister validates Register's arguments; every implementation calls it first.
func CheckRegister(key, endpoint string, ttl time.Duration) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := CheckEndpoint(endpoint); err != nil {
		return err
	}
	// Below a millisecond the refresh (ttl/3) cannot keep up with any real store.
	if ttl < time.Millisecond {
		return fmt.Errorf("%w: ttl %v: want at least 1ms", ErrInvalid, ttl)
	}
	return nil
}

func checkName(s string) error {
	if s == "" {
		return errors.New("empty")
	}
	if len(s) > maxName {
		return fmt.Errorf("%d bytes, over %d", len(s), maxName)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return fmt.Errorf("control or space byte %#x at %d", c, i)
		}
	}
	return nil
}

// equal reports whether two sorted endpoint lists are the same.
func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
