package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"
)

// maxFile bounds what OpenFile reads: a registry file lists endpoints, not data.
const maxFile = 16 << 20

// FileOption adjusts OpenFile.
type FileOption func(*file)

// WithPollInterval sets how often the file's size and modification time are checked;
// default 1s.
func WithPollInterval(d time.Duration) FileOption {
	return func(f *file) {
		if d > 0 {
			f.every = d
		}
	}
}

// file is a read-only Registry over a JSON file {"key": ["tcp://...", ...]}. A goroutine polls
// the file and reloads it when its identity, size or modification time changes.
type file struct {
	path  string
	every time.Duration

	mu      sync.Mutex
	entries map[string][]string // sorted, without duplicates
	err     error               // the last reload's failure, nil once the file is good again
	stat    os.FileInfo
	closed  bool
	changed chan struct{} // closed and replaced at each reload

	stop chan struct{}
	wg   sync.WaitGroup
}

// OpenFile reads a static registry from path and reloads it when it changes. While the file
// is bad (half written, not JSON), Resolve returns ErrBadFile; write it to a temporary name
// and rename it into place, or wrap the registry in Cached. Register returns ErrReadOnly.
func OpenFile(path string, opts ...FileOption) (Registry, error) {
	f := &file{path: path, every: time.Second, changed: make(chan struct{}), stop: make(chan struct{})}
	for _, o := range opts {
		o(f)
	}
	st, entries, err := load(path)
	if err != nil {
		return nil, err
	}
	f.stat, f.entries = st, entries
	f.wg.Add(1)
	go f.poll()
	return f, nil
}

// load reads and checks the whole file.
func load(path string) (os.FileInfo, map[string][]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrBadFile, err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrBadFile, err)
	}
	data, err := io.ReadAll(io.LimitReader(fh, maxFile+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrBadFile, path, err)
	}
	entries, err := parseFile(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrBadFile, path, err)
	}
	return st, entries, nil
}

func parseFile(data []byte) (map[string][]string, error) {
	if len(data) > maxFile {
		return nil, fmt.Errorf("over %d bytes", maxFile)
	}
	var raw map[string][]string
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("want a JSON object of key → [endpoint, ...]: %w", err)
	}
	if raw == nil {
		return nil, fmt.Errorf("want a JSON object of key → [endpoint, ...], got null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON object")
	}
	entries := make(map[string][]string, len(raw))
	for key, eps := range raw {
		if err := CheckKey(key); err != nil {
			return nil, err
		}
		for _, ep := range eps {
			if err := CheckEndpoint(ep); err != nil {
				return nil, fmt.Errorf("key %q: %w", key, err)
			}
		}
		eps = slices.Clone(eps)
		slices.Sort(eps)
		entries[key] = slices.Compact(eps)
	}
	return entries, nil
}

func (f *file) poll() {
	defer f.wg.Done()
	t := time.NewTicker(f.every)
	defer t.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-t.C:
		}
		f.reload()
	}
}

// reload rereads the file when it looks different, and tells the watchers.
func (f *file) reload() {
	st, err := os.Stat(f.path)
	f.mu.Lock()
	old, oldErr := f.stat, f.err
	f.mu.Unlock()
	if err == nil && oldErr == nil && os.SameFile(st, old) && st.Size() == old.Size() && st.ModTime().Equal(old.ModTime()) {
		return
	}
	var entries map[string][]string
	if err == nil {
		st, entries, err = load(f.path)
	} else {
		err = fmt.Errorf("%w: %w", ErrBadFile, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.err = err
		return // the watchers keep what they have
	}
	f.stat, f.entries, f.err = st, entries, nil
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *file) Register(context.Context, string, string, time.Duration) (Lease, error) {
	return nil, fmt.Errorf("%w: %s is a static file", ErrReadOnly, f.path)
}

func (f *file) Resolve(ctx context.Context, key string) ([]string, error) {
	eps, _, err := f.current(ctx, key)
	return eps, err
}

// current returns key's endpoints and the channel closed at the next reload.
func (f *file) current(ctx context.Context, key string) ([]string, <-chan struct{}, error) {
	if err := CheckKey(key); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, nil, ErrClosed
	}
	if f.err != nil {
		return nil, nil, f.err
	}
	return append([]string{}, f.entries[key]...), f.changed, nil
}

func (f *file) Watch(ctx context.Context, key string) (<-chan []string, error) {
	eps, changed, err := f.current(ctx, key)
	if err != nil {
		return nil, err
	}
	out := make(chan []string)
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		defer close(out)
		last, pending, send := []string(nil), eps, out
		for {
			select {
			case send <- pending:
				last, send = pending, nil
			case <-changed:
				f.mu.Lock()
				now := append([]string{}, f.entries[key]...)
				changed = f.changed
				f.mu.Unlock()
				if last == nil || !equal(now, last) {
					pending, send = now, out
				} else {
					send = nil
				}
			case <-ctx.Done():
				return
			case <-f.stop:
				return
			}
		}
	}()
	return out, nil
}

func (f *file) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	f.mu.Unlock()
	close(f.stop)
	f.wg.Wait()
	return nil
}
