package engine

import (
	"bytes"
	"testing"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
)

// discardSink takes every message and keeps none.
type discardSink struct{}

func (discardSink) DeliverBatch(ms []pipe.Msg) int { return len(ms) }
func (discardSink) DeliverOwn(ms []pipe.Msg) int   { return len(ms) }

// BenchmarkDecodeSmall decodes a stream of small messages of one or two frames, as a reader
// does after each read: the cost per message of framing, carving and listing them.
func BenchmarkDecodeSmall(b *testing.B) {
	for _, tc := range []struct {
		name   string
		frames int
	}{{"1frame", 1}, {"2frames", 2}} {
		b.Run(tc.name, func(b *testing.B) {
			const msgs = 1024
			var one []byte
			for i := range tc.frames {
				flags := byte(0)
				if i < tc.frames-1 {
					flags = zmtp.FlagMore
				}
				one = zmtp.AppendFrame(one, flags, make([]byte, 64))
			}
			stream := bytes.Repeat(one, msgs)
			c, tc2, _ := trickled()
			c.dec.sink = discardSink{}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				tc2.data = stream
				for {
					err := c.decode(false)
					c.offer()
					if err == nil {
						err = c.readMore()
					}
					if err != nil {
						break
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*msgs), "ns/msg")
		})
	}
}
