/* mcast_pub: the sending side of make bench-multicast over libzmq: PUB on a multicast endpoint
 * with RATE, sending size-byte messages for the given seconds, as fast as the rate limiter takes
 * them (XPUB_NODROP: a PUB at its HWM waits instead of dropping).
 * usage: mcast_pub endpoint size seconds rate_kbits */
#include "mcast.h"

int main(int argc, char **argv) {
    prog = argv[0];
    if (argc != 5)
        die("usage: %s endpoint size seconds rate_kbits", argv[0]);
    const char *ep = argv[1];
    size_t size = (size_t)parse_long(argv[2], "size");
    double seconds = (double)parse_long(argv[3], "seconds");
    int rate = (int)parse_long(argv[4], "rate");
    unsigned char *pat = pattern(size);
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PUB);
    if (!s)
        die_zmq("zmq_socket");
    set_int(s, ZMQ_RATE, "ZMQ_RATE", rate);
    set_int(s, ZMQ_XPUB_NODROP, "ZMQ_XPUB_NODROP", 1);
    if (zmq_connect(s, ep) != 0)
        die_zmq("zmq_connect");
    say("ready");
    while (!stdin_ready(20)) {
        if (zmq_send(s, "ping", 4, 0) < 0)
            die_zmq("zmq_send ping");
    }
    if (!read_line())
        die("stdin closed before go");
    long sent = 0;
    double cpu0 = cpu_s();
    double start = now_s(), end = start + seconds, t = start;
    while (t < end) {
        send_pattern(s, pat, size);
        sent++;
        if (sent % 64 == 0)
            t = now_s();
    }
    double elapsed = now_s() - start;
    if (zmq_send(s, "end", 3, 0) < 0)
        die_zmq("zmq_send end");
    double cpu = cpu_s() - cpu0;
    printf("{\"impl\":\"libzmq\",\"role\":\"pub\",\"sent\":%ld,\"elapsed_s\":%.6f,\"cpu_us_per_msg\":%.4f}\n", sent,
           elapsed, sent > 0 ? cpu * 1e6 / sent : 0.0);
    fflush(stdout);
    /* Repairs go on until the receiver is done: the driver closes stdin then. */
    while (read_line())
        ;
    set_int(s, ZMQ_LINGER, "ZMQ_LINGER", 0);
    zmq_close(s);
    zmq_ctx_term(ctx);
    free(pat);
    return 0;
}
