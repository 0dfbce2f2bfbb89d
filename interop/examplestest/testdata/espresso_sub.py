# A subscriber for the espresso proxy, written against libzmq (pyzmq): connects SUB to argv[1],
# subscribes to the comma-separated topics argv[2] and prints argv[3] messages.
import sys
import zmq

ctx = zmq.Context()
sub = ctx.socket(zmq.SUB)
sub.setsockopt(zmq.RCVTIMEO, 10000)
for topic in sys.argv[2].split(","):
    sub.setsockopt(zmq.SUBSCRIBE, topic.encode())
sub.connect(sys.argv[1])
for _ in range(int(sys.argv[3])):
    print(sub.recv().decode(), flush=True)
sub.close(linger=0)
ctx.term()
