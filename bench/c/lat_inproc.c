/* lat_inproc: the latency test over inproc, both ends in one process (as libzmq's
 * inproc_lat): a thread echoes on REP, the main thread makes the round trips on REQ. */
#include <pthread.h>

#include "common.h"

struct echoer {
    void *sock;
    struct args *a;
};

static void *echo_all(void *arg) {
    struct echoer *e = arg;
    echo(e->sock, e->a);
    zmq_close(e->sock);
    return NULL;
}

int main(int argc, char **argv) {
    struct args a = parse_args(argc, argv, 0);
    unsigned char *pat = pattern(a.size);
    void *ctx = zmq_ctx_new();
    void *rep = zmq_socket(ctx, ZMQ_REP);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    if (!rep || !req)
        die_zmq("zmq_socket");
    if (zmq_bind(rep, a.endpoint) != 0)
        die_zmq("zmq_bind");
    if (zmq_connect(req, a.endpoint) != 0)
        die_zmq("zmq_connect");
    struct echoer e = {rep, &a};
    pthread_t t;
    if (pthread_create(&t, NULL, echo_all, &e) != 0)
        die("pthread_create failed");
    double elapsed = round_trips(req, &a, pat);
    pthread_join(t, NULL);
    print_lat("lat_inproc", &a, elapsed);
    zmq_close(req);
    zmq_ctx_term(ctx);
    free(pat);
    return 0;
}
