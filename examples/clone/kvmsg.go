package main

import (
	"encoding/binary"
	"fmt"

	"github.com/purezmq/zmq"
)

// The guide's key-value message, kvsimple: three frames, the key, the sequence number (8
// bytes, big-endian) and the value. Snapshots and heartbeats are kvmsgs with reserved keys.
const (
	snapshotRequest = "ICANHAZ?" // a client's request for a snapshot, one frame
	snapshotEnd     = "KTHXBAI"  // the snapshot's last message; its sequence is the snapshot's
	heartbeat       = "HUGZ"     // the server's heartbeat; its sequence is the server's
)

type kvmsg struct {
	key   string
	seq   uint64
	value []byte
}

func (m kvmsg) frames() [][]byte {
	return [][]byte{[]byte(m.key), binary.BigEndian.AppendUint64(nil, m.seq), m.value}
}

func (m kvmsg) msg() zmq.Msg { return zmq.NewMsg(m.frames()...) }

// parseKV reads a kvmsg from its frames.
func parseKV(frames [][]byte) (kvmsg, error) {
	if len(frames) != 3 {
		return kvmsg{}, fmt.Errorf("kvmsg of %d frames, want 3", len(frames))
	}
	if len(frames[1]) != 8 {
		return kvmsg{}, fmt.Errorf("kvmsg sequence of %d bytes, want 8", len(frames[1]))
	}
	return kvmsg{key: string(frames[0]), seq: binary.BigEndian.Uint64(frames[1]), value: frames[2]}, nil
}
