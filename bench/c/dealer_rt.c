/* dealer_rt: the clients of the ROUTER echo test. peers DEALER sockets, one thread each, make
 * sequential round trips (one request outstanding per socket) with a router_echo. After a few
 * untimed round trips each (connections up), all start together; the timed window ends at the
 * count-th round trip completed in all, every client running until then. It reports round
 * trips per second, the p50 and p99 round trip over the window's round trips, and fairness:
 * the fewest round trips a client completed in the window over the most. */
#include "many.h"

#define WARMUP 5

static struct mp_args a;
static unsigned char *pat;
static void *ctx;
static pthread_barrier_t bar;
static atomic_long done_total; /* round trips completed in the window, or past it */
static double *rtt;            /* the window's round trips, in seconds, by completion order */
static double t_start, t_end;

struct client {
    int idx;
    long done; /* round trips this client completed in the window */
};

/* trip makes one round trip of seq and returns its time. */
static double trip(void *s, unsigned char *buf, zmq_msg_t *m, int idx, uint64_t seq) {
    stamp(buf, (uint32_t)idx, seq);
    double t0 = now_s();
    if (zmq_send(s, buf, a.size, 0) < 0)
        die_zmq("zmq_send");
    if (zmq_msg_recv(m, s, 0) < 0) {
        if (zmq_errno() == EAGAIN)
            die("client %d: no reply for %d ms", idx, MP_TIMEOUT_MS);
        die_zmq("zmq_msg_recv");
    }
    double t = now_s() - t0;
    uint32_t gi;
    uint64_t gs;
    unstamp(zmq_msg_data(m), zmq_msg_size(m), &a, pat, seq % 1024 == 0, &gi, &gs);
    if (gi != (uint32_t)idx || gs != seq)
        die("client %d got the reply of client %u's request %llu for its request %llu", idx, gi,
            (unsigned long long)gs, (unsigned long long)seq);
    if (zmq_msg_more(m))
        die("client %d: a reply of more than one frame", idx);
    return t;
}

static void *run(void *arg) {
    struct client *c = arg;
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    if (!s)
        die_zmq("zmq_socket");
    set_int(s, ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO", MP_TIMEOUT_MS);
    if (zmq_connect(s, a.endpoint) != 0)
        die_zmq("zmq_connect");
    unsigned char *buf = pattern(a.size);
    zmq_msg_t m;
    zmq_msg_init(&m);
    uint64_t seq = 0;
    for (; seq < WARMUP; seq++)
        trip(s, buf, &m, c->idx, seq);
    if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
        t_start = now_s();
    long mine = 0; /* stored at the end: neighbouring clients' counters would share cache lines */
    for (;; seq++) {
        double t = trip(s, buf, &m, c->idx, seq);
        long k = atomic_fetch_add(&done_total, 1);
        if (k >= a.count)
            break;
        rtt[k] = t;
        mine++;
        if (k == a.count - 1) {
            t_end = now_s();
            break;
        }
    }
    c->done = mine;
    /* The end marker: router_echo exits after one from every client. */
    if (zmq_send(s, "", 0, 0) < 0)
        die_zmq("zmq_send");
    zmq_msg_close(&m);
    zmq_close(s);
    free(buf);
    return NULL;
}

int main(int argc, char **argv) {
    a = parse_mp(argc, argv);
    pat = pattern(a.size);
    rtt = calloc((size_t)a.count, sizeof *rtt);
    struct client *cs = calloc((size_t)a.peers, sizeof *cs);
    if (!rtt || !cs)
        die("out of memory");
    ctx = zmq_ctx_new();
    if (pthread_barrier_init(&bar, NULL, (unsigned)a.peers) != 0)
        die("pthread_barrier_init failed");
    for (int i = 0; i < a.peers; i++)
        cs[i].idx = i;
    ready();
    join_threads(start_threads(a.peers, run, cs, sizeof *cs), a.peers);
    long lo = a.count, hi = 0;
    for (int i = 0; i < a.peers; i++) {
        if (cs[i].done < lo)
            lo = cs[i].done;
        if (cs[i].done > hi)
            hi = cs[i].done;
    }
    qsort(rtt, (size_t)a.count, sizeof *rtt, cmp_double);
    double elapsed = t_end - t_start;
    printf("{\"impl\":\"libzmq\",\"role\":\"dealer_rt\",\"endpoint\":\"%s\",\"size\":%zu,\"count\":%ld,\"peers\":%d,"
           "\"elapsed_s\":%.9f,\"rtt_per_s\":%.3f,\"p50_us\":%.3f,\"p99_us\":%.3f,\"fairness_pct\":%.3f,"
           "\"min_done\":%ld,\"max_done\":%ld}\n",
           a.endpoint, a.size, a.count, a.peers, elapsed, elapsed > 0 ? a.count / elapsed : 0.0,
           percentile(rtt, a.count, 50) * 1e6, percentile(rtt, a.count, 99) * 1e6, hi > 0 ? 100.0 * lo / hi : 0.0, lo, hi);
    fflush(stdout);
    zmq_ctx_term(ctx);
    pthread_barrier_destroy(&bar);
    free(rtt);
    free(cs);
    free(pat);
    return 0;
}
