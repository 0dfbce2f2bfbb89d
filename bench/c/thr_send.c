/* thr_send: PUSH side of the throughput test, as libzmq's remote_thr. */
#include "common.h"

int main(int argc, char **argv) {
    struct args a = parse_args(argc, argv, 1);
    unsigned char *pat = pattern(a.size);
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PUSH);
    if (!s)
        die_zmq("zmq_socket");
    attach(s, &a);
    ready();
    for (long i = 0; i < a.count; i++)
        send_pattern(s, pat, a.size);
    hold(&a);
    /* The default linger is infinite: closing and terminating waits until all is written. */
    zmq_close(s);
    zmq_ctx_term(ctx);
    free(pat);
    return 0;
}
