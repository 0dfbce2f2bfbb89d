//go:build linux

package norm

import (
	"encoding/binary"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// timestampMsg is a SCM_TIMESTAMPNS control message for t, as the kernel writes it.
func timestampMsg(t time.Time) []byte {
	b := make([]byte, unix.CmsgSpace(16))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS
	h.SetLen(unix.CmsgLen(16))
	binary.NativeEndian.PutUint64(b[unix.CmsgLen(0):], uint64(t.Unix()))
	binary.NativeEndian.PutUint64(b[unix.CmsgLen(0)+8:], uint64(t.Nanosecond()))
	return b
}

// A datagram's arrival is the kernel's time when it is sane, else when it was read; the GRTT
// response counts the time held since arrival, not since reading.
func TestArrival(t *testing.T) {
	read := time.Now()
	tests := []struct {
		name string
		oob  []byte
		want time.Duration // before read
	}{
		{"kernel time", timestampMsg(read.Add(-30 * time.Millisecond)), 30 * time.Millisecond},
		{"none", nil, 0},
		{"garbage", []byte{1, 2, 3}, 0},
		{"in the future", timestampMsg(read.Add(time.Second)), 0},
		{"a clock step ago", timestampMsg(read.Add(-time.Hour)), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := arrival(tt.oob, read)
			// The kernel time has microsecond precision here at worst.
			if d := read.Sub(at) - tt.want; d < -time.Microsecond || d > time.Microsecond {
				t.Fatalf("arrival %v before read, want %v", read.Sub(at), tt.want)
			}
			sn := &rxSender{ccSent: time.Unix(5000, 0), ccAt: at}
			sec, us := sn.grttResponse(read)
			got := time.Unix(int64(sec), int64(us)*1000).Sub(sn.ccSent)
			if d := got - tt.want; d < -2*time.Microsecond || d > 2*time.Microsecond {
				t.Fatalf("GRTT response %v after the send time, want %v", got, tt.want)
			}
		})
	}
}
