#include "api/acceptor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

struct acceptor {
    int listen_fd;
    int wake[2]; /* a byte written to wake[1] stops the thread */
    struct MHD_Daemon *daemon;
    unsigned max_connections;
    /* handed over and not yet closed: a connection the library drops
     * before it starts (out of memory) is never reported closed, and
     * counts until the server stops */
    atomic_uint open;
    pthread_t thread;
    bool started;
};

unsigned acceptor_daemon_limit(unsigned max_connections, unsigned threads)
{
    unsigned long long limit = 2ULL * max_connections * (threads ? threads : 1);
    return limit < UINT_MAX ? (unsigned)limit : UINT_MAX;
}

void acceptor_connection_closed(acceptor *a)
{
    atomic_fetch_sub_explicit(&a->open, 1, memory_order_relaxed);
}

int acceptor_listen(const struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        bind(fd, (const struct sockaddr *)addr, sizeof *addr) != 0 || listen(fd, SOMAXCONN) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* Every connection waiting in the kernel's queue, handed over. */
static void accept_waiting(acceptor *a)
{
    for (;;) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int fd =
            accept4(a->listen_fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                usleep(10000); /* out of descriptors: the waiting ones stay queued */
            return;
        }
        if (atomic_load_explicit(&a->open, memory_order_relaxed) >= a->max_connections) {
            close(fd);
            continue;
        }
        atomic_fetch_add_explicit(&a->open, 1, memory_order_relaxed);
        /* on refusal (the per-address limit) the library has closed it */
        if (MHD_add_connection(a->daemon, fd, (const struct sockaddr *)&peer, len) != MHD_YES)
            atomic_fetch_sub_explicit(&a->open, 1, memory_order_relaxed);
    }
}

static void *accept_loop(void *arg)
{
    acceptor *a = arg;
    struct pollfd fds[2] = {{a->listen_fd, POLLIN, 0}, {a->wake[0], POLLIN, 0}};
    for (;;) {
        if (poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        if (fds[1].revents)
            break;
        if (fds[0].revents)
            accept_waiting(a);
    }
    return NULL;
}

acceptor *acceptor_new(int listen_fd, unsigned max_connections)
{
    acceptor *a = calloc(1, sizeof *a);
    if (!a) {
        close(listen_fd);
        return NULL;
    }
    a->listen_fd = listen_fd;
    a->wake[0] = a->wake[1] = -1;
    a->max_connections = max_connections;
    atomic_init(&a->open, 0);
    return a;
}

bool acceptor_start(acceptor *a, struct MHD_Daemon *daemon)
{
    a->daemon = daemon;
    if (pipe2(a->wake, O_CLOEXEC) != 0)
        return false;
    if (pthread_create(&a->thread, NULL, accept_loop, a) == 0) {
        a->started = true;
        return true;
    }
    close(a->wake[0]);
    close(a->wake[1]);
    a->wake[0] = a->wake[1] = -1;
    return false;
}

void acceptor_stop(acceptor *a)
{
    if (!a || a->listen_fd < 0)
        return;
    if (a->started) {
        ssize_t written;
        do
            written = write(a->wake[1], "x", 1);
        while (written < 0 && errno == EINTR);
        pthread_join(a->thread, NULL);
        a->started = false;
    }
    close(a->listen_fd);
    a->listen_fd = -1;
}

void acceptor_free(acceptor *a)
{
    if (!a)
        return;
    acceptor_stop(a);
    if (a->wake[0] >= 0) {
        close(a->wake[0]);
        close(a->wake[1]);
    }
    free(a);
}
