/* xpub_fan: the publisher of the fan-out test. An XPUB binds (XPUB_VERBOSER, so that it sees
 * each subscriber's subscription and unsubscription), waits until peers subscribers have
 * subscribed, then sends count messages as fast as it can with the default SNDHWM, dropping at
 * the HWM as PUB does. It reports its send rate and its CPU time (user+system, the whole
 * process, I/O thread included) per message per subscriber over the send loop, and the same up
 * to the end of the stream. The end of the stream is a one-byte marker sent again every
 * millisecond (any copy may be dropped at the HWM) until every subscriber has unsubscribed,
 * which a subscriber does when it has seen the marker. */
#include "many.h"

int main(int argc, char **argv) {
    struct mp_args a = parse_mp(argc, argv);
    unsigned char *buf = pattern(a.size);
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_XPUB);
    if (!s)
        die_zmq("zmq_socket");
    set_int(s, ZMQ_XPUB_VERBOSER, "ZMQ_XPUB_VERBOSER", 1);
    set_int(s, ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO", MP_TIMEOUT_MS);
    if (zmq_bind(s, a.endpoint) != 0)
        die_zmq("zmq_bind");
    ready();
    unsigned char sub[256];
    for (int n = 0; n < a.peers;) {
        int got = zmq_recv(s, sub, sizeof sub, 0);
        if (got < 0) {
            if (zmq_errno() == EAGAIN)
                die("%d of %d subscribers subscribed after %d ms", n, a.peers, MP_TIMEOUT_MS);
            die_zmq("zmq_recv");
        }
        if (got != 1 || sub[0] != 1)
            die("before the start, a message other than a subscription to everything");
        n++;
    }
    double t0 = now_s(), c0 = cpu_s();
    for (long i = 0; i < a.count; i++) {
        stamp(buf, 0, (uint64_t)i);
        if (zmq_send(s, buf, a.size, 0) < 0)
            die_zmq("zmq_send");
    }
    double t1 = now_s(), c1 = cpu_s();
    set_int(s, ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO", 1);
    for (int n = 0; n < a.peers;) {
        if (now_s() - t1 > MP_TIMEOUT_MS / 1000.0)
            die("%d of %d subscribers unsubscribed (saw the end) after %d ms", n, a.peers, MP_TIMEOUT_MS);
        if (zmq_send(s, "E", 1, 0) < 0)
            die_zmq("zmq_send");
        int got;
        while ((got = zmq_recv(s, sub, sizeof sub, 0)) >= 0)
            if (got == 1 && sub[0] == 0)
                n++;
        if (zmq_errno() != EAGAIN)
            die_zmq("zmq_recv");
    }
    double c2 = cpu_s();
    double per = (double)a.count * a.peers;
    printf("{\"impl\":\"libzmq\",\"role\":\"xpub_fan\",\"endpoint\":\"%s\",\"size\":%zu,\"count\":%ld,\"peers\":%d,"
           "\"elapsed_s\":%.9f,\"send_per_s\":%.3f,\"cpu_ns_per_msg_sub\":%.3f,\"cpu_ns_per_msg_sub_drained\":%.3f}\n",
           a.endpoint, a.size, a.count, a.peers, t1 - t0, t1 > t0 ? a.count / (t1 - t0) : 0.0, (c1 - c0) / per * 1e9,
           (c2 - c0) / per * 1e9);
    fflush(stdout);
    zmq_close(s);
    zmq_ctx_term(ctx);
    free(buf);
    return 0;
}
