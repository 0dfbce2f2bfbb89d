package transport

import "time"

// Config is what a transport may take from the socket's options, as they were at Bind or
// Connect.
type Config struct {
	TCP        TCPOptions
	Buffers    Buffers // SNDBUF, RCVBUF
	Multicast  Multicast
	MaxMsgSize int64 // MAXMSGSIZE, -1 for no limit: a receiving engine drops longer messages
}

// Multicast are the datagram transports' options, with libzmq's names and defaults.
type Multicast struct {
	Rate        int           // RATE: kbit/s a sender may send, data and repairs; default 100
	RecoveryIvl time.Duration // RECOVERY_IVL: how long a sender can repair; default 10 s
	Hops        int           // MULTICAST_HOPS: the IP TTL of multicast packets; default 1
	Loop        bool          // MULTICAST_LOOP: a receiver on the sender's host hears it; default true
	MaxTPDU     int           // MULTICAST_MAXTPDU: the largest packet, headers included; default 1500
}

// DefaultMulticast are libzmq's defaults.
var DefaultMulticast = Multicast{Rate: 100, RecoveryIvl: 10 * time.Second, Hops: 1, Loop: true, MaxTPDU: 1500}
