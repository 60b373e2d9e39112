#include "api/acceptor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

struct acceptor {
    int listen_fd;
    int wake[2]; /* a byte written to wake[1] stops the thread */
    struct MHD_Daemon *daemon;
    pthread_t thread;
};

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
        /* on refusal the library has closed the socket: nothing to undo */
        (void)MHD_add_connection(a->daemon, fd, (const struct sockaddr *)&peer, len);
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

acceptor *acceptor_start(int listen_fd, struct MHD_Daemon *daemon)
{
    acceptor *a = calloc(1, sizeof *a);
    if (!a)
        goto fail;
    a->listen_fd = listen_fd;
    a->daemon = daemon;
    if (pipe2(a->wake, O_CLOEXEC) != 0)
        goto fail;
    if (pthread_create(&a->thread, NULL, accept_loop, a) != 0) {
        close(a->wake[0]);
        close(a->wake[1]);
        goto fail;
    }
    return a;
fail:
    free(a);
    close(listen_fd);
    return NULL;
}

void acceptor_stop(acceptor *a)
{
    if (!a)
        return;
    ssize_t written;
    do
        written = write(a->wake[1], "x", 1);
    while (written < 0 && errno == EINTR);
    pthread_join(a->thread, NULL);
    close(a->wake[0]);
    close(a->wake[1]);
    close(a->listen_fd);
    free(a);
}
