/* router_echo: the server of the ROUTER echo test. A ROUTER binds and sends every [routing id,
 * body] back as it came, until each of the peers clients has sent its end marker (an empty
 * body, not answered). */
#include "many.h"

int main(int argc, char **argv) {
    struct mp_args a = parse_mp(argc, argv);
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_ROUTER);
    if (!s)
        die_zmq("zmq_socket");
    if (zmq_bind(s, a.endpoint) != 0)
        die_zmq("zmq_bind");
    ready();
    zmq_msg_t id, body;
    zmq_msg_init(&id);
    zmq_msg_init(&body);
    long echoed = 0;
    for (int ended = 0; ended < a.peers;) {
        if (zmq_msg_recv(&id, s, 0) < 0 || zmq_msg_recv(&body, s, 0) < 0)
            die_zmq("zmq_msg_recv");
        if (!zmq_msg_more(&id) || zmq_msg_more(&body))
            die("a request of other than one frame after the routing id");
        if (zmq_msg_size(&body) == 0) {
            ended++;
            continue;
        }
        if (zmq_msg_size(&body) != a.size)
            die("a request has %zu bytes, want %zu", zmq_msg_size(&body), a.size);
        if (zmq_msg_send(&id, s, ZMQ_SNDMORE) < 0 || zmq_msg_send(&body, s, 0) < 0)
            die_zmq("zmq_msg_send");
        echoed++;
    }
    printf("{\"impl\":\"libzmq\",\"role\":\"router_echo\",\"endpoint\":\"%s\",\"size\":%zu,\"peers\":%d,\"echoed\":%ld}\n",
           a.endpoint, a.size, a.peers, echoed);
    fflush(stdout);
    zmq_msg_close(&id);
    zmq_msg_close(&body);
    zmq_close(s);
    zmq_ctx_term(ctx);
    return 0;
}
