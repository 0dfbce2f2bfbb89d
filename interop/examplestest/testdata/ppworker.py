# A paranoid pirate worker written against libzmq (pyzmq): a DEALER with routing id argv[2]
# connected to the queue's backend argv[1]. It says ready ("\x01"), sends a heartbeat ("\x02")
# every argv[4] ms, prints "heartbeat" for each one from the queue, echoes argv[3] requests
# printing "work SEQ" and exits. A queue silent for argv[5] heartbeats makes it print "queue
# silent" and exit with status 1; so does running for 20 s.
import sys
import time
import zmq

READY, HEARTBEAT = b"\x01", b"\x02"
endpoint, ident, n = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
interval, liveness = int(sys.argv[4]) / 1000, int(sys.argv[5])

ctx = zmq.Context()
worker = ctx.socket(zmq.DEALER)
worker.setsockopt(zmq.IDENTITY, ident)
worker.setsockopt(zmq.LINGER, 0)  # what a dead queue did not take is gone; the last reply lingers below
worker.connect(endpoint)
worker.send(READY)
poller = zmq.Poller()
poller.register(worker, zmq.POLLIN)
alive, served = liveness, 0
heartbeat_at = time.monotonic() + interval
give_up = time.monotonic() + 20
while served < n:
    if time.monotonic() > give_up:
        sys.exit(1)
    if poller.poll(interval * 1000):
        frames = worker.recv_multipart()
        alive = liveness
        if len(frames) == 3:  # [client, "", request]
            print("work", frames[2].decode(), flush=True)
            worker.send_multipart(frames)
            served += 1
        elif frames == [HEARTBEAT]:
            print("heartbeat", flush=True)
        else:
            print("bad message", frames, flush=True)
    else:
        alive -= 1
        if alive == 0:
            print("queue silent", flush=True)
            sys.exit(1)
    if time.monotonic() >= heartbeat_at:
        heartbeat_at = time.monotonic() + interval
        worker.send(HEARTBEAT)
worker.close(linger=1000)
ctx.term()
