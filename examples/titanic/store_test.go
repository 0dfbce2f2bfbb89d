package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestStoreRoundTrip: a request and its reply come back as stored, the request is pending
// until its reply is saved, and a store opened again on the directory finds what is pending.
func TestStoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	st, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	body := [][]byte{[]byte("a"), {}, []byte("c")}
	done, _ := st.put([]byte("echo"), body)
	open, err := st.put([]byte("echo"), body)
	if err != nil {
		t.Fatal(err)
	}
	svc, got, err := st.request(open)
	if err != nil || string(svc) != "echo" || !reflect.DeepEqual(got, body) {
		t.Fatalf("request: %q %q %v", svc, got, err)
	}
	if err := st.saveReply(done, body); err != nil {
		t.Fatal(err)
	}
	if r, err := st.reply(done); err != nil || !reflect.DeepEqual(r, body) {
		t.Fatalf("reply: %q %v", r, err)
	}
	if r, err := st.reply(open); err != nil || r != nil {
		t.Fatalf("reply of a pending request: %q %v, want nil, nil", r, err)
	}
	again, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p := again.pendingIDs(); !reflect.DeepEqual(p, []string{open}) {
		t.Fatalf("pending after reopening: %v, want [%s]", p, open)
	}
}

// TestStoreDamaged: files cut short or claiming more than they hold are errors, not panics.
func TestStoreDamaged(t *testing.T) {
	for _, b := range [][]byte{
		{0, 0},
		{0, 0, 0, 5, 'a'},
		{0xff, 0xff, 0xff, 0xff},
		{0, 0, 0, 1, 'a', 0},
	} {
		if f, err := decodeFrames(b); !errors.Is(err, errDamaged) {
			t.Errorf("decodeFrames(%v) = %q, %v; want errDamaged", b, f, err)
		}
	}
	dir := t.TempDir()
	st, _ := openStore(dir)
	id := "0123456789abcdef0123456789abcdef"
	os.WriteFile(filepath.Join(dir, id+".req"), []byte{0, 0, 0, 9}, 0o600)
	if _, _, err := st.request(id); !errors.Is(err, errDamaged) {
		t.Fatalf("request of a damaged file: %v, want errDamaged", err)
	}
	os.WriteFile(filepath.Join(dir, id+".req"), []byte{0, 0, 0, 1, 'x'}, 0o600)
	if _, _, err := st.request(id); err == nil {
		t.Fatal("a request of one frame (no body) was accepted")
	}
}
