# A divide-and-conquer worker written against libzmq (pyzmq): pulls tasks "ID MS" from
# argv[1], waits MS milliseconds, pushes "ID NAME" (NAME is argv[4]) to the sink at argv[2],
# printing "task ID"; prints "killed" and ends when argv[3] publishes KILL.
import sys
import time
import zmq

tasks_ep, results_ep, control_ep, name = sys.argv[1:5]
ctx = zmq.Context()
control = ctx.socket(zmq.SUB)
control.connect(control_ep)
control.setsockopt(zmq.SUBSCRIBE, b"KILL")
results = ctx.socket(zmq.PUSH)
results.setsockopt(zmq.SNDTIMEO, 10000)
results.connect(results_ep)
tasks = ctx.socket(zmq.PULL)
tasks.connect(tasks_ep)

poller = zmq.Poller()
poller.register(control, zmq.POLLIN)
poller.register(tasks, zmq.POLLIN)
while True:
    ready = dict(poller.poll(10000))
    if not ready:
        sys.exit("no task nor kill for 10 s")
    if control in ready:
        control.recv()
        print("killed", flush=True)
        break
    if tasks in ready:
        task_id, ms = tasks.recv().decode().split()
        time.sleep(int(ms) / 1000)
        results.send(("%s %s" % (task_id, name)).encode())
        print("task", task_id, flush=True)
for s in (control, results, tasks):
    s.close(linger=1000)
ctx.term()
