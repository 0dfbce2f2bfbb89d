/* Shared by the multicast peers of make bench-multicast (mcast_pub.c, mcast_sub.c), the same
 * protocol as the Go peer (bench/mcast): lines on stdout ("ready", "joined", then one JSON
 * result), lines on stdin from the driver. A PGM or NORM receiver hears only what is sent after
 * it joined the group, so the PUB sends "ping" until the driver says "go", and a last "end"
 * after the timed data. */
#ifndef BENCH_MCAST_H
#define BENCH_MCAST_H

#include <poll.h>
#include <unistd.h>

#include "common.h"

static inline long parse_long(const char *s, const char *what) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < 0)
        die("bad %s %s", what, s);
    return v;
}

static inline void set_int(void *sock, int opt, const char *name, int v) {
    if (zmq_setsockopt(sock, opt, &v, sizeof v) != 0)
        die_zmq(name);
}

static inline void say(const char *line) {
    puts(line);
    fflush(stdout);
}

/* stdin_ready waits up to ms for a line (or EOF) on stdin. */
static inline int stdin_ready(int ms) {
    struct pollfd p = {.fd = 0, .events = POLLIN};
    int rc = poll(&p, 1, ms);
    if (rc < 0 && errno != EINTR)
        die("poll: %s", strerror(errno));
    return rc > 0;
}

/* read_line consumes one line of stdin; it returns 0 at EOF. */
static inline int read_line(void) {
    char c;
    for (;;) {
        ssize_t n = read(0, &c, 1);
        if (n <= 0)
            return 0;
        if (c == '\n')
            return 1;
    }
}

#endif
