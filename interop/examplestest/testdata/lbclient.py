# A load-balancing broker's client written against libzmq (pyzmq): connects REQ with routing
# id argv[2] to the broker's frontend at argv[1] and sends argv[3] requests "HELLO NAME I",
# one at a time, printing each reply.
import sys
import zmq

endpoint, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = zmq.Context()
req = ctx.socket(zmq.REQ)
req.setsockopt(zmq.IDENTITY, name.encode())
req.setsockopt(zmq.RCVTIMEO, 10000)
req.connect(endpoint)
for i in range(n):
    req.send(("HELLO %s %d" % (name, i)).encode())
    print(req.recv().decode(), flush=True)
req.close(linger=0)
ctx.term()
