# A publisher for the espresso proxy, written against libzmq (pyzmq): connects PUB to argv[1]
# and sends "X-NNNNN", X cycling from A to J, one a millisecond, for at most argv[2] messages.
import sys
import time
import zmq

ctx = zmq.Context()
pub = ctx.socket(zmq.PUB)
pub.connect(sys.argv[1])
for i in range(int(sys.argv[2])):
    pub.send(("%c-%05d" % (ord("A") + i % 10, i)).encode())
    time.sleep(0.001)
pub.close(linger=0)
ctx.term()
