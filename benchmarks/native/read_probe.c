/*
 * A native streaming read: the yardstick the Java read probe (ReadProbe, BandwidthBenchmark) is held
 * against. Sums a buffer of 64-bit integers with several independent accumulators, the way STREAM's
 * and llama.cpp's loops read memory, compiled by the benchmark scripts with gcc -O3 for the ISA
 * under test (-march=native, or -mavx2 -mfma for the AVX2 shape) so the compiler vectorizes it.
 *
 *   read_probe [MiB=1024] [threads=1] [passes=7]
 *
 * Prints one JSON object: the GB/s of every timed pass (each pass reads the whole buffer once,
 * split into contiguous chunks over the threads; the first, untimed pass faults the pages in), and
 * the median. Each thread first writes its own chunk, so on a NUMA machine it reads local memory.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const uint64_t *data;
    size_t count;
    uint64_t sum;
    pthread_barrier_t *start;
    pthread_barrier_t *done;
    int passes;
} chunk_t;

static uint64_t sum_chunk(const uint64_t *restrict p, size_t n) {
    uint64_t a[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        for (int k = 0; k < 16; k++) {
            a[k] += p[i + k];
        }
    }
    uint64_t s = 0;
    for (; i < n; i++) {
        s += p[i];
    }
    for (int k = 0; k < 16; k++) {
        s += a[k];
    }
    return s;
}

static void *worker(void *arg) {
    chunk_t *c = arg;
    memset((void *) c->data, 1, c->count * sizeof(uint64_t));
    for (int pass = 0; pass <= c->passes; pass++) {
        pthread_barrier_wait(c->start);
        c->sum += sum_chunk(c->data, c->count);
        pthread_barrier_wait(c->done);
    }
    return NULL;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024;
    int threads = argc > 2 ? atoi(argv[2]) : 1;
    int passes = argc > 3 ? atoi(argv[3]) : 7;
    if (mib == 0 || threads < 1 || threads > 256 || passes < 1 || passes > 1000) {
        fprintf(stderr, "usage: read_probe [MiB>0] [threads 1..256] [passes 1..1000]\n");
        return 2;
    }
    size_t bytes = mib << 20;
    uint64_t *data = aligned_alloc(4096, bytes);
    if (data == NULL) {
        fprintf(stderr, "read_probe: cannot allocate %zu MiB\n", mib);
        return 1;
    }
    size_t words = bytes / sizeof(uint64_t);
    pthread_barrier_t start, done;
    pthread_barrier_init(&start, NULL, threads + 1);
    pthread_barrier_init(&done, NULL, threads + 1);
    chunk_t *chunks = calloc(threads, sizeof(chunk_t));
    pthread_t *ids = calloc(threads, sizeof(pthread_t));
    for (int t = 0; t < threads; t++) {
        size_t from = words * t / threads, to = words * (t + 1) / threads;
        chunks[t] = (chunk_t) {data + from, to - from, 0, &start, &done, passes};
        pthread_create(&ids[t], NULL, worker, &chunks[t]);
    }
    double *gbs = calloc(passes, sizeof(double));
    for (int pass = 0; pass <= passes; pass++) {
        double t0 = now();
        pthread_barrier_wait(&start);
        pthread_barrier_wait(&done);
        double seconds = now() - t0;
        if (pass > 0) {
            gbs[pass - 1] = bytes / seconds / 1e9;
        }
    }
    uint64_t total = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        total += chunks[t].sum;
    }
    printf("{\"probe\": \"native\", \"mib\": %zu, \"threads\": %d, \"gbs\": [", mib, threads);
    for (int i = 0; i < passes; i++) {
        printf("%s%.2f", i ? ", " : "", gbs[i]);
    }
    qsort(gbs, passes, sizeof(double), by_value);
    printf("], \"median_gbs\": %.2f, \"checksum\": %llu}\n", gbs[passes / 2], (unsigned long long) total);
    return 0;
}
