/* Shared helpers of the many-peer roles: N sockets of one kind in one process (one thread each),
 * against one bound socket in another.
 *
 * Every role takes "endpoint size count peers [hold]"; the bound roles (router_echo, xpub_fan,
 * pull_fair) bind, the others connect. Payloads are the pattern of common.h with a stamp at
 * the front: bytes 0-3 the sender's index and bytes 4-11 its sequence number (little-endian),
 * so that a receiver notices a message lost, repeated, reordered or delivered to the wrong
 * peer, not only one corrupted.
 */
#ifndef BENCH_MANY_H
#define BENCH_MANY_H

#include "common.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* Stamped payloads need room for the stamp. */
#define STAMP 12

/* How long a many-peer role waits for a message that must come before it gives up, saying
 * what it waited for: shorter than bench-compare's default -timeout (30 s), which kills a run
 * without a word from its processes. The Go peers' manyStall is the same. */
#define MP_TIMEOUT_MS 20000

struct mp_args {
    const char *endpoint;
    size_t size;
    long count;
    int peers;
    int hold;
};

static inline struct mp_args parse_mp(int argc, char **argv) {
    struct mp_args a = {0};
    prog = argv[0];
    if (argc == 6 && strcmp(argv[5], "hold") == 0) {
        a.hold = 1;
        argc--;
    }
    if (argc != 5)
        die("usage: %s endpoint size count peers [hold]", argv[0]);
    a.endpoint = argv[1];
    char *end;
    long long size = strtoll(argv[2], &end, 10);
    if (*end || size < STAMP || size > 1 << 20)
        die("bad size %s: want %d to %d bytes", argv[2], STAMP, 1 << 20);
    a.size = (size_t)size;
    a.count = strtol(argv[3], &end, 10);
    if (*end || a.count < 2)
        die("bad count %s", argv[3]);
    long peers = strtol(argv[4], &end, 10);
    if (*end || peers < 1 || peers > 10000)
        die("bad peers %s: want 1 to 10000", argv[4]);
    a.peers = (int)peers;
    return a;
}

static inline void stamp(unsigned char *p, uint32_t idx, uint64_t seq) {
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(idx >> (8 * i));
    for (int i = 0; i < 8; i++)
        p[4 + i] = (unsigned char)(seq >> (8 * i));
}

/* unstamp reads the stamp of a message of got bytes after checking its size and pattern (every
 * byte when full, else the last). */
static inline void unstamp(const void *data, size_t got, const struct mp_args *a, const unsigned char *pat, int full,
                           uint32_t *idx, uint64_t *seq) {
    const unsigned char *d = data;
    if (got != a->size)
        die("a message has %zu bytes, want %zu", got, a->size);
    if (d[got - 1] != pat[got - 1] || (full && memcmp(d + STAMP, pat + STAMP, got - STAMP) != 0))
        die("a message of %zu bytes is corrupted", got);
    *idx = 0;
    *seq = 0;
    for (int i = 0; i < 4; i++)
        *idx |= (uint32_t)d[i] << (8 * i);
    for (int i = 0; i < 8; i++)
        *seq |= (uint64_t)d[4 + i] << (8 * i);
}

static inline void set_int(void *sock, int opt, const char *name, int v) {
    if (zmq_setsockopt(sock, opt, &v, sizeof v) != 0)
        die_zmq(name);
}

/* connect_handshaken connects s, socket idx of the process, and waits until its connection's
 * handshake is done. */
static inline void connect_handshaken(void *ctx, void *s, const char *endpoint, int idx) {
    char ep[64];
    snprintf(ep, sizeof ep, "inproc://bench-monitor-%d", idx);
    if (zmq_socket_monitor(s, ep, ZMQ_EVENT_HANDSHAKE_SUCCEEDED) != 0)
        die_zmq("zmq_socket_monitor");
    void *mon = zmq_socket(ctx, ZMQ_PAIR);
    if (!mon)
        die_zmq("zmq_socket");
    set_int(mon, ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO", MP_TIMEOUT_MS);
    /* Before the connection: the monitor drops events while nobody listens. */
    if (zmq_connect(mon, ep) != 0)
        die_zmq("zmq_connect monitor");
    if (zmq_connect(s, endpoint) != 0)
        die_zmq("zmq_connect");
    zmq_msg_t m;
    zmq_msg_init(&m);
    for (int part = 0; part < 2; part++)
        if (zmq_msg_recv(&m, mon, 0) < 0) {
            if (zmq_errno() == EAGAIN)
                die("socket %d: no handshake in %d ms", idx, MP_TIMEOUT_MS);
            die_zmq("zmq_msg_recv monitor");
        }
    zmq_msg_close(&m);
    zmq_socket_monitor(s, NULL, 0);
    zmq_close(mon);
}

/* start_threads runs f(arg + i*argsize) for each of n peers, one thread each. */
static inline pthread_t *start_threads(int n, void *(*f)(void *), void *arg, size_t argsize) {
    pthread_t *t = calloc((size_t)n, sizeof *t);
    if (!t)
        die("out of memory for %d threads", n);
    for (int i = 0; i < n; i++)
        if (pthread_create(&t[i], NULL, f, (char *)arg + (size_t)i * argsize) != 0)
            die("pthread_create failed at thread %d", i);
    return t;
}

static inline void join_threads(pthread_t *t, int n) {
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    free(t);
}

static inline int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* percentile is the nearest-rank p-th percentile (p in 1..100) of the n > 0 sorted values. */
static inline double percentile(const double *v, long n, long p) {
    long k = (p * n + 99) / 100;
    return v[k < 1 ? 0 : k - 1];
}

#endif
