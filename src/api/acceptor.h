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
 * The total connection limit is kept here, not by the library: its 0.9.75
 * (Debian bookworm) leaves a mutex locked when a connection handed over
 * this way finds its polling thread full, and that thread then waits for
 * itself forever (fixed upstream after 0.9.77, "fixed missing mutex unlock
 * in error handling path"). So the daemon is started with a limit it never
 * reaches (acceptor_daemon_limit) and this thread closes a connection at
 * once when max_connections are open; the daemon reports each connection's
 * end with acceptor_connection_closed (MHD_OPTION_NOTIFY_CONNECTION). The
 * per-address limit stays the library's (checked before the hand-over).
 *
 * acceptor_listen binds and listens (SO_REUSEADDR, the system's largest
 * backlog); -1 with errno on failure. acceptor_new owns the socket from then
 * on (NULL, socket closed, when out of memory); pass it as the cls of the
 * daemon's MHD_OPTION_NOTIFY_CONNECTION callback, which calls
 * acceptor_connection_closed. acceptor_start starts the thread (false when
 * it cannot). acceptor_stop stops accepting and closes the socket; the
 * connections already handed over stay the daemon's. acceptor_free after
 * the daemon has stopped (it reports the connections it closes). New, start,
 * stop and free from one thread; acceptor_connection_closed from any.
 */
#ifndef CC_ACCEPTOR_H
#define CC_ACCEPTOR_H

#include <netinet/in.h>
#include <stdbool.h>

struct MHD_Daemon;
typedef struct acceptor acceptor;

int acceptor_listen(const struct sockaddr_in *addr);
/* The limit to give the daemon: twice max_connections on every polling thread. */
unsigned acceptor_daemon_limit(unsigned max_connections, unsigned threads);
acceptor *acceptor_new(int listen_fd, unsigned max_connections);
bool acceptor_start(acceptor *a, struct MHD_Daemon *daemon);
void acceptor_connection_closed(acceptor *a);
void acceptor_stop(acceptor *a);
void acceptor_free(acceptor *a);

#endif
