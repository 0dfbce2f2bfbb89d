package norm

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/purezmq/zmq/internal/pipe"
)

// A batch of messages goes out as full segments (the last short), each marking the first
// message that starts in it, the marks exactly where the messages start.
func TestSenderPacksSegments(t *testing.T) {
	for _, size := range []int{0, 100, 1500, 5000} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			x := &sender{offset: 7}
			var batch []pipe.Msg
			var want []byte
			starts := map[int]bool{}
			for i := range 40 {
				m := pipe.Msg{[]byte("top"), []byte(strconv.Itoa(i)), make([]byte, size)}
				batch = append(batch, m)
				starts[len(want)] = true
				for j, f := range m {
					want = appendFrame(want, j == 0, j < len(m)-1, f)
				}
			}
			x.messages(batch)
			var got []byte
			for k, sg := range x.queue {
				st, err := ParseStream(sg.payload)
				if err != nil {
					t.Fatal(err)
				}
				if st.Offset != 7+uint32(len(got)) {
					t.Fatalf("segment %d at offset %d, want %d", k, st.Offset, 7+len(got))
				}
				if k < len(x.queue)-1 && len(st.Data) != segSize {
					t.Fatalf("segment %d of %d bytes before the last", k, len(st.Data))
				}
				first := -1
				for o := len(got); o < len(got)+len(st.Data); o++ {
					if starts[o] {
						first = o - len(got)
						break
					}
				}
				if int(st.MsgStart)-1 != first {
					t.Fatalf("segment %d marks %d, first message start at %d", k, int(st.MsgStart)-1, first)
				}
				if sg.pos != (symPos{uint32(k / blockLen), uint16(k % blockLen)}) {
					t.Fatalf("segment %d at %+v", k, sg.pos)
				}
				got = append(got, st.Data...)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("the segments do not hold the frames")
			}
			if n := (len(want) + segSize - 1) / segSize; len(x.queue) != n {
				t.Fatalf("%d segments for %d bytes, want %d", len(x.queue), len(want), n)
			}
		})
	}
}
