/*
 * worker_pool: a few threads that run the server's long requests (those
 * that write, wait for the write lock or the log's sync, or compute a
 * report) away from libmicrohttpd's polling threads, so that a polling
 * thread never waits for a write and keeps answering the reads of its
 * connections (server.c suspends the connection while its job runs).
 *
 * A job is a worker_job embedded in the caller's own state: submitting
 * allocates nothing and cannot fail while the pool runs. Jobs start in the
 * order submitted. The caller owns the job's memory until run returns.
 *
 * Threads inherit the signal mask of the thread that starts the pool.
 * Thread safety: submit from any thread; start and stop from one thread.
 */
#ifndef CC_WORKER_POOL_H
#define CC_WORKER_POOL_H

#include <stdbool.h>

typedef struct worker_job {
    struct worker_job *next; /* the pool's */
    void (*run)(struct worker_job *job);
} worker_job;

typedef struct worker_pool worker_pool;

/* n threads (at least 1); NULL when out of memory or no thread starts. */
worker_pool *worker_pool_start(unsigned n);
/* Queues job (job->run set by the caller); false once the pool is
 * stopping, and then the job is not run. */
bool worker_pool_submit(worker_pool *p, worker_job *job);
/* Refuses new jobs, runs every job already queued, joins the threads and
 * frees the pool. */
void worker_pool_stop(worker_pool *p);

#endif
