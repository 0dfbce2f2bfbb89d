package main

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// maxFile bounds what the store reads back from its directory, so a damaged file cannot make
// the server allocate without end.
const maxFile = 16 << 20

// errUnknown is a UUID the store has no request for, or a string that is no UUID at all.
var errUnknown = errors.New("titanic: unknown request")

// store keeps requests and their replies as files in a directory, so that they survive a
// restart of the server: UUID.req holds [service, body...], UUID.rep the reply's body. Each
// file is written to a temporary name and renamed, so it is whole or absent.
type store struct {
	dir     string
	mu      sync.Mutex
	pending []string // UUIDs with a request and no reply yet, oldest first
}

// openStore opens dir, creating it if needed, and finds the requests left pending there.
func openStore(dir string) (*store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir) // sorted by name; the order of old requests is lost
	if err != nil {
		return nil, err
	}
	s := &store{dir: dir}
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".req")
		if !ok || !validUUID(id) {
			continue
		}
		if _, err := os.Stat(s.path(id, ".rep")); errors.Is(err, os.ErrNotExist) {
			s.pending = append(s.pending, id)
		}
	}
	return s, nil
}

// validUUID accepts 32 hexadecimal digits in lower case, as this store makes them: nothing
// else may name a file.
func validUUID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && strings.ToLower(id) == id
}

func (s *store) path(id, ext string) string { return filepath.Join(s.dir, id+ext) }

// put stores a new request and returns its UUID.
func (s *store) put(service []byte, body [][]byte) (string, error) {
	var u [16]byte
	rand.Read(u[:])
	id := hex.EncodeToString(u[:])
	if err := s.write(id, ".req", append([][]byte{service}, body...)); err != nil {
		return "", err
	}
	s.mu.Lock()
	s.pending = append(s.pending, id)
	s.mu.Unlock()
	return id, nil
}

// request reads a stored request back: its service and body.
func (s *store) request(id string) (service []byte, body [][]byte, err error) {
	f, err := s.read(id, ".req")
	if err != nil {
		return nil, nil, err
	}
	if len(f) < 2 {
		return nil, nil, fmt.Errorf("titanic: request %s has %d frames, want 2 or more", id, len(f))
	}
	return f[0], f[1:], nil
}

// saveReply stores the reply to request id, which is then no longer pending.
func (s *store) saveReply(id string, body [][]byte) error {
	if err := s.write(id, ".rep", body); err != nil {
		return err
	}
	s.unpend(id)
	return nil
}

// reply returns the reply to request id; nil with no error while it is pending, errUnknown for
// a UUID with no request.
func (s *store) reply(id string) ([][]byte, error) {
	id = strings.ToLower(id) // TSP allows either case
	if !validUUID(id) {
		return nil, errUnknown
	}
	body, err := s.read(id, ".rep")
	if !errors.Is(err, os.ErrNotExist) {
		return body, err
	}
	if _, err := os.Stat(s.path(id, ".req")); errors.Is(err, os.ErrNotExist) {
		return nil, errUnknown
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

// close forgets request id and its reply; a UUID it does not know is no error.
func (s *store) close(id string) error {
	id = strings.ToLower(id)
	if !validUUID(id) {
		return errUnknown
	}
	s.unpend(id)
	for _, ext := range []string{".req", ".rep"} {
		if err := os.Remove(s.path(id, ext)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// pendingIDs is a copy of the UUIDs waiting for a reply, oldest first.
func (s *store) pendingIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pending)
}

func (s *store) unpend(id string) {
	s.mu.Lock()
	s.pending = slices.DeleteFunc(s.pending, func(p string) bool { return p == id })
	s.mu.Unlock()
}

// write stores frames in file id+ext: each frame as a 4-byte big-endian length and its bytes.
func (s *store) write(id, ext string, frames [][]byte) error {
	var b []byte
	for _, f := range frames {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	tmp := s.path(id, ext+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.path(id, ext))
}

// read loads the frames of file id+ext, refusing a file that is too big or cut short.
func (s *store) read(id, ext string) ([][]byte, error) {
	f, err := os.Open(s.path(id, ext))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFile {
		return nil, fmt.Errorf("titanic: %s%s is over %d bytes", id, ext, maxFile)
	}
	return decodeFrames(b)
}

var errDamaged = errors.New("titanic: damaged file")

func decodeFrames(b []byte) ([][]byte, error) {
	var frames [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("%w: %d bytes left, want a 4-byte length", errDamaged, len(b))
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(n) > uint64(len(b)-4) {
			return nil, fmt.Errorf("%w: frame of %d bytes, %d left", errDamaged, n, len(b)-4)
		}
		frames = append(frames, b[4:4+n])
		b = b[4+n:]
	}
	return frames, nil
}
