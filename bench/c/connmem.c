/* connmem: libzmq's side of the memory-per-connection benchmark (see bench/connmem).
 *   connmem router ENDPOINT N   bind a ROUTER, receive one message from each of N peers
 *   connmem dealers ENDPOINT N  open N DEALERs, connect each, send one message from each
 * Both print JSON lines with their resident memory (VmRSS, KiB) before and after, and wait for
 * a line on stdin before the "after" of a dealer process, and for EOF before exiting. */
#include "common.h"

static long rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        die("cannot open /proc/self/status");
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static void report(const char *phase) {
    printf("{\"phase\":\"%s\",\"rss_kb\":%ld}\n", phase, rss_kb());
    fflush(stdout);
}

static void wait_line(void) {
    char buf[64];
    if (!fgets(buf, sizeof buf, stdin))
        return;
}

static void wait_eof(void) {
    char buf[64];
    while (fgets(buf, sizeof buf, stdin))
        ;
}

int main(int argc, char **argv) {
    prog = argv[0];
    if (argc != 4)
        die("usage: %s router|dealers ENDPOINT N", argv[0]);
    long n = strtol(argv[3], NULL, 10);
    void *ctx = zmq_ctx_new();
    if (zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, (int)n + 16) != 0)
        die_zmq("zmq_ctx_set");
    int linger = 0;
    if (strcmp(argv[1], "router") == 0) {
        void *r = zmq_socket(ctx, ZMQ_ROUTER);
        zmq_setsockopt(r, ZMQ_LINGER, &linger, sizeof linger);
        if (zmq_bind(r, argv[2]) != 0)
            die_zmq("zmq_bind");
        report("before");
        char buf[256];
        for (long i = 0; i < n; i++) {
            int more = 1;
            while (more) {
                if (zmq_recv(r, buf, sizeof buf, 0) < 0)
                    die_zmq("zmq_recv");
                size_t sz = sizeof more;
                zmq_getsockopt(r, ZMQ_RCVMORE, &more, &sz);
            }
        }
        report("after");
        wait_eof();
        zmq_close(r);
    } else {
        report("before");
        void **s = calloc((size_t)n, sizeof *s);
        for (long i = 0; i < n; i++) {
            s[i] = zmq_socket(ctx, ZMQ_DEALER);
            if (!s[i])
                die_zmq("zmq_socket");
            zmq_setsockopt(s[i], ZMQ_LINGER, &linger, sizeof linger);
            if (zmq_connect(s[i], argv[2]) != 0)
                die_zmq("zmq_connect");
            if (zmq_send(s[i], "hello", 5, 0) != 5)
                die_zmq("zmq_send");
        }
        wait_line();
        report("after");
        wait_eof();
        for (long i = 0; i < n; i++)
            zmq_close(s[i]);
        free(s);
    }
    zmq_ctx_term(ctx);
    return 0;
}
