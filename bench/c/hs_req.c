/* hs_req: the client of the handshake-rate test. It opens count REQ sockets one after another,
 * each connecting to the REP echo (lat_rep), completing the handshake (CURVE with "curve") and
 * one round trip of a size-byte message, then closing; the rate is sockets per second over
 * the whole loop. Each round trip has 5 s to complete, or the peer fails saying which. */
#include "common.h"

int main(int argc, char **argv) {
    struct args a = parse_args(argc, argv, 1);
    if (a.bind)
        die("hs_req connects; mode bind makes no sense");
    unsigned char *pat = pattern(a.size);
    void *ctx = zmq_ctx_new();
    zmq_msg_t m;
    zmq_msg_init(&m);
    ready();
    double start = now_s();
    for (long i = 0; i < a.count; i++) {
        void *s = zmq_socket(ctx, ZMQ_REQ);
        if (!s)
            die_zmq("zmq_socket");
        int linger = 0, timeo = 5000;
        if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
            zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeo, sizeof timeo) != 0 ||
            zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeo, sizeof timeo) != 0)
            die_zmq("zmq_setsockopt");
        attach(s, &a);
        send_pattern(s, pat, a.size);
        if (zmq_msg_recv(&m, s, 0) < 0) {
            if (zmq_errno() == EAGAIN)
                die("socket %ld: no reply within 5 s (handshake failed?)", i);
            die_zmq("zmq_msg_recv");
        }
        check(zmq_msg_data(&m), zmq_msg_size(&m), a.size, pat, i, 1);
        zmq_close(s);
    }
    double elapsed = now_s() - start;
    printf("{\"impl\":\"libzmq\",\"role\":\"hs_req\",\"endpoint\":\"%s\",\"size\":%zu,\"count\":%ld,"
           "\"elapsed_s\":%.9f,\"handshakes_per_s\":%.3f}\n",
           a.endpoint, a.size, a.count, elapsed, elapsed > 0 ? a.count / elapsed : 0.0);
    fflush(stdout);
    zmq_msg_close(&m);
    zmq_ctx_term(ctx);
    free(pat);
    return 0;
}
