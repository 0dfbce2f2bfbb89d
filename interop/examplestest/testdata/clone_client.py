# A clone client (the guide's model three) written against libzmq (pyzmq), from the protocol:
# kvmsgs are [key, sequence as 8 bytes big-endian, value]. argv: snapshot, updates and collector
# endpoints, n, until, name. It subscribes to updates and waits for the first message, takes a
# snapshot ("ICANHAZ?" ... "KTHXBAI"), pushes n updates "key-K" = "NAME:I", applies the updates
# numbered after the snapshot, and at sequence `until` prints the map as the Go client does.
import random
import struct
import sys
import zmq

snapshot_ep, updates_ep, collector_ep = sys.argv[1:4]
n, until, name = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]

ctx = zmq.Context()
sub = ctx.socket(zmq.SUB)
sub.setsockopt(zmq.RCVTIMEO, 10000)
sub.setsockopt(zmq.SUBSCRIBE, b"")
sub.connect(updates_ep)
pending = sub.recv_multipart()  # the subscription is in place

dealer = ctx.socket(zmq.DEALER)
dealer.setsockopt(zmq.RCVTIMEO, 10000)
dealer.connect(snapshot_ep)
dealer.send(b"ICANHAZ?")
kv = {}
while True:
    key, seq, value = dealer.recv_multipart()
    seq = struct.unpack(">Q", seq)[0]
    if key == b"KTHXBAI":
        break
    kv[key] = value
print("snapshot of %d entries at %d" % (len(kv), seq), flush=True)

push = ctx.socket(zmq.PUSH)
push.connect(collector_ep)
for i in range(n):
    push.send_multipart([b"key-%d" % random.randrange(10), struct.pack(">Q", 0), b"%s:%d" % (name.encode(), i)])

msg = pending
while seq < until:
    key, useq, value = msg
    useq = struct.unpack(">Q", useq)[0]
    if key != b"HUGZ" and useq > seq:
        if useq != seq + 1:
            sys.exit("updates %d to %d lost" % (seq + 1, useq - 1))
        kv[key] = value
        seq = useq
    if seq < until:
        msg = sub.recv_multipart()
print("map at %d, %d entries" % (seq, len(kv)), flush=True)
for key in sorted(kv):
    print("%s=%s" % (key.decode(), kv[key].decode()), flush=True)
for s in (sub, dealer, push):
    s.close(linger=0)
ctx.term()
