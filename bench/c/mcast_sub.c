/* mcast_sub: the receiving side of make bench-multicast over libzmq: SUB on a multicast endpoint
 * with RATE and a receive buffer, clocking the data messages from the first to the last, until
 * "end" or idle_ms without a message.
 * usage: mcast_sub endpoint size rate_kbits rcvbuf idle_ms */
#include "mcast.h"

#define CLOCK_EVERY 256 /* as clockEvery in mcast/peer.go */

int main(int argc, char **argv) {
    prog = argv[0];
    if (argc != 6)
        die("usage: %s endpoint size rate_kbits rcvbuf idle_ms", argv[0]);
    const char *ep = argv[1];
    size_t size = (size_t)parse_long(argv[2], "size");
    int rate = (int)parse_long(argv[3], "rate");
    int rcvbuf = (int)parse_long(argv[4], "rcvbuf");
    int idle = (int)parse_long(argv[5], "idle_ms");
    unsigned char *pat = pattern(size);
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_SUB);
    if (!s)
        die_zmq("zmq_socket");
    set_int(s, ZMQ_RATE, "ZMQ_RATE", rate);
    if (rcvbuf > 0)
        set_int(s, ZMQ_RCVBUF, "ZMQ_RCVBUF", rcvbuf);
    set_int(s, ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO", idle);
    if (zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0) != 0)
        die_zmq("ZMQ_SUBSCRIBE");
    if (zmq_connect(s, ep) != 0)
        die_zmq("zmq_connect");
    say("ready");
    zmq_msg_t m;
    zmq_msg_init(&m);
    long got = 0;
    int joined = 0, ended = 0;
    double first = 0, last = 0;
    long upto = 0; /* data messages up to the last clock read */
    double cpu_first = 0, cpu_last = 0;
    for (;;) {
        if (zmq_msg_recv(&m, s, 0) < 0) {
            if (zmq_errno() == EAGAIN)
                break;
            die_zmq("zmq_msg_recv");
        }
        size_t n = zmq_msg_size(&m);
        const char *d = zmq_msg_data(&m);
        if (n == 4 && memcmp(d, "ping", 4) == 0) {
            if (!joined)
                say("joined");
            joined = 1;
            continue;
        }
        if (n == 3 && memcmp(d, "end", 3) == 0) {
            if (got > 0) {
                last = now_s();
                upto = got;
                cpu_last = cpu_s();
            }
            ended = 1;
            break;
        }
        /* The clock at the first message, every CLOCK_EVERY-th and "end", as the Go SUB. */
        if (got % CLOCK_EVERY == 0) {
            last = now_s();
            upto = got + 1;
            cpu_last = cpu_s();
            if (got == 0) {
                first = last;
                cpu_first = cpu_last;
            }
        }
        check(d, n, size, pat, got, got % 1024 == 0);
        got++;
    }
    double elapsed = last - first;
    /* The first message only starts the clock, as local_thr's. */
    printf("{\"impl\":\"libzmq\",\"role\":\"sub\",\"received\":%ld,\"ended\":%s,\"elapsed_s\":%.6f,"
           "\"msgs_per_s\":%.3f,\"cpu_us_per_msg\":%.4f}\n",
           got, ended ? "true" : "false", elapsed, upto > 1 && elapsed > 0 ? (upto - 1) / elapsed : 0.0,
           upto > 1 ? (cpu_last - cpu_first) * 1e6 / (upto - 1) : 0.0);
    fflush(stdout);
    zmq_msg_close(&m);
    zmq_close(s);
    zmq_ctx_term(ctx);
    free(pat);
    return 0;
}
