#include "access_queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct access_queue {
    const char *data_dir;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    access_entry *rows; /* waiting, oldest first */
    size_t n, cap;
    access_entry *writing; /* the writer's batch, outside the lock */
    size_t writing_cap;
};

bool access_queue_push(access_queue *q, const access_entry *entries, size_t n)
{
    bool ok = true;
    pthread_mutex_lock(&q->lock);
    if (q->n + n > ACCESS_QUEUE_MAX)
        ok = false;
    else if (q->n + n > q->cap) {
        size_t cap = q->cap ? q->cap : ACCESS_BATCH;
        while (cap < q->n + n)
            cap *= 2;
        access_entry *grown = realloc(q->rows, cap * sizeof *grown);
        if (grown) {
            q->rows = grown;
            q->cap = cap;
        } else
            ok = false;
    }
    if (ok) {
        memcpy(q->rows + q->n, entries, n * sizeof *entries);
        /* wake the writer once, when the batch fills, not on every push after */
        if (q->n < ACCESS_BATCH && q->n + n >= ACCESS_BATCH)
            pthread_cond_signal(&q->wake);
        q->n += n;
    }
    pthread_mutex_unlock(&q->lock);
    return ok;
}

/* Takes the queued rows (the caller holds the lock); false when none. */
static bool take_batch(access_queue *q, size_t *n)
{
    *n = q->n;
    if (q->n == 0)
        return false;
    access_entry *t = q->writing;
    size_t tcap = q->writing_cap;
    q->writing = q->rows;
    q->writing_cap = q->cap;
    q->rows = t;
    q->cap = tcap;
    q->n = 0;
    return true;
}

/* Puts back a batch that could not be written, ahead of newer rows. */
static void requeue(access_queue *q, size_t n)
{
    pthread_mutex_lock(&q->lock);
    access_entry *all = malloc((q->n + n) * sizeof *all);
    if (all) {
        memcpy(all, q->writing, n * sizeof *all);
        memcpy(all + n, q->rows, q->n * sizeof *all);
        free(q->rows);
        q->rows = all;
        q->n += n;
        q->cap = q->n;
    } else
        fprintf(stderr, "cellclinic: access log: out of memory; %zu rows lost\n", n);
    pthread_mutex_unlock(&q->lock);
}

static bool write_batch(access_queue *q, db **d, size_t n)
{
    cc_error err;
    if (!*d && access_log_open(q->data_dir, d, &err) != CC_OK) {
        fprintf(stderr, "cellclinic: access log: %s\n", err.message);
        return false;
    }
    if (access_log_append(*d, q->writing, n, &err) == CC_OK)
        return true;
    fprintf(stderr, "cellclinic: access log: %s (will retry)\n", err.message);
    db_close(*d); /* a fresh connection after a storage failure, as the workers do */
    *d = NULL;
    return false;
}

static void *writer_loop(void *arg)
{
    access_queue *q = arg;
    db *d = NULL;
    cc_error err;
    if (access_log_open(q->data_dir, &d, &err) != CC_OK) /* now: the file exists from the start */
        fprintf(stderr, "cellclinic: access log: %s\n", err.message);
    pthread_mutex_lock(&q->lock);
    for (;;) {
        size_t n;
        bool stopping = q->stop, failed = false;
        if (take_batch(q, &n)) {
            pthread_mutex_unlock(&q->lock);
            failed = !write_batch(q, &d, n);
            if (failed)
                requeue(q, n);
            pthread_mutex_lock(&q->lock);
            if (!failed)
                continue;
            if (stopping) { /* the disk refuses: give up rather than hang the exit */
                fprintf(stderr, "cellclinic: access log: %zu rows not written at exit\n", q->n);
                break;
            }
        } else if (stopping)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)ACCESS_FLUSH_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        int rc = 0;
        /* after a failure wait the whole interval before retrying */
        while (!q->stop && (failed || q->n < ACCESS_BATCH) && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&q->wake, &q->lock, &until);
    }
    pthread_mutex_unlock(&q->lock);
    if (d)
        db_close(d);
    return NULL;
}

access_queue *access_queue_start(const char *data_dir)
{
    access_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->data_dir = data_dir;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    if (pthread_create(&q->thread, NULL, writer_loop, q) == 0)
        return q;
    pthread_cond_destroy(&q->wake);
    pthread_mutex_destroy(&q->lock);
    free(q);
    return NULL;
}

void access_queue_stop(access_queue *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stop = true;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
    pthread_cond_destroy(&q->wake);
    pthread_mutex_destroy(&q->lock);
    free(q->rows);
    free(q->writing);
    free(q);
}
