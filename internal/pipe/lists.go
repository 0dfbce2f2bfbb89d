package pipe

// Lists of small messages are carved from storage shared with other messages' lists (a
// socket's send arrays, a publisher's log chunks), which lives as long as any of them; a bigger
// message, or one of many frames, gets a list of its own, so that its frames are not kept alive
// by its neighbours' for long.
const (
	SmallListFrames = 8       // the most frames of a message whose list is carved
	SmallListBytes  = 1 << 10 // the most bytes
)

// SmallList reports whether m's list is carved (SmallListFrames, SmallListBytes).
func SmallList(m Msg) bool {
	if len(m) > SmallListFrames {
		return false
	}
	return MsgSize(m) <= SmallListBytes
}

// CarveList copies m's list into slots, which must have room for it, capped at its length: a
// receiver's append never reaches the next list carved there.
func CarveList(slots [][]byte, m Msg) Msg {
	n := len(m)
	c := slots[:n:n]
	if n == 1 {
		c[0] = m[0] // an assignment: copy is a call into the runtime
	} else {
		copy(c, m)
	}
	return c
}

// CarveCopy copies m, its list into slots and its frames' bytes into data, which must have room
// for them (len(m) slots, MsgSize(m) bytes), each frame capped at its length as CarveList caps
// the list: a copy the caller may keep while it reuses m (a sender's SendCopy).
func CarveCopy(slots [][]byte, data []byte, m Msg) Msg {
	c := CarveList(slots, m)
	for i, f := range m {
		n := copy(data, f)
		c[i] = data[:n:n]
		data = data[n:]
	}
	return c
}

// CopyMsg returns a copy of m, list and frames, in storage of its own: one allocation for the
// list and one for all the frames' bytes. Each frame's capacity ends with it, so a receiver
// recycling a big frame (Socket.Recycle) gives back only that frame's bytes.
func CopyMsg(m Msg) Msg {
	return CarveCopy(make([][]byte, len(m)), make([]byte, MsgSize(m)), m)
}

// OwnApart returns a copy of m's list in storage of its own, for a message whose list is not
// carved (SmallList), and with copyFrames of its frames too (CopyMsg).
func OwnApart(m Msg, copyFrames bool) Msg {
	if copyFrames {
		return CopyMsg(m)
	}
	return append(Msg(nil), m...)
}

// MsgSize is the bytes of m's frames together.
func MsgSize(m Msg) int {
	size := 0
	for _, f := range m {
		size += len(f)
	}
	return size
}
