package pipe

// Slabs is the process's pool of slabs: the memory a busy connection carves its small frames
// from (engine's frameBuffer), a few hundred messages to a slab. Nobody gives a small frame
// back (Socket.Recycle cannot take one carved from a shared slab), so a slab comes back by
// itself (reclaim.go) once no frame carved from it is reachable, and later frames are carved
// from it again. Without it a stream of small messages is a stream of fresh allocation, and
// with a receiver's small heap the garbage collector runs every few megabytes.
//
// One pool for the process, not one per socket: what it lets out is memory held besides the
// program's own (a slab stays out until a collection after its last frame is dropped), and
// SlabsMax bounds it however many sockets receive. Past it, slabs are ordinary allocations.
var Slabs = &BufPool{armCap: SlabsMax}

// SlabsMax bounds the bytes of slabs that come back, out and held at once, in the process.
const SlabsMax = 8 << 20
