# A publisher for the suicidal snail, written against libzmq (pyzmq): binds PUB on argv[1],
# prints "ready ENDPOINT" and sends "SEQ MICROS" (a sequence number from 0 and the Unix time in
# microseconds) once a millisecond, argv[2] messages at most.
import sys
import time
import zmq

ctx = zmq.Context()
pub = ctx.socket(zmq.PUB)
pub.bind(sys.argv[1])
print("ready", pub.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
for seq in range(int(sys.argv[2])):
    pub.send(("%d %d" % (seq, time.time_ns() // 1000)).encode())
    time.sleep(0.001)
pub.close(linger=0)
ctx.term()
