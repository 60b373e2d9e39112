#include "worker_pool.h"

#include <pthread.h>
#include <stdlib.h>

struct worker_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    worker_job *head, *tail; /* waiting, oldest first */
    bool stopping;
    unsigned n;
    pthread_t threads[];
};

static void *work(void *arg)
{
    worker_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->wake, &p->lock);
        worker_job *job = p->head;
        if (!job)
            break; /* stopping and nothing left */
        p->head = job->next;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->lock);
        job->run(job);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

worker_pool *worker_pool_start(unsigned n)
{
    if (n == 0)
        n = 1;
    worker_pool *p = calloc(1, sizeof *p + n * sizeof p->threads[0]);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    while (p->n < n && pthread_create(&p->threads[p->n], NULL, work, p) == 0)
        p->n++;
    if (p->n == 0) {
        worker_pool_stop(p);
        return NULL;
    }
    return p;
}

bool worker_pool_submit(worker_pool *p, worker_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&p->lock);
    bool ok = !p->stopping;
    if (ok) {
        if (p->tail)
            p->tail->next = job;
        else
            p->head = job;
        p->tail = job;
        pthread_cond_signal(&p->wake);
    }
    pthread_mutex_unlock(&p->lock);
    return ok;
}

void worker_pool_stop(worker_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
