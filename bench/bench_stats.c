/* bench_stats: throughput of core/stats over one large sample.
 *
 * Usage: bench_stats [N=2000000] [ROUNDS=5]
 * Fills N pseudo-random scores (a fixed LCG, so runs are comparable), then
 * for each round: copies them, runs stats_describe (n, mean, SD, t CI,
 * median, quartiles, min, max), the paired change over N/2 pairs, and the
 * Wilson, Clopper-Pearson and Poisson intervals of counts taken from the
 * data. Prints one line per round and a summary with values per second
 * (best and median round). The copy is outside the timing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/stats.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 2000000;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (n < 2 || rounds < 1 || rounds > 100) {
        fprintf(stderr, "usage: bench_stats [N>=2] [ROUNDS 1..100]\n");
        return 2;
    }
    double *src = malloc(n * sizeof *src), *work = malloc(n * sizeof *work);
    stats_pair *pairs = malloc(n / 2 * sizeof *pairs);
    double *times = malloc((size_t)rounds * sizeof *times);
    if (!src || !work || !pairs || !times) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    uint64_t s = 7;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        src[i] = (double)((s >> 33) % 10001) / 100.0; /* 0.00 .. 100.00 */
    }
    for (size_t i = 0; i < n / 2; i++)
        pairs[i] = (stats_pair){src[2 * i], src[2 * i + 1], i % 17 != 0, i % 23 != 0};

    double sink = 0.0;
    for (int r = 0; r < rounds; r++) {
        memcpy(work, src, n * sizeof *work);
        double t0 = now();
        stats_summary sm;
        stats_change ch;
        stats_proportion w, cp;
        stats_rate rt;
        if (stats_describe(work, n, &sm, NULL) != CC_OK ||
            stats_paired_change(pairs, n / 2, &ch, NULL) != CC_OK) {
            fprintf(stderr, "stats failed\n");
            return 1;
        }
        uint64_t above = 0;
        for (size_t i = 0; i < n; i++)
            above += src[i] > sm.mean;
        if (stats_wilson(above, n, &w, NULL) != CC_OK ||
            stats_clopper_pearson(above, n, &cp, NULL) != CC_OK ||
            stats_rate_poisson(above / 1000, n, &rt, NULL) != CC_OK) {
            fprintf(stderr, "interval failed\n");
            return 1;
        }
        times[r] = now() - t0;
        sink += sm.ci.low + ch.ci.high + w.ci.low + cp.ci.high + rt.ci.high;
        printf("round %d: %.3f s  n=%zu mean=%.4f sd=%.4f ci=[%.4f, %.4f] median=%.2f "
               "iqr=%.2f change=%.4f [%.4f, %.4f] cp=[%.6f, %.6f]\n",
               r + 1, times[r], sm.n, sm.mean, sm.sd, sm.ci.low, sm.ci.high, sm.median, sm.iqr,
               ch.mean_diff, ch.ci.low, ch.ci.high, cp.ci.low, cp.ci.high);
    }
    qsort(times, (size_t)rounds, sizeof *times, cmp);
    double best = times[0], median = times[rounds / 2];
    printf("stats: %zu values, best %.1f ms (%.1f M values/s), median %.1f ms (%.1f M values/s)"
           " [%g]\n",
           n, best * 1e3, (double)n / best / 1e6, median * 1e3, (double)n / median / 1e6,
           sink > 0 ? 1.0 : 0.0);
    free(src);
    free(work);
    free(pairs);
    free(times);
    return 0;
}
