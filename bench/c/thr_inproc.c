/* thr_inproc: the throughput test over inproc, both ends in one process (as libzmq's
 * inproc_thr): a thread sends, the main thread receives and clocks. */
#include <pthread.h>

#include "common.h"

struct sender {
    void *ctx;
    struct args *a;
    unsigned char *pat;
};

static void *send_all(void *arg) {
    struct sender *w = arg;
    void *s = zmq_socket(w->ctx, ZMQ_PUSH);
    if (!s)
        die_zmq("zmq_socket");
    if (zmq_connect(s, w->a->endpoint) != 0)
        die_zmq("zmq_connect");
    for (long i = 0; i < w->a->count; i++)
        send_pattern(s, w->pat, w->a->size);
    zmq_close(s);
    return NULL;
}

int main(int argc, char **argv) {
    struct args a = parse_args(argc, argv, 0);
    unsigned char *pat = pattern(a.size);
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PULL);
    if (!s)
        die_zmq("zmq_socket");
    a.bind = 1;
    attach(s, &a);
    struct sender w = {ctx, &a, pat};
    pthread_t t;
    if (pthread_create(&t, NULL, send_all, &w) != 0)
        die("pthread_create failed");
    double elapsed = recv_thr(s, &a, pat);
    pthread_join(t, NULL);
    print_thr("thr_inproc", &a, elapsed);
    zmq_close(s);
    zmq_ctx_term(ctx);
    free(pat);
    return 0;
}
