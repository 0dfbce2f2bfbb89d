# A weather update client written against libzmq (pyzmq): subscribes to zipcode argv[2] on
# argv[1], prints argv[3] updates "ZIP TEMP HUM", then their average temperature.
import sys
import zmq

endpoint, zipcode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = zmq.Context()
sub = ctx.socket(zmq.SUB)
sub.setsockopt(zmq.RCVTIMEO, 10000)
sub.connect(endpoint)
sub.setsockopt(zmq.SUBSCRIBE, (zipcode + " ").encode())
total = 0
for _ in range(n):
    z, temp, humidity = sub.recv().decode().split()
    print(z, temp, humidity, flush=True)
    total += int(temp)
print("average temperature for zipcode %s was %.1f" % (zipcode, total / n), flush=True)
sub.close(linger=0)
ctx.term()
