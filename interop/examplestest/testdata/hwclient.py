# The guide's hello world client, written against libzmq (pyzmq): connects REQ to argv[1] and
# sends argv[2] requests, printing "N REPLY" for each.
import sys
import zmq

ctx = zmq.Context()
req = ctx.socket(zmq.REQ)
req.setsockopt(zmq.RCVTIMEO, 10000)
req.connect(sys.argv[1])
for i in range(int(sys.argv[2])):
    req.send(b"Hello")
    print(i, req.recv().decode(), flush=True)
req.close(linger=0)
ctx.term()
