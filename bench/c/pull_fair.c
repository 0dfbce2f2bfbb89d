/* pull_fair: the receiver of the many-senders test. A PULL binds and receives count/peers
 * messages from each of the peers senders of a push_fair (rounded down to a multiple of peers),
 * checking each sender's messages come whole and in order. It reports the rate from the first
 * message to the last, and fairness at half-way: when half of all had come, the fewest any
 * sender had delivered over the most. */
#include "many.h"

int main(int argc, char **argv) {
    struct mp_args a = parse_mp(argc, argv);
    long per = a.count / a.peers, total = per * a.peers;
    if (per < 1)
        die("count %ld is less than one message per sender (%d)", a.count, a.peers);
    unsigned char *pat = pattern(a.size);
    uint64_t *next = calloc((size_t)a.peers, sizeof *next);
    if (!next)
        die("out of memory");
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PULL);
    if (!s)
        die_zmq("zmq_socket");
    set_int(s, ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO", MP_TIMEOUT_MS);
    if (zmq_bind(s, a.endpoint) != 0)
        die_zmq("zmq_bind");
    ready();
    zmq_msg_t m;
    zmq_msg_init(&m);
    double start = 0, fairness = 0;
    for (long i = 0; i < total; i++) {
        if (zmq_msg_recv(&m, s, 0) < 0) {
            if (zmq_errno() == EAGAIN)
                die("no message for %d ms after %ld of %ld", MP_TIMEOUT_MS, i, total);
            die_zmq("zmq_msg_recv");
        }
        if (i == 0)
            start = now_s();
        if (zmq_msg_more(&m))
            die("message %ld has more than one frame", i);
        uint32_t idx;
        uint64_t seq;
        unstamp(zmq_msg_data(&m), zmq_msg_size(&m), &a, pat, i % 1024 == 0, &idx, &seq);
        if (idx >= (uint32_t)a.peers || seq != next[idx])
            die("from sender %u message %llu, want %llu (lost, repeated or reordered)", idx,
                (unsigned long long)seq, idx < (uint32_t)a.peers ? (unsigned long long)next[idx] : 0ULL);
        next[idx]++;
        if (i + 1 == total / 2) {
            uint64_t lo = next[0], hi = next[0];
            for (int k = 1; k < a.peers; k++) {
                if (next[k] < lo)
                    lo = next[k];
                if (next[k] > hi)
                    hi = next[k];
            }
            fairness = 100.0 * (double)lo / (double)hi;
        }
    }
    double elapsed = now_s() - start;
    printf("{\"impl\":\"libzmq\",\"role\":\"pull_fair\",\"endpoint\":\"%s\",\"size\":%zu,\"count\":%ld,\"peers\":%d,"
           "\"elapsed_s\":%.9f,\"msgs_per_s\":%.3f,\"fairness_pct\":%.3f}\n",
           a.endpoint, a.size, total, a.peers, elapsed, elapsed > 0 ? (total - 1) / elapsed : 0.0, fairness);
    fflush(stdout);
    zmq_msg_close(&m);
    zmq_close(s);
    zmq_ctx_term(ctx);
    free(next);
    free(pat);
    return 0;
}
