/*
 * commit_queue: the server's writes, gathered so that several requests share
 * one write transaction and one durable commit (group commit by batches).
 *
 * A request that writes is queued (commit_queue_submit) instead of running
 * alone. One runner at a time, on the worker pool, takes every request
 * waiting (at most COMMIT_BATCH_MAX) and hands them to the batch function,
 * which runs them in one transaction (db_batch_begin: each request's action
 * in its own savepoint) and answers each only once the batch is durable.
 * While a batch runs, new requests wait for the next one: under load the
 * batches grow by themselves, alone a request is a batch of one.
 *
 * A job is a commit_job embedded in the caller's state: queuing allocates
 * nothing. The queue is created once the pool runs and freed after the pool
 * stopped (the pool runs the runner still queued, which empties the queue).
 * Thread safety: submit from any thread.
 */
#ifndef CC_COMMIT_QUEUE_H
#define CC_COMMIT_QUEUE_H

#include <stdbool.h>

#include "api/worker_pool.h"

enum { COMMIT_BATCH_MAX = 64 };

typedef struct commit_job {
    struct commit_job *next; /* the queue's */
} commit_job;

/* Runs jobs[0..n-1] (n >= 1) as one batch, on a worker thread. */
typedef void (*commit_batch_fn)(void *ctx, commit_job **jobs, int n);

typedef struct commit_queue commit_queue;

/* NULL when out of memory. */
commit_queue *commit_queue_create(worker_pool *pool, commit_batch_fn run, void *ctx);
/* Queues job; false when the pool refuses work (it is stopping): the job
 * was not queued and the caller runs it alone. */
bool commit_queue_submit(commit_queue *q, commit_job *job);
/* The requests run in batches so far, the batches and the largest one. */
void commit_queue_counts(commit_queue *q, unsigned long long *jobs, unsigned long long *batches,
                         int *largest);
/* Frees the queue; call after worker_pool_stop. */
void commit_queue_release(commit_queue *q);

#endif
