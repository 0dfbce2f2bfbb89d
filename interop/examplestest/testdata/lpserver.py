# A lazy pirate server written against libzmq (pyzmq): binds REP on argv[1], prints
# "ready ENDPOINT", echoes argv[2] requests printing "received SEQ", then, if argv[3] is
# "crash", takes one more request and exits without answering it ("crash SEQ"), as a server
# that died mid-stream.
import sys
import zmq

ctx = zmq.Context()
rep = ctx.socket(zmq.REP)
rep.setsockopt(zmq.RCVTIMEO, 10000)
rep.bind(sys.argv[1])
print("ready", rep.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
for _ in range(int(sys.argv[2])):
    msg = rep.recv()
    print("received", msg.decode(), flush=True)
    rep.send(msg)
if sys.argv[3] == "crash":
    print("crash", rep.recv().decode(), flush=True)
rep.close(linger=1000)
ctx.term()
