# An ironhouse client written against libzmq (pyzmq): a CURVE SUB client, subscribed to all, with the key pair
# of the certificate argv[2] (czmq format: argv[2] + "_secret" holds the pair), trusting the
# server whose public certificate is argv[3]; connects to argv[1] and prints argv[4] messages.
# Refused by the server's ZAP handler, it prints "refused (ZAP status N)" and ends.
import sys
import zmq
import zmq.auth
from zmq.utils.monitor import recv_monitor_message

public, secret = zmq.auth.load_certificate(sys.argv[2] + "_secret")
server_public, _ = zmq.auth.load_certificate(sys.argv[3])

ctx = zmq.Context()
pull = ctx.socket(zmq.SUB)
pull.setsockopt(zmq.SUBSCRIBE, b"")
pull.curve_publickey = public
pull.curve_secretkey = secret
pull.curve_serverkey = server_public
mon = pull.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH)
pull.connect(sys.argv[1])

poller = zmq.Poller()
poller.register(pull, zmq.POLLIN)
poller.register(mon, zmq.POLLIN)
received = 0
while received < int(sys.argv[4]):
    ready = dict(poller.poll(10000))
    if not ready:
        sys.exit("no message in 10 s")
    if mon in ready:
        event = recv_monitor_message(mon)
        print("refused (ZAP status %d)" % event["value"], flush=True)
        break
    if pull in ready:
        print(pull.recv().decode(), flush=True)
        received += 1
pull.disable_monitor()
mon.close(linger=0)
pull.close(linger=0)
ctx.term()
