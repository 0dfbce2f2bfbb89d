# A simple pirate worker written against libzmq (pyzmq): a REQ with routing id argv[2]
# connected to the queue's backend argv[1]. It says ready ("\x01"), echoes argv[3] requests
# printing "work SEQ", then, if argv[4] is "crash", takes one more and exits without answering
# it ("crash SEQ"): the request is lost and the queue is not told.
import sys
import zmq

ctx = zmq.Context()
req = ctx.socket(zmq.REQ)
req.setsockopt(zmq.IDENTITY, sys.argv[2].encode())
req.setsockopt(zmq.RCVTIMEO, 10000)
req.connect(sys.argv[1])
req.send(b"\x01")
for i in range(int(sys.argv[3])):
    client, empty, body = req.recv_multipart()
    print("work", body.decode(), flush=True)
    req.send_multipart([client, empty, body])
if sys.argv[4] == "crash":
    print("crash", req.recv_multipart()[2].decode(), flush=True)
req.close(linger=1000)
ctx.term()
