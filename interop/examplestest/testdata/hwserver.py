# The guide's hello world server, written against libzmq (pyzmq): binds REP on argv[1], prints
# "ready ENDPOINT", answers argv[2] requests with "World", printing each request.
import sys
import zmq

ctx = zmq.Context()
rep = ctx.socket(zmq.REP)
rep.bind(sys.argv[1])
print("ready", rep.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
for _ in range(int(sys.argv[2])):
    msg = rep.recv()
    print("received", msg.decode(), flush=True)
    rep.send(b"World")
rep.close(linger=1000)
ctx.term()
