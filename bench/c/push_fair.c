/* push_fair: the senders of the many-senders test. peers PUSH sockets, one thread each, connect
 * to a pull_fair, wait until every connection's handshake is done (so that fairness is not how
 * fast connections come up), then each sends count/peers messages as fast as
 * it can. With hold, it waits for EOF on stdin before closing. */
#include "many.h"

static struct mp_args a;
static void *ctx;
static pthread_barrier_t bar;

struct sender {
    int idx;
};

static void *run(void *arg) {
    struct sender *c = arg;
    void *s = zmq_socket(ctx, ZMQ_PUSH);
    if (!s)
        die_zmq("zmq_socket");
    connect_handshaken(ctx, s, a.endpoint, c->idx);
    unsigned char *buf = pattern(a.size);
    pthread_barrier_wait(&bar);
    for (long i = 0, per = a.count / a.peers; i < per; i++) {
        stamp(buf, (uint32_t)c->idx, (uint64_t)i);
        if (zmq_send(s, buf, a.size, 0) < 0)
            die_zmq("zmq_send");
    }
    pthread_barrier_wait(&bar);
    /* The default linger is infinite: closing and terminating waits until all is written. */
    zmq_close(s);
    free(buf);
    return NULL;
}

int main(int argc, char **argv) {
    a = parse_mp(argc, argv);
    if (a.count / a.peers < 1)
        die("count %ld is less than one message per sender (%d)", a.count, a.peers);
    struct sender *cs = calloc((size_t)a.peers, sizeof *cs);
    if (!cs)
        die("out of memory");
    ctx = zmq_ctx_new();
    /* The main thread joins the barriers: the second one holds every sender open until stdin's
     * EOF when asked to. */
    if (pthread_barrier_init(&bar, NULL, (unsigned)a.peers + 1) != 0)
        die("pthread_barrier_init failed");
    for (int i = 0; i < a.peers; i++)
        cs[i].idx = i;
    ready();
    pthread_t *t = start_threads(a.peers, run, cs, sizeof *cs);
    pthread_barrier_wait(&bar);
    struct args h = {.hold = a.hold};
    hold(&h);
    pthread_barrier_wait(&bar);
    join_threads(t, a.peers);
    zmq_ctx_term(ctx);
    pthread_barrier_destroy(&bar);
    free(cs);
    return 0;
}
