package clitest

// The pyzmq peers of the send/recv tests. Each prints "ready" once its socket is set up, and
// what it receives as one line per message: the frames in hex, joined by ",".

// pyPull binds a PULL at argv[1] and prints argv[2] messages.
const pyPull = `
import sys, zmq
s = zmq.Context().socket(zmq.PULL)
s.bind(sys.argv[1])
print("ready", flush=True)
for _ in range(int(sys.argv[2])):
    print(",".join(f.hex() for f in s.recv_multipart()), flush=True)
`

// pyPub binds a PUB at argv[1] and publishes [topic+n, 00ff] for topics a, b and c until it
// is stopped, so that a subscriber whenever it joins sees each topic soon.
const pyPub = `
import sys, time, zmq
s = zmq.Context().socket(zmq.PUB)
s.bind(sys.argv[1])
print("ready", flush=True)
n = 0
while True:
    for t in b"abc":
        s.send_multipart([bytes([t]) + str(n).encode(), b"\x00\xff"])
    n += 1
    time.sleep(0.001)
`

// pyRep binds a REP at argv[1] and answers argv[2] requests with "re:" and the request.
const pyRep = `
import sys, zmq
s = zmq.Context().socket(zmq.REP)
s.bind(sys.argv[1])
print("ready", flush=True)
for _ in range(int(sys.argv[2])):
    s.send(b"re:" + s.recv())
`

// pyReq connects a REQ to argv[1], sends each further argument and prints each reply.
const pyReq = `
import sys, zmq
s = zmq.Context().socket(zmq.REQ)
s.connect(sys.argv[1])
print("ready", flush=True)
for q in sys.argv[2:]:
    s.send(q.encode())
    print(",".join(f.hex() for f in s.recv_multipart()), flush=True)
`

// pyDealer connects a DEALER with routing id "py1" to argv[1], sends [hello, 00ff] and prints
// the answer.
const pyDealer = `
import sys, zmq
s = zmq.Context().socket(zmq.DEALER)
s.setsockopt(zmq.ROUTING_ID, b"py1")
s.connect(sys.argv[1])
print("ready", flush=True)
s.send_multipart([b"hello", b"\x00\xff"])
print(",".join(f.hex() for f in s.recv_multipart()), flush=True)
`

// pyPushBinary connects a PUSH to argv[1] and sends one message: every byte value, then ff.
const pyPushBinary = `
import sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.PUSH)
s.setsockopt(zmq.LINGER, 10000)
s.connect(sys.argv[1])
print("ready", flush=True)
s.send_multipart([bytes(range(256)), b"\xff"])
s.close()
ctx.term()  # delivers within LINGER; at interpreter exit pyzmq would not
`

// pyCurveServer binds a CURVE server socket of type argv[2] (PULL: print argv[3] messages;
// PUSH: send "curve ok" argv[3] times) at argv[1]. Its keys are the czmq certificate argv[4]
// when given, else a fresh pair whose public key it prints first.
const pyCurveServer = `
import sys, zmq, zmq.auth
if len(sys.argv) > 4:
    public, secret = zmq.auth.load_certificate(sys.argv[4])
else:
    public, secret = zmq.curve_keypair()
    print(public.decode(), flush=True)
ctx = zmq.Context()
s = ctx.socket(getattr(zmq, sys.argv[2]))
s.curve_server = True
s.curve_publickey = public
s.curve_secretkey = secret
s.setsockopt(zmq.LINGER, 10000)
s.bind(sys.argv[1])
print("ready", flush=True)
for _ in range(int(sys.argv[3])):
    if sys.argv[2] == "PULL":
        print(",".join(f.hex() for f in s.recv_multipart()), flush=True)
    else:
        s.send(b"curve ok")
s.close()
ctx.term()
`
