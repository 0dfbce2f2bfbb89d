# A request-reply broker's worker written against libzmq (pyzmq): connects REP to the broker's
# backend at argv[1] and answers argv[2] requests "Hello X" with "World X", printing
# "received Hello X" for each.
import sys
import zmq

ctx = zmq.Context()
rep = ctx.socket(zmq.REP)
rep.setsockopt(zmq.RCVTIMEO, 10000)
rep.connect(sys.argv[1])
for _ in range(int(sys.argv[2])):
    req = rep.recv().decode()
    print("received", req, flush=True)
    rep.send(("World" + req[len("Hello"):]).encode())
rep.close(linger=1000)
ctx.term()
