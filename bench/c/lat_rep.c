/* lat_rep: REP echo side of the latency test, as libzmq's local_lat. */
#include "common.h"

int main(int argc, char **argv) {
    struct args a = parse_args(argc, argv, 1);
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_REP);
    if (!s)
        die_zmq("zmq_socket");
    attach(s, &a);
    ready();
    echo(s, &a);
    hold(&a);
    zmq_close(s);
    zmq_ctx_term(ctx);
    return 0;
}
