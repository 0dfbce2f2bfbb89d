package registry

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// writeFile replaces path the safe way: a temporary file renamed into place.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestFileReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.json")
	writeFile(t, path, `{"openstack/compute": ["tcp://127.0.0.1:5001"]}`)
	synctest.Test(t, func(t *testing.T) {
		r, err := OpenFile(path, WithPollInterval(100*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if _, err := r.Register(context.Background(), key, epB, time.Second); !errors.Is(err, ErrReadOnly) {
			t.Errorf("Register on a file = %v, want ErrReadOnly", err)
		}
		ch, err := r.Watch(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		if got := <-ch; !slices.Equal(got, []string{epA}) {
			t.Fatalf("first Watch value %v, want [%s]", got, epA)
		}
		writeFile(t, path, `{"openstack/compute": ["tcp://127.0.0.1:5002", "tcp://127.0.0.1:5001", "tcp://127.0.0.1:5002"]}`)
		if got := <-ch; !slices.Equal(got, []string{epA, epB}) {
			t.Fatalf("after the rewrite Watch sent %v, want [%s %s]", got, epA, epB)
		}
		if got := resolve(t, r); !slices.Equal(got, []string{epA, epB}) {
			t.Fatalf("Resolve after the rewrite: %v", got)
		}

		// Written in place and broken: Resolve says so, Watch stays quiet.
		if err := os.WriteFile(path, []byte(`{"openstack/compute": [`), 0o600); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		if _, err := r.Resolve(context.Background(), key); !errors.Is(err, ErrBadFile) {
			t.Fatalf("Resolve of a broken file = %v, want ErrBadFile", err)
		}
		select {
		case got := <-ch:
			t.Fatalf("Watch sent %v for a broken file", got)
		default:
		}
		writeFile(t, path, `{"other": ["tcp://127.0.0.1:9"]}`)
		if got := <-ch; len(got) != 0 {
			t.Fatalf("key gone from the file: Watch sent %v, want []", got)
		}
	})
}

func TestFileBad(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, maxFile+1); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFile(big); !errors.Is(err, ErrBadFile) {
		t.Errorf("OpenFile of %d bytes = %v, want ErrBadFile", maxFile+1, err)
	}
	if _, err := OpenFile(filepath.Join(dir, "missing.json")); !errors.Is(err, ErrBadFile) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenFile of a missing file = %v, want ErrBadFile and ErrNotExist", err)
	}
	for _, content := range []string{
		``,
		`null`,
		`[]`,
		`{"k": "tcp://127.0.0.1:1"}`,
		`{"k": [1]}`,
		`{"k": [""]}`,
		`{"k": ["127.0.0.1:1"]}`,
		`{"": ["tcp://127.0.0.1:1"]}`,
		`{"k": ["tcp://127.0.0.1:1"]} {}`,
		`{"k": ["tcp://127.0.0.1:1"]`,
	} {
		path := filepath.Join(dir, "r.json")
		writeFile(t, path, content)
		if r, err := OpenFile(path); !errors.Is(err, ErrBadFile) && !errors.Is(err, ErrInvalid) {
			t.Errorf("OpenFile of %q = %v, want ErrBadFile or ErrInvalid", content, err)
			if r != nil {
				r.Close()
			}
		}
	}
}
