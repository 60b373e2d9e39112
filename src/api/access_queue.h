/*
 * access_queue: the server's access-log writer (store/access_log.h).
 *
 * A request that showed identified patient data hands its rows to the queue
 * before its answer is sent; one background thread with its own connection
 * writes whatever is queued in one transaction every ACCESS_FLUSH_MS (or
 * sooner when ACCESS_BATCH rows wait). A patient read thus costs a copy
 * under a mutex instead of a durable write, and a thousand reads cost one
 * commit.
 *
 * Why not write in the read's own transaction: a read would then pay for a
 * write transaction and a commit, and the reads of 64 connections would
 * queue on the one write lock; the patient read must stay within 10 % of
 * its cost without the log (bench/RESULTS.md).
 *
 * Crash safety: a stop (SIGTERM, SIGINT) drains the queue before the process
 * exits; a crash or SIGKILL loses at most the rows of the last flush
 * interval (they were never acknowledged as written); a power cut may also
 * undo the commits since the last checkpoint (the log's file is written
 * with synchronous=NORMAL, store/access_log.c). The queue is bounded:
 * when the writer cannot keep up or cannot write (disk full), push refuses
 * (false) and the server answers 503 instead of showing data that would not
 * be logged. Rows that failed to write stay queued and are retried.
 *
 * Thread safety: push from any thread; start and stop from the main thread.
 */
#ifndef CC_ACCESS_QUEUE_H
#define CC_ACCESS_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "store/access_log.h"

enum { ACCESS_FLUSH_MS = 50, ACCESS_BATCH = 4096, ACCESS_QUEUE_MAX = 200000 };

typedef struct access_queue access_queue;

/* NULL when out of memory or the thread cannot start. */
access_queue *access_queue_start(const char *data_dir);
/* Copies the n entries into the queue; false (nothing queued) when full. */
bool access_queue_push(access_queue *q, const access_entry *entries, size_t n);
/* Writes every queued row, stops the thread and frees the queue. */
void access_queue_stop(access_queue *q);

#endif
