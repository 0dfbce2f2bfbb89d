/* Shared helpers for the libzmq peers of purezmq's bench-compare.
 *
 * Every peer takes its endpoint, message size and count as arguments, says "ready" on stderr
 * once its socket is bound or connected (the driver starts the other side only then), and prints
 * its result as one JSON line on stdout. Payloads carry a fixed pattern so that a peer notices a
 * message that arrives corrupted, not only one of the wrong size.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zmq.h>

static const char *prog = "peer";

__attribute__((noreturn)) static inline void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

__attribute__((noreturn)) static inline void die_zmq(const char *what) { die("%s: %s", what, zmq_strerror(zmq_errno())); }

static inline double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* cpu_s is the process's user+system CPU time so far, its I/O threads' included. */
static inline double cpu_s(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        die("getrusage failed");
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

/* The payload pattern, the same as the Go peers': byte i is i mod 251. */
static inline unsigned char *pattern(size_t size) {
    unsigned char *p = malloc(size ? size : 1);
    if (!p)
        die("out of memory for %zu bytes", size);
    for (size_t i = 0; i < size; i++)
        p[i] = (unsigned char)(i % 251);
    return p;
}

/* check verifies a received message: its size always, its first and last byte always, and every
 * byte when full is set (the driver's peers do that for the first, the last and every 1024th). */
static inline void check(const void *data, size_t got, size_t size, const unsigned char *pat, long i, int full) {
    const unsigned char *d = data;
    if (got != size)
        die("message %ld has %zu bytes, want %zu", i, got, size);
    if (size == 0)
        return;
    if (d[0] != pat[0] || d[size - 1] != pat[size - 1] || (full && memcmp(d, pat, size) != 0))
        die("message %ld of %zu bytes is corrupted", i, size);
}

/* The fixed CURVE key pairs of the "curve" runs, the same as the Go peers' (peer/curve.go): made
 * once with zmq_curve_keypair. They are test keys, public by being here: never use them for
 * anything else. The bound side is the CURVE server, the connecting side the client. */
static const char curve_server_public[] = "WJw?^oQr[4buZdiS%1CUIuPINMPVD&G=uX::L>q<";
static const char curve_server_secret[] = "HFkYF=(o{{^s}^e1S^K=Vdq4[CF7:p*Lmu?XCD9E";
static const char curve_client_public[] = "QwUV0aPv]Yum{ww8S]9WcS?Lqg^2u0=0sg0woYg6";
static const char curve_client_secret[] = "+4o(xGy#G3+#{scG9uKp/m0v!I}iW8+%EM.^V6ve";

struct args {
    int bind;          /* 1 to bind, 0 to connect (two-process peers only) */
    int hold;          /* thr_send, lat_rep: wait for EOF on stdin before closing */
    int curve;         /* secure the socket with CURVE: server when bound, client when connected */
    const char *endpoint;
    size_t size;
    long count;
};

/* parse_args reads "[bind|connect] endpoint size count [hold] [curve]"; the mode word is there
 * when with_mode, and the trailing words come in any order. */
static inline struct args parse_args(int argc, char **argv, int with_mode) {
    struct args a = {0};
    int want = with_mode ? 5 : 4;
    prog = argv[0];
    while (argc > want) {
        if (strcmp(argv[argc - 1], "hold") == 0 && !a.hold)
            a.hold = 1;
        else if (strcmp(argv[argc - 1], "curve") == 0 && !a.curve)
            a.curve = 1;
        else
            break;
        argc--;
    }
    if (argc != want)
        die("usage: %s %sendpoint size count [hold] [curve]", argv[0], with_mode ? "bind|connect " : "");
    int k = 1;
    if (with_mode) {
        if (strcmp(argv[k], "bind") == 0)
            a.bind = 1;
        else if (strcmp(argv[k], "connect") != 0)
            die("mode %s: want bind or connect", argv[k]);
        k++;
    }
    a.endpoint = argv[k++];
    char *end;
    long long size = strtoll(argv[k++], &end, 10);
    if (*end || size < 0)
        die("bad size %s", argv[k - 1]);
    a.size = (size_t)size;
    a.count = strtol(argv[k], &end, 10);
    if (*end || a.count < 1)
        die("bad count %s", argv[k]);
    return a;
}

static inline void set_string(void *sock, int opt, const char *name, const char *v) {
    if (zmq_setsockopt(sock, opt, v, strlen(v)) != 0)
        die_zmq(name);
}

/* secure makes sock a CURVE server (bind) or client (connect) with the fixed test keys. */
static inline void secure(void *sock, const struct args *a) {
    if (!a->curve)
        return;
    if (!zmq_has("curve"))
        die("this libzmq has no CURVE (built without libsodium?)");
    if (a->bind) {
        int on = 1;
        if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &on, sizeof on) != 0)
            die_zmq("ZMQ_CURVE_SERVER");
        set_string(sock, ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", curve_server_secret);
    } else {
        set_string(sock, ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY", curve_server_public);
        set_string(sock, ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY", curve_client_public);
        set_string(sock, ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", curve_client_secret);
    }
}

/* attach secures sock when asked to, then binds or connects it. */
static inline void attach(void *sock, const struct args *a) {
    secure(sock, a);
    int rc = a->bind ? zmq_bind(sock, a->endpoint) : zmq_connect(sock, a->endpoint);
    if (rc != 0)
        die_zmq(a->bind ? "zmq_bind" : "zmq_connect");
}

/* hold waits for EOF on stdin when asked to: the driver keeps senders and repliers open until
 * the measuring side is done, so that what a close may lose (libzmq issue #4660, over ipc)
 * does not fail the measurement. */
static inline void hold(const struct args *a) {
    if (!a->hold)
        return;
    char buf[256];
    while (fread(buf, 1, sizeof buf, stdin) > 0)
        ;
}

static inline void ready(void) {
    fputs("ready\n", stderr);
    fflush(stderr);
}

/* send_pattern sends the pattern without copying it, as a libzmq "constant" message
 * (zmq_msg_init_data with no free function): the counterpart of a Go peer handing the same
 * slice to Send every time. */
static inline void send_pattern(void *sock, unsigned char *pat, size_t size) {
    zmq_msg_t m;
    if (zmq_msg_init_data(&m, pat, size, NULL, NULL) != 0)
        die_zmq("zmq_msg_init_data");
    if (zmq_msg_send(&m, sock, 0) < 0)
        die_zmq("zmq_msg_send");
}

static inline void print_thr(const char *role, const struct args *a, double elapsed) {
    /* The first message only starts the clock (as local_thr does), so count-1 are timed. */
    long timed = a->count - 1;
    printf("{\"impl\":\"libzmq\",\"role\":\"%s\",\"endpoint\":\"%s\",\"size\":%zu,\"count\":%ld,"
           "\"elapsed_s\":%.9f,\"msgs_per_s\":%.3f}\n",
           role, a->endpoint, a->size, a->count, elapsed, elapsed > 0 ? timed / elapsed : 0.0);
    fflush(stdout);
}

static inline void print_lat(const char *role, const struct args *a, double elapsed) {
    printf("{\"impl\":\"libzmq\",\"role\":\"%s\",\"endpoint\":\"%s\",\"size\":%zu,\"count\":%ld,"
           "\"elapsed_s\":%.9f,\"latency_us\":%.4f}\n",
           role, a->endpoint, a->size, a->count, elapsed, elapsed / (double)a->count / 2 * 1e6);
    fflush(stdout);
}

/* recv_thr receives count messages on sock, clocking from the first to the last. */
static inline double recv_thr(void *sock, const struct args *a, const unsigned char *pat) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    double start = 0;
    for (long i = 0; i < a->count; i++) {
        if (zmq_msg_recv(&m, sock, 0) < 0)
            die_zmq("zmq_msg_recv");
        if (i == 0)
            start = now_s();
        check(zmq_msg_data(&m), zmq_msg_size(&m), a->size, pat, i, i % 1024 == 0 || i == a->count - 1);
        if (zmq_msg_more(&m))
            die("message %ld has more than one frame", i);
    }
    double elapsed = now_s() - start;
    zmq_msg_close(&m);
    return elapsed;
}

/* echo answers count requests on a REP socket with the message received. */
static inline void echo(void *sock, const struct args *a) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    for (long i = 0; i < a->count; i++) {
        if (zmq_msg_recv(&m, sock, 0) < 0)
            die_zmq("zmq_msg_recv");
        if (zmq_msg_send(&m, sock, 0) < 0)
            die_zmq("zmq_msg_send");
    }
    zmq_msg_close(&m);
}

/* round_trips makes count REQ round trips and returns the time they took. */
static inline double round_trips(void *sock, const struct args *a, unsigned char *pat) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    double start = now_s();
    for (long i = 0; i < a->count; i++) {
        send_pattern(sock, pat, a->size);
        if (zmq_msg_recv(&m, sock, 0) < 0)
            die_zmq("zmq_msg_recv");
        check(zmq_msg_data(&m), zmq_msg_size(&m), a->size, pat, i, 1);
    }
    double elapsed = now_s() - start;
    zmq_msg_close(&m);
    return elapsed;
}

#endif
