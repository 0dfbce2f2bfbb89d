/* sub_fan: the subscribers of the fan-out test. peers SUB sockets, one thread each, subscribe
 * to everything and receive the xpub_fan's messages until its end marker, then unsubscribe.
 * Messages may be dropped at the publisher's HWM, never repeated, reordered or corrupted. It
 * reports what was delivered in all, and its rate from the first message any subscriber got to
 * the last (each reads the clock at its first message, every SUB_CLOCK_EVERY-th and the end
 * marker), and the drops (count × peers − delivered). */
#include "many.h"

#define SUB_CLOCK_EVERY 256

static struct mp_args a;
static unsigned char *pat;
static void *ctx;

struct subscriber {
    int idx;
    long got;
    double first, last;
};

static void *run(void *arg) {
    struct subscriber *c = arg;
    void *s = zmq_socket(ctx, ZMQ_SUB);
    if (!s)
        die_zmq("zmq_socket");
    set_int(s, ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO", MP_TIMEOUT_MS);
    if (zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0) != 0)
        die_zmq("ZMQ_SUBSCRIBE");
    if (zmq_connect(s, a.endpoint) != 0)
        die_zmq("zmq_connect");
    zmq_msg_t m;
    zmq_msg_init(&m);
    /* Counted in locals, stored at the end: neighbouring subscribers' counters would share
     * cache lines. */
    uint64_t next = 0;
    long got = 0;
    double first = 0, last = 0;
    for (;;) {
        if (zmq_msg_recv(&m, s, 0) < 0) {
            if (zmq_errno() == EAGAIN)
                die("subscriber %d: nothing for %d ms after %ld messages", c->idx, MP_TIMEOUT_MS, got);
            die_zmq("zmq_msg_recv");
        }
        if (zmq_msg_more(&m))
            die("subscriber %d: a message of more than one frame", c->idx);
        if (zmq_msg_size(&m) == 1 && *(char *)zmq_msg_data(&m) == 'E') {
            if (got > 0)
                last = now_s(); /* the marker follows its last message */
            break;
        }
        uint32_t idx;
        uint64_t seq;
        unstamp(zmq_msg_data(&m), zmq_msg_size(&m), &a, pat, got % 1024 == 0, &idx, &seq);
        if (idx != 0 || seq < next || seq >= (uint64_t)a.count)
            die("subscriber %d: message %llu after %llu (repeated, reordered or corrupted)", c->idx,
                (unsigned long long)seq, (unsigned long long)next);
        next = seq + 1;
        /* The clock at the first message, every SUB_CLOCK_EVERY-th and the end marker, as
         * the Go subscribers (subClockEvery in peer/many_pubsub.go). */
        if (got % SUB_CLOCK_EVERY == 0) {
            last = now_s();
            if (got == 0)
                first = last;
        }
        got++;
    }
    c->got = got;
    c->first = first;
    c->last = last;
    if (zmq_setsockopt(s, ZMQ_UNSUBSCRIBE, "", 0) != 0)
        die_zmq("ZMQ_UNSUBSCRIBE");
    zmq_msg_close(&m);
    zmq_close(s);
    return NULL;
}

int main(int argc, char **argv) {
    a = parse_mp(argc, argv);
    pat = pattern(a.size);
    struct subscriber *cs = calloc((size_t)a.peers, sizeof *cs);
    if (!cs)
        die("out of memory");
    ctx = zmq_ctx_new();
    for (int i = 0; i < a.peers; i++)
        cs[i].idx = i;
    ready();
    join_threads(start_threads(a.peers, run, cs, sizeof *cs), a.peers);
    long got = 0;
    double first = 0, last = 0;
    for (int i = 0; i < a.peers; i++) {
        got += cs[i].got;
        if (cs[i].got > 0 && (first == 0 || cs[i].first < first))
            first = cs[i].first;
        if (cs[i].last > last)
            last = cs[i].last;
    }
    double elapsed = last - first;
    printf("{\"impl\":\"libzmq\",\"role\":\"sub_fan\",\"endpoint\":\"%s\",\"size\":%zu,\"count\":%ld,\"peers\":%d,"
           "\"elapsed_s\":%.9f,\"delivered\":%ld,\"delivered_per_s\":%.3f,\"drops\":%ld}\n",
           a.endpoint, a.size, a.count, a.peers, elapsed, got, elapsed > 0 ? got / elapsed : 0.0,
           a.count * a.peers - got);
    fflush(stdout);
    zmq_ctx_term(ctx);
    free(cs);
    free(pat);
    return 0;
}
