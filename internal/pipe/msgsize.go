package pipe

// MAXMSGSIZE bounds a message as its receiver gets it: its frames' bytes and, since a frame
// costs memory whatever its size (its slot in the message's frame list, more while the list
// grows), FrameCharge more for each frame past the message's first FreeFrames. An empty frame
// is two bytes on the wire: without the charge a peer could send millions of them in one
// message however small the limit. Every decoder of a stream of frames counts so (the ZMTP
// engine and the multicast transports).
const (
	FreeFrames  = 64
	FrameCharge = 64
)

// FrameCost is what a message's frame of size bytes counts against MAXMSGSIZE when before
// frames of the message came before it.
func FrameCost(before, size int) int64 {
	if before >= FreeFrames {
		return int64(size) + FrameCharge
	}
	return int64(size)
}
