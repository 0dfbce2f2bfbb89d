/* lat_req: REQ side of the latency test, as libzmq's remote_lat: latency is half the mean
 * round trip. */
#include "common.h"

int main(int argc, char **argv) {
    struct args a = parse_args(argc, argv, 1);
    unsigned char *pat = pattern(a.size);
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_REQ);
    if (!s)
        die_zmq("zmq_socket");
    attach(s, &a);
    ready();
    double elapsed = round_trips(s, &a, pat);
    print_lat("lat_req", &a, elapsed);
    zmq_close(s);
    zmq_ctx_term(ctx);
    free(pat);
    return 0;
}
