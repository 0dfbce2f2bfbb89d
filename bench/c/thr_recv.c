/* thr_recv: PULL side of the throughput test, as libzmq's local_thr. */
#include "common.h"

int main(int argc, char **argv) {
    struct args a = parse_args(argc, argv, 1);
    unsigned char *pat = pattern(a.size);
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PULL);
    if (!s)
        die_zmq("zmq_socket");
    attach(s, &a);
    ready();
    double elapsed = recv_thr(s, &a, pat);
    print_thr("thr_recv", &a, elapsed);
    zmq_close(s);
    zmq_ctx_term(ctx);
    free(pat);
    return 0;
}
