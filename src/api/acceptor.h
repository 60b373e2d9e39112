/*
 * acceptor: the server's listening socket, accepted on a thread of its own;
 * each connection goes to libmicrohttpd at once (MHD_add_connection, which
 * gives it to one of the polling threads).
 *
 * Why not the library's own accept: its poll loop accepts one connection per
 * turn of each polling thread, and a turn first serves every connection with
 * a request ready. With 1,000 clients connecting while others are served,
 * up to 400 connections waited in the kernel's queue for a second, their
 * first request already sent (bench/RESULTS.md, "Concurrent capacity").
 * This thread accepts until the queue is empty each time it wakes.
 *
 * acceptor_listen binds and listens (SO_REUSEADDR, the system's largest
 * backlog); -1 with errno on failure. acceptor_start owns the socket from
 * then on, and closes it when stopped; NULL (socket closed) when the thread
 * cannot start. acceptor_stop stops accepting, joins the thread, closes the
 * socket and frees; connections already handed over stay the daemon's.
 * A refused connection (the daemon's connection limits) is closed by the
 * library. Start and stop from one thread; the daemon must outlive it.
 */
#ifndef CC_ACCEPTOR_H
#define CC_ACCEPTOR_H

#include <netinet/in.h>

struct MHD_Daemon;
typedef struct acceptor acceptor;

int acceptor_listen(const struct sockaddr_in *addr);
acceptor *acceptor_start(int listen_fd, struct MHD_Daemon *daemon);
void acceptor_stop(acceptor *a);

#endif
