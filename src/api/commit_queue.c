#include "commit_queue.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>

struct commit_queue {
    pthread_mutex_t lock;
    commit_job *head, *tail; /* waiting, oldest first; not empty only while running */
    bool running;            /* the runner is queued on the pool or running */
    worker_job runner;
    worker_pool *pool;
    commit_batch_fn run;
    void *ctx;
    unsigned long long jobs, batches;
    int largest;
};

static int take_batch(commit_queue *q, commit_job **batch)
{
    int n = 0;
    pthread_mutex_lock(&q->lock);
    while (q->head && n < COMMIT_BATCH_MAX) {
        batch[n++] = q->head;
        q->head = q->head->next;
    }
    if (!q->head)
        q->tail = NULL;
    if (n == 0)
        q->running = false;
    q->jobs += (unsigned long long)n;
    q->batches += n > 0;
    if (n > q->largest)
        q->largest = n;
    pthread_mutex_unlock(&q->lock);
    return n;
}

static void run_batches(worker_job *job)
{
    commit_queue *q = (commit_queue *)(void *)((char *)job - offsetof(commit_queue, runner));
    commit_job *batch[COMMIT_BATCH_MAX];
    int n;
    while ((n = take_batch(q, batch)) > 0)
        q->run(q->ctx, batch, n);
}

commit_queue *commit_queue_create(worker_pool *pool, commit_batch_fn run, void *ctx)
{
    commit_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    pthread_mutex_init(&q->lock, NULL);
    q->runner.run = run_batches;
    q->pool = pool;
    q->run = run;
    q->ctx = ctx;
    return q;
}

bool commit_queue_submit(commit_queue *q, commit_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->tail)
        q->tail->next = job;
    else
        q->head = job;
    q->tail = job;
    bool start = !q->running;
    q->running = true;
    bool queued = true;
    /* the pool's lock is taken inside the queue's: the runner takes them
     * one after the other, never both */
    if (start && !worker_pool_submit(q->pool, &q->runner)) {
        q->head = q->tail = NULL; /* the queue was empty: job was alone */
        q->running = false;
        queued = false;
    }
    pthread_mutex_unlock(&q->lock);
    return queued;
}

void commit_queue_counts(commit_queue *q, unsigned long long *jobs, unsigned long long *batches,
                         int *largest)
{
    pthread_mutex_lock(&q->lock);
    *jobs = q->jobs;
    *batches = q->batches;
    *largest = q->largest;
    pthread_mutex_unlock(&q->lock);
}

void commit_queue_release(commit_queue *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->lock);
    free(q);
}
