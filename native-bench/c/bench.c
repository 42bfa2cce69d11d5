/*
 * vectorgrad native baseline benchmark.
 *
 * Hand-written C kernels (gcc -O3 -march=native -fopenmp) for the workloads
 * that vectorgrad is compared on.  Three "systems" are reported:
 *
 *   c        eager execution: one pass per operation, one parallel region per
 *            operation.  For the seed step the temporaries come from
 *            preallocated buffers (a perfect caching allocator), so this is
 *            the pure cost of the eager passes: what an eager tensor library
 *            could achieve with perfect kernels.
 *   c_malloc seed step only: the same eager passes, with every temporary
 *            posix_memalign'ed (64 B) and freed per op, as PyTorch's CPU
 *            allocator does (there is no caching allocator on the CPU).
 *            Includes glibc's behaviour: temporaries above the mmap / trim
 *            thresholds (~128 KiB .. 32 MiB, adaptive) are often returned to
 *            the kernel and page-faulted back in on the next iteration.
 *   c_fused  seed step only: the floor, only the passes whose results are
 *            observable at an API boundary (see seed_fused below).
 *   c_blocked tadd only: the transpose blocked (8x8 blocks transposed in AVX
 *            registers; without AVX, tiles transposed through an L1-resident
 *            buffer), see k_tadd_blocked.
 *
 * Workloads (float32, contiguous unless noted; sizes S1..S5 = 2x2, 32x32,
 * 256x256, 1024x1024, 4096x4096):
 *   seed_step  y = (x + temp + 2).mean(); y.backward(); temp.grad.zero_()
 *   add_out    c = a + b into a preallocated c
 *   add_alloc  c = a + b with c malloc'ed (and written, i.e. touched) and freed
 *              every iteration
 *   mean       a.mean() (blocked pairwise sum with 8 vector accumulators)
 *   tadd       out = a.t() + b: out[i][j] = a[j][i] + b[i][j], out malloc'ed and
 *              freed every iteration as in add_alloc (strided: a read transposed)
 *   expadd     out = a.expand(n, n) + b with a of shape (1, n): out[i][j] =
 *              a[j] + b[i][j], out malloc'ed and freed every iteration (strided:
 *              a broadcast over the rows, stride 0)
 *   exp, tanh, sigmoid, relu, gelu   (issue #7) y = f(x) elementwise, y malloc'ed
 *              and freed every iteration as in add_alloc; the natural loop with
 *              libm's scalar expf / tanhf / erff (no -ffast-math, so gcc calls libm
 *              per element; relu is vectorised): sigmoid = 1 / (1 + expf(-x)),
 *              relu = x < 0 ? 0 : x (NaN kept), gelu = x * 0.5 * (1 + erff(x / sqrt 2))
 *   softmax    y = softmax(x, dim=-1) of an (n, n) x, per row the four passes
 *              PyTorch's kernel makes: max (vector lanes), y = expf(x - max), sum
 *              (as mean's leaf sum), y *= 1 / sum; y malloc'ed and freed every
 *              iteration.  x of the math workloads is math_value(i), in [-4, 4).
 *
 * Threads: --threads N calls omp_set_num_threads(N).  Like PyTorch (GRAIN_SIZE
 * 32768) an operation only goes parallel when it has >= --grain elements;
 * each thread gets one contiguous, 64-byte aligned chunk (static schedule),
 * and arrays are first-touched with the same partition.  The strided workloads
 * are written as a C programmer would write them: a plain row loop, run by
 * par_rows (one contiguous block of rows per thread, as "#pragma omp parallel
 * for schedule(static)" over the rows), parallel above the same grain
 * (counted in elements).  The elementwise math workloads use par_for like add;
 * softmax uses par_rows.
 *
 * Timing: CLOCK_MONOTONIC; warm-up for --warmup seconds; the iterations per
 * batch are calibrated so that one batch lasts about budget/30; batches are
 * repeated until --budget seconds have been spent (and at least 5 batches).
 * Reported: median, p10 and p90 of the per-iteration time over batches.
 *
 * Output: CSV on stdout,
 *   system,workload,size,threads,median_ns,p10_ns,p90_ns,iterations
 * with '#' comment lines for metadata.  Diagnostics go to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#if defined(__AVX__)
#include <immintrin.h> /* c_blocked's in-register transpose */
#endif
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- config */

#ifndef VW
#if defined(__AVX512F__)
#define VW 16 /* floats per vector register */
#else
#define VW 8
#endif
#endif
#define NACC 8          /* independent accumulators in the sum kernels */
#define SUM_BLOCK 4096  /* leaf size of the pairwise summation */
#define ALIGN 64

typedef float vf __attribute__((vector_size(VW * sizeof(float))));

static int g_threads = 1;
static size_t g_grain = 32768;
static double g_budget = 0.3;
static double g_warmup = 0.05;
static volatile float g_sink; /* results of reductions are stored here */

/* Compiler barrier: the memory behind p is considered read and written. */
#define CLOBBER(p) __asm__ volatile("" : : "r"(p) : "memory")

static inline vf vload(const float *p) {
    vf v;
    memcpy(&v, p, sizeof v); /* unaligned load, compiles to one vmovups */
    return v;
}

static inline double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *msg) {
    fprintf(stderr, "bench: %s\n", msg);
    exit(2);
}

static float *falloc(size_t n) {
    void *p = NULL;
    size_t bytes = n * sizeof(float);
    if (bytes == 0) bytes = ALIGN;
    if (posix_memalign(&p, ALIGN, bytes) != 0) die("out of memory");
    return (float *)p;
}

/* Long-lived buffers: like vectorgrad's large blocks, 2 MiB aligned and advised to use
 * transparent huge pages before the first touch (THP is in "madvise" mode on many machines), so
 * that streaming kernels are compared on the same kind of memory. Per-op allocations (c_malloc,
 * add_alloc) keep plain posix_memalign, as PyTorch's CPU allocator does. */
static float *falloc_persistent(size_t n) {
    size_t bytes = n * sizeof(float);
    if (bytes < ((size_t)2 << 20)) return falloc(n);
    void *p = NULL;
    if (posix_memalign(&p, (size_t)2 << 20, bytes) != 0) die("out of memory");
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return (float *)p;
}

/* ------------------------------------------------------ parallel helper */

/* Contiguous chunk of [0, n) for thread tid of nt, rounded to 16 floats. */
static inline void chunk(size_t n, int tid, int nt, size_t *lo, size_t *hi) {
    size_t per = (n + (size_t)nt - 1) / (size_t)nt;
    per = (per + 15) & ~(size_t)15;
    size_t l = (size_t)tid * per;
    if (l > n) l = n;
    size_t h = l + per;
    if (h > n) h = n;
    *lo = l;
    *hi = h;
}

typedef void (*range_fn)(void *ctx, size_t lo, size_t hi, int tid);

/* Runs f over [0, n): serially below the grain size, else one OpenMP
 * parallel region with one static chunk per thread. */
static void par_for(size_t n, range_fn f, void *ctx) {
    if (g_threads <= 1 || n < g_grain) {
        f(ctx, 0, n, 0);
        return;
    }
#pragma omp parallel
    {
        size_t lo, hi;
        chunk(n, omp_get_thread_num(), omp_get_num_threads(), &lo, &hi);
        f(ctx, lo, hi, omp_get_thread_num());
    }
}

/* ------------------------------------------------------------- kernels */

typedef struct {
    const float *a, *b;
    float *out;
    float s;
} args_t;

/* Per-thread partial sums of the reductions, one cache line each. */
static struct {
    float v;
    char pad[ALIGN - sizeof(float)];
} g_partial[256] __attribute__((aligned(ALIGN)));

static void k_add(void *c, size_t lo, size_t hi, int tid) {
    (void)tid;
    args_t *g = c;
    const float *restrict a = g->a, *restrict b = g->b;
    float *restrict o = g->out;
    for (size_t i = lo; i < hi; i++) o[i] = a[i] + b[i];
}

static void k_add_scalar(void *c, size_t lo, size_t hi, int tid) {
    (void)tid;
    args_t *g = c;
    const float *restrict a = g->a;
    float *restrict o = g->out;
    const float s = g->s;
    for (size_t i = lo; i < hi; i++) o[i] = a[i] + s;
}

static void k_fill(void *c, size_t lo, size_t hi, int tid) {
    (void)tid;
    args_t *g = c;
    float *restrict o = g->out;
    const float s = g->s;
    for (size_t i = lo; i < hi; i++) o[i] = s;
}

static void k_zero(void *c, size_t lo, size_t hi, int tid) {
    (void)tid;
    args_t *g = c;
    memset(g->out + lo, 0, (hi - lo) * sizeof(float));
}

static void k_accumulate(void *c, size_t lo, size_t hi, int tid) { /* out += a */
    (void)tid;
    args_t *g = c;
    const float *restrict a = g->a;
    float *restrict o = g->out;
    for (size_t i = lo; i < hi; i++) o[i] += a[i];
}

static void k_add_scalar_inplace(void *c, size_t lo, size_t hi, int tid) { /* out += s */
    (void)tid;
    args_t *g = c;
    float *restrict o = g->out;
    const float s = g->s;
    for (size_t i = lo; i < hi; i++) o[i] += s;
}

/* Horizontal sum of one vector, pairwise. */
static inline float hsum(vf v) {
    float l[VW];
    memcpy(l, &v, sizeof v);
    for (int w = VW / 2; w >= 1; w /= 2)
        for (int i = 0; i < w; i++) l[i] += l[i + w];
    return l[0];
}

/* Leaf of the pairwise sum: sum(a[0..n)) with NACC vector accumulators. */
static float sum_leaf(const float *a, size_t n) {
    if (n < VW) { /* tiny tensors: no vector set-up */
        float t = 0.0f;
        for (size_t i = 0; i < n; i++) t += a[i];
        return t;
    }
    vf acc[NACC] = {0};
    size_t i = 0;
    for (; i + NACC * VW <= n; i += NACC * VW)
        for (int k = 0; k < NACC; k++) acc[k] += vload(a + i + (size_t)k * VW);
    for (; i + VW <= n; i += VW) acc[0] += vload(a + i);
    for (int w = NACC / 2; w >= 1; w /= 2)
        for (int k = 0; k < w; k++) acc[k] += acc[k + w];
    float s = hsum(acc[0]);
    float t = 0.0f;
    for (; i < n; i++) t += a[i];
    return s + t;
}

/* Leaf of the fused seed-step forward: sum(a[i] + b[i] + c). */
static float sum3_leaf(const float *a, const float *b, float c, size_t n) {
    if (n < VW) { /* tiny tensors: no vector set-up */
        float t = 0.0f;
        for (size_t i = 0; i < n; i++) t += (a[i] + b[i]) + c;
        return t;
    }
    vf acc[NACC] = {0};
    const vf cv = (vf){0} + c;
    size_t i = 0;
    for (; i + NACC * VW <= n; i += NACC * VW)
        for (int k = 0; k < NACC; k++) {
            size_t j = i + (size_t)k * VW;
            acc[k] += (vload(a + j) + vload(b + j)) + cv;
        }
    for (; i + VW <= n; i += VW) acc[0] += (vload(a + i) + vload(b + i)) + cv;
    for (int w = NACC / 2; w >= 1; w /= 2)
        for (int k = 0; k < w; k++) acc[k] += acc[k + w];
    float s = hsum(acc[0]);
    float t = 0.0f;
    for (; i < n; i++) t += (a[i] + b[i]) + c;
    return s + t;
}

/* Pairwise (cascade) sum: split at a multiple of SUM_BLOCK until the leaf. */
static float sum_pairwise(const float *a, size_t n) {
    if (n <= SUM_BLOCK) return sum_leaf(a, n);
    size_t half = ((n + SUM_BLOCK - 1) / SUM_BLOCK / 2) * SUM_BLOCK;
    return sum_pairwise(a, half) + sum_pairwise(a + half, n - half);
}

static float sum3_pairwise(const float *a, const float *b, float c, size_t n) {
    if (n <= SUM_BLOCK) return sum3_leaf(a, b, c, n);
    size_t half = ((n + SUM_BLOCK - 1) / SUM_BLOCK / 2) * SUM_BLOCK;
    return sum3_pairwise(a, b, c, half) + sum3_pairwise(a + half, b + half, c, n - half);
}

static void k_sum(void *c, size_t lo, size_t hi, int tid) {
    args_t *g = c;
    g_partial[tid].v = sum_pairwise(g->a + lo, hi - lo);
}

static void k_sum3(void *c, size_t lo, size_t hi, int tid) {
    args_t *g = c;
    g_partial[tid].v = sum3_pairwise(g->a + lo, g->b + lo, g->s, hi - lo);
}

/* Combines the per-thread partials (in thread order: deterministic). */
static float reduce_partials(args_t *g, size_t n, range_fn f) {
    int nt = (g_threads <= 1 || n < g_grain) ? 1 : g_threads;
    for (int t = 0; t < nt; t++) g_partial[t].v = 0.0f;
    par_for(n, f, g);
    float s = 0.0f;
    for (int t = 0; t < nt; t++) s += g_partial[t].v;
    return s;
}

/* ------------------------------------------------------------- ops */

static void op_add(const float *a, const float *b, float *out, size_t n) {
    args_t g = {.a = a, .b = b, .out = out};
    par_for(n, k_add, &g);
}
static void op_add_scalar(const float *a, float s, float *out, size_t n) {
    args_t g = {.a = a, .out = out, .s = s};
    par_for(n, k_add_scalar, &g);
}
static void op_fill(float *out, float s, size_t n) {
    args_t g = {.out = out, .s = s};
    par_for(n, k_fill, &g);
}
static void op_zero(float *out, size_t n) {
    args_t g = {.out = out};
    par_for(n, k_zero, &g);
}
static void op_accumulate(float *out, const float *a, size_t n) {
    args_t g = {.a = a, .out = out};
    par_for(n, k_accumulate, &g);
}
static void op_add_scalar_inplace(float *out, float s, size_t n) {
    args_t g = {.out = out, .s = s};
    par_for(n, k_add_scalar_inplace, &g);
}
static float op_mean(const float *a, size_t n) {
    args_t g = {.a = a};
    return reduce_partials(&g, n, k_sum) / (float)n;
}
static float op_mean3(const float *a, const float *b, float c, size_t n) {
    args_t g = {.a = a, .b = b, .s = c};
    return reduce_partials(&g, n, k_sum3) / (float)n;
}

/* --------------------------------------------------------- workloads */

typedef struct {
    size_t n, rows, cols;
    float *x, *temp, *grad; /* seed step state */
    float *a, *b, *c;       /* add / mean / tadd operands */
    float *row;             /* expadd: the (1, cols) row vector */
    float *m;               /* input of the math workloads (math_value) */
    float *t1, *t2, *g;     /* preallocated seed-step temporaries (system c) */
} state_t;

/* Eager seed step, pass for pass what PyTorch's autograd executes:
 *   forward : t1 = x + temp        (alloc t1; read 2n, write n)
 *             t2 = t1 + 2          (alloc t2; read n, write n; t1 freed)
 *             y  = mean(t2)        (read n; t2 freed: not saved for backward)
 *   backward: g  = full(1/n)       (MeanBackward: alloc g; write n)
 *             AddBackward x2       (pass-through, no pass)
 *             temp.grad += g       (AccumulateGrad, grad already defined:
 *                                   read 2n, write n; g freed)
 *   temp.grad.zero_()              (write n)
 * = 6 passes, 5n reads + 5n writes, 3 temporaries.
 * system "c":        temporaries are preallocated buffers (a perfect caching
 *                    allocator): the pure cost of the 6 passes.
 * system "c_malloc": temporaries from posix_memalign/free each time, like an
 *                    eager framework without a caching allocator (PyTorch on
 *                    the CPU).  With glibc, temporaries above the mmap/trim
 *                    thresholds (a few 100 KiB) often cost page faults. */
static inline void seed_eager_impl(state_t *s, int pooled) {
    size_t n = s->n;
    float *t1 = pooled ? s->t1 : falloc(n);
    op_add(s->x, s->temp, t1, n);
    float *t2 = pooled ? s->t2 : falloc(n);
    op_add_scalar(t1, 2.0f, t2, n);
    if (!pooled) free(t1);
    float y = op_mean(t2, n);
    if (!pooled) free(t2);
    g_sink = y;
    float *g = pooled ? s->g : falloc(n);
    op_fill(g, 1.0f / (float)n, n);
    op_accumulate(s->grad, g, n);
    if (!pooled) free(g);
    CLOBBER(s->grad);
    op_zero(s->grad, n);
    CLOBBER(s->grad);
}

static void seed_eager(void *p) { seed_eager_impl(p, 0); }
static void seed_pooled(void *p) { seed_eager_impl(p, 1); }

/* Fused seed step (the floor).  Keeps every state that is observable at an
 * API boundary (y after the forward, temp.grad == 1/n after backward(),
 * temp.grad == 0 after zero_()), but no temporaries and no extra passes:
 *   forward+mean : y = sum(x + temp + 2) / n      (one pass, read 2n)
 *   backward     : temp.grad += 1/n               (one pass, read n, write n;
 *                  the gradient of mean is a constant, so it is never
 *                  materialised; the AddBackwards are identities)
 *   zero_()      : temp.grad = 0                  (one pass, write n)
 * = 3 passes, 3n reads + 2n writes, no allocation. */
static void seed_fused(void *p) {
    state_t *s = p;
    size_t n = s->n;
    float y = op_mean3(s->x, s->temp, 2.0f, n);
    g_sink = y;
    op_add_scalar_inplace(s->grad, 1.0f / (float)n, n);
    CLOBBER(s->grad);
    op_zero(s->grad, n);
    CLOBBER(s->grad);
}

static void add_out(void *p) {
    state_t *s = p;
    op_add(s->a, s->b, s->c, s->n);
    CLOBBER(s->c);
}

static void add_alloc(void *p) {
    state_t *s = p;
    float *c = falloc(s->n);
    op_add(s->a, s->b, c, s->n);
    CLOBBER(c);
    free(c);
}

static void mean_wl(void *p) {
    state_t *s = p;
    g_sink = op_mean(s->a, s->n);
}

/* ------------------------------------------------ the fusion chain (issue #10) */

/* chain: y = ((a * b + c).relu() * d).sum() with a, b the W2 operands, c the
 * math input m (values in [-4, 4): relu cuts about half) and d = a.
 * system "c":       eager, pass for pass as PyTorch runs it, temporaries
 *                   preallocated (a perfect caching allocator):
 *                   t1 = a*b, t2 = t1+c, t1 = relu(t2), t2 = t1*d, sum(t2)
 *                   = 5 passes, 8n reads + 4n writes.
 * system "c_fused": one pass, blocks of 1024 computed into an L1 buffer and
 *                   summed from there: 4n reads, no writes (the floor). */
typedef struct {
    const float *a, *b, *c, *d;
    float *out;
} chain_t;

static void k_mul(void *c, size_t lo, size_t hi, int tid) {
    (void)tid;
    args_t *g = c;
    const float *restrict a = g->a, *restrict b = g->b;
    float *restrict o = g->out;
    for (size_t i = lo; i < hi; i++) o[i] = a[i] * b[i];
}

static void k_relu_pass(void *c, size_t lo, size_t hi, int tid) {
    (void)tid;
    args_t *g = c;
    const float *restrict a = g->a;
    float *restrict o = g->out;
    for (size_t i = lo; i < hi; i++) o[i] = a[i] < 0.0f ? 0.0f : a[i];
}

static void k_chain_sum(void *p, size_t lo, size_t hi, int tid) {
    chain_t *g = p;
    float buf[1024] __attribute__((aligned(64)));
    float total = 0.0f;
    for (size_t i = lo; i < hi; i += 1024) {
        size_t len = hi - i < 1024 ? hi - i : 1024;
        const float *restrict a = g->a + i, *restrict b = g->b + i, *restrict c = g->c + i, *restrict d = g->d + i;
        for (size_t j = 0; j < len; j++) {
            float v = a[j] * b[j] + c[j];
            buf[j] = (v < 0.0f ? 0.0f : v) * d[j];
        }
        total += sum_leaf(buf, len);
    }
    g_partial[tid].v = total;
}

static void chain_eager(void *p) {
    state_t *s = p;
    size_t n = s->n;
    args_t g1 = {.a = s->a, .b = s->b, .out = s->t1};
    par_for(n, k_mul, &g1);
    op_add(s->t1, s->m, s->t2, n);
    args_t g3 = {.a = s->t2, .out = s->t1};
    par_for(n, k_relu_pass, &g3);
    args_t g4 = {.a = s->t1, .b = s->a, .out = s->t2};
    par_for(n, k_mul, &g4);
    g_sink = op_mean(s->t2, n) * (float)n;
}

static void chain_fused(void *p) {
    state_t *s = p;
    size_t n = s->n;
    chain_t g = {.a = s->a, .b = s->b, .c = s->m, .d = s->a};
    int nt = (g_threads <= 1 || n < g_grain) ? 1 : g_threads;
    for (int t = 0; t < nt; t++) g_partial[t].v = 0.0f;
    par_for(n, k_chain_sum, &g);
    float sum = 0.0f;
    for (int t = 0; t < nt; t++) sum += g_partial[t].v;
    g_sink = sum;
}

/* ------------------------------------------------ strided workloads */

#define TILE 32 /* edge of the tiles of the portable tadd_blocked (a 4 KiB buffer) */

typedef struct {
    const float *a, *b;
    float *out;
    size_t rows, cols; /* of out */
} mat_t;

typedef void (*rows_fn)(const mat_t *g, size_t lo, size_t hi);

/* Runs f over the rows [0, rows) of the result: serially below the grain size (counted in
 * elements, as par_for), else one OpenMP parallel region with one contiguous block of rows per
 * thread (what "#pragma omp parallel for schedule(static)" over the rows does, without entering
 * OpenMP at all for small tensors). */
static void par_rows(const mat_t *g, rows_fn f) {
    if (g_threads <= 1 || g->rows * g->cols < g_grain) {
        f(g, 0, g->rows);
        return;
    }
#pragma omp parallel
    {
        size_t nt = (size_t)omp_get_num_threads(), tid = (size_t)omp_get_thread_num();
        size_t per = (g->rows + nt - 1) / nt;
        size_t lo = tid * per < g->rows ? tid * per : g->rows;
        size_t hi = lo + per < g->rows ? lo + per : g->rows;
        f(g, lo, hi);
    }
}

/* out = a.t() + b, a of shape (cols, rows): the natural loop, rows [lo, hi). From one j to the
 * next the reads of a jump by a whole row of a (rows floats). */
static void k_tadd(const mat_t *g, size_t lo, size_t hi) {
    const float *restrict a = g->a, *restrict b = g->b;
    float *restrict out = g->out;
    const size_t rows = g->rows, cols = g->cols;
    for (size_t i = lo; i < hi; i++)
        for (size_t j = 0; j < cols; j++) out[i * cols + j] = a[j * rows + i] + b[i * cols + j];
}

#if defined(__AVX__)
/* The natural loop over a rectangle of the result (what the blocks below do not cover). */
static void tadd_rect(const mat_t *g, size_t i0, size_t i1, size_t j0, size_t j1) {
    const float *restrict a = g->a, *restrict b = g->b;
    float *restrict out = g->out;
    const size_t rows = g->rows, cols = g->cols;
    for (size_t i = i0; i < i1; i++)
        for (size_t j = j0; j < j1; j++) out[i * cols + j] = a[j * rows + i] + b[i * cols + j];
}

/* In-register transpose of 8 rows of 8 floats. */
static inline void transpose8(__m256 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/* out[i..i+8][j..j+8] = a[j..j+8][i..i+8]^T + b[i..i+8][j..j+8] */
static inline void tadd_block8(const mat_t *g, size_t i, size_t j) {
    __m256 r[8];
    for (size_t k = 0; k < 8; k++) r[k] = _mm256_loadu_ps(g->a + (j + k) * g->rows + i);
    transpose8(r);
    for (size_t k = 0; k < 8; k++) {
        float *o = g->out + (i + k) * g->cols + j;
        _mm256_storeu_ps(o, _mm256_add_ps(r[k], _mm256_loadu_ps(g->b + (i + k) * g->cols + j)));
    }
}

/* Same result, blocked (system c_blocked): 8x8 blocks transposed in registers, taken 16 output
 * rows at a time so that every cache line of a that is loaded (16 floats of one row of a) is used
 * whole at once; whatever the blocks do not cover runs the natural loop. */
static void k_tadd_blocked(const mat_t *g, size_t lo, size_t hi) {
    const size_t cols8 = g->cols & ~(size_t)7;
    size_t i = lo;
    for (; i + 16 <= hi; i += 16)
        for (size_t j = 0; j < cols8; j += 8) {
            tadd_block8(g, i, j);
            tadd_block8(g, i + 8, j);
        }
    for (; i + 8 <= hi; i += 8)
        for (size_t j = 0; j < cols8; j += 8) tadd_block8(g, i, j);
    tadd_rect(g, i, hi, 0, g->cols);
    tadd_rect(g, lo, i, cols8, g->cols);
}
#else
/* Same result, blocked (system c_blocked), without AVX: per TILE x TILE tile, the tile of a is
 * read row by row (contiguously) and transposed into a buffer that stays in L1, then the output
 * rows are written with contiguous (vectorised) loops. */
static void k_tadd_blocked(const mat_t *g, size_t lo, size_t hi) {
    const float *restrict a = g->a, *restrict b = g->b;
    float *restrict out = g->out;
    const size_t rows = g->rows, cols = g->cols;
    float buf[TILE * TILE] __attribute__((aligned(ALIGN)));
    for (size_t ib = lo; ib < hi; ib += TILE) {
        size_t ie = ib + TILE < hi ? ib + TILE : hi;
        for (size_t jb = 0; jb < cols; jb += TILE) {
            size_t je = jb + TILE < cols ? jb + TILE : cols;
            for (size_t j = jb; j < je; j++)
                for (size_t i = ib; i < ie; i++) buf[(i - ib) * TILE + (j - jb)] = a[j * rows + i];
            for (size_t i = ib; i < ie; i++) {
                const float *restrict t = buf + (i - ib) * TILE - jb;
                for (size_t j = jb; j < je; j++) out[i * cols + j] = t[j] + b[i * cols + j];
            }
        }
    }
}
#endif

/* out = a.expand(rows, cols) + b, a of shape (1, cols): the natural loop, rows [lo, hi). */
static void k_expadd(const mat_t *g, size_t lo, size_t hi) {
    const float *restrict a = g->a, *restrict b = g->b;
    float *restrict out = g->out;
    const size_t cols = g->cols;
    for (size_t i = lo; i < hi; i++)
        for (size_t j = 0; j < cols; j++) out[i * cols + j] = a[j] + b[i * cols + j];
}

static void op_rows(rows_fn f, const float *a, const float *b, float *out, size_t rows,
                    size_t cols) {
    mat_t g = {.a = a, .b = b, .out = out, .rows = rows, .cols = cols};
    par_rows(&g, f);
}

static void tadd_wl(void *p) {
    state_t *s = p;
    float *c = falloc(s->n);
    op_rows(k_tadd, s->a, s->b, c, s->rows, s->cols);
    CLOBBER(c);
    free(c);
}

static void tadd_blocked_wl(void *p) {
    state_t *s = p;
    float *c = falloc(s->n);
    op_rows(k_tadd_blocked, s->a, s->b, c, s->rows, s->cols);
    CLOBBER(c);
    free(c);
}

static void expadd_wl(void *p) {
    state_t *s = p;
    float *c = falloc(s->n);
    op_rows(k_expadd, s->row, s->b, c, s->rows, s->cols);
    CLOBBER(c);
    free(c);
}

/* ------------------------------------------- math workloads (issue #7) */

/* Input of the math workloads, element i (row-major): ((i * 2654435761) mod 2^32) / 2^32 * 8 - 4
 * in double, rounded to float: values in [-4, 4) along a Weyl sequence (no short period, so half
 * of relu's inputs are negative in no simple pattern and libm's range branches are not trivially
 * predicted).  PyTorch (bench.py) and the JMH suite (MathBench.value) compute the same floats. */
static inline float math_value(size_t i) {
    uint64_t h = ((uint64_t)i * 2654435761u) & 0xFFFFFFFFu;
    return (float)((double)h / 4294967296.0 * 8.0 - 4.0);
}

/* out[i] = expr(x = a[i]) over [lo, hi), the natural loop (libm calls stay scalar: gcc only
 * calls glibc's vector variants under -ffast-math). */
#define UNARY_KERNEL(name, expr)                                            \
    static void name(void *c, size_t lo, size_t hi, int tid) {              \
        (void)tid;                                                          \
        args_t *g = c;                                                      \
        const float *restrict a = g->a;                                     \
        float *restrict o = g->out;                                         \
        for (size_t i = lo; i < hi; i++) {                                  \
            const float x = a[i];                                           \
            o[i] = (expr);                                                  \
        }                                                                   \
    }

UNARY_KERNEL(k_exp, expf(x))
UNARY_KERNEL(k_tanh, tanhf(x))
UNARY_KERNEL(k_sigmoid, 1.0f / (1.0f + expf(-x)))
UNARY_KERNEL(k_relu, x < 0.0f ? 0.0f : x) /* NaN < 0 is false: relu(NaN) = NaN, as PyTorch */
UNARY_KERNEL(k_gelu, x * 0.5f * (1.0f + erff(x * (float)M_SQRT1_2)))

static void unary_alloc(state_t *s, range_fn k) {
    float *c = falloc(s->n);
    args_t g = {.a = s->m, .out = c};
    par_for(s->n, k, &g);
    CLOBBER(c);
    free(c);
}

static void exp_wl(void *p) { unary_alloc(p, k_exp); }
static void tanh_wl(void *p) { unary_alloc(p, k_tanh); }
static void sigmoid_wl(void *p) { unary_alloc(p, k_sigmoid); }
static void relu_wl(void *p) { unary_alloc(p, k_relu); }
static void gelu_wl(void *p) { unary_alloc(p, k_gelu); }

typedef int32_t vi __attribute__((vector_size(VW * sizeof(int32_t))));

/* max(a[0..n)): VW lane maxima by compare and select (vectorised without -ffast-math), then the
 * lanes and the tail. */
static float max_row(const float *a, size_t n) {
    float m = -INFINITY;
    size_t i = 0;
    if (n >= VW) {
        vf acc = vload(a);
        for (i = VW; i + VW <= n; i += VW) {
            vf v = vload(a + i);
            vi gt = v > acc;
            acc = (vf)((gt & (vi)v) | (~gt & (vi)acc));
        }
        float l[VW];
        memcpy(l, &acc, sizeof acc);
        for (int k = 0; k < VW; k++)
            if (l[k] > m) m = l[k];
    }
    for (; i < n; i++)
        if (a[i] > m) m = a[i];
    return m;
}

/* y = softmax(x, dim=-1) for the rows [lo, hi), four passes per row as PyTorch's
 * _vec_softmax_lastdim: max, y = exp(x - max), sum (pairwise, vector accumulators), y *= 1/sum. */
static void k_softmax(const mat_t *g, size_t lo, size_t hi) {
    const size_t cols = g->cols;
    for (size_t i = lo; i < hi; i++) {
        const float *restrict x = g->a + i * cols;
        float *restrict y = g->out + i * cols;
        const float m = max_row(x, cols);
        for (size_t j = 0; j < cols; j++) y[j] = expf(x[j] - m);
        const float r = 1.0f / sum_pairwise(y, cols);
        for (size_t j = 0; j < cols; j++) y[j] *= r;
    }
}

static void softmax_wl(void *p) {
    state_t *s = p;
    float *c = falloc(s->n);
    op_rows(k_softmax, s->m, NULL, c, s->rows, s->cols);
    CLOBBER(c);
    free(c);
}

/* --------------------------------------------------------- correctness */

static int check_close(const char *what, double got, double want, double rtol) {
    double err = fabs(got - want);
    if (err > rtol * fabs(want) + 1e-30) {
        fprintf(stderr, "bench: CHECK FAILED %s: got %.9g want %.9g\n", what, got, want);
        return 1;
    }
    return 0;
}

/* Runs every workload once on the given state and verifies the results. */
static int self_check(state_t *s, const char *size) {
    size_t n = s->n;
    int bad = 0;
    char what[128];
    /* seed step, eager and fused: y == 3, grad == 1/n after backward, 0 after */
    float y = op_mean3(s->x, s->temp, 2.0f, n);
    snprintf(what, sizeof what, "fused mean %s", size);
    bad |= check_close(what, y, 3.0, 1e-6);
    seed_eager(s);
    snprintf(what, sizeof what, "eager seed y %s", size);
    bad |= check_close(what, g_sink, 3.0, 1e-6);
    seed_pooled(s);
    snprintf(what, sizeof what, "pooled seed y %s", size);
    bad |= check_close(what, g_sink, 3.0, 1e-6);
    seed_fused(s);
    snprintf(what, sizeof what, "fused seed y %s", size);
    bad |= check_close(what, g_sink, 3.0, 1e-6);
    for (size_t i = 0; i < n; i++)
        if (s->grad[i] != 0.0f) {
            fprintf(stderr, "bench: CHECK FAILED grad not zeroed at %zu (%s)\n", i, size);
            bad = 1;
            break;
        }
    { /* backward half alone, both flavours */
        float *g = falloc(n);
        op_fill(g, 1.0f / (float)n, n);
        op_accumulate(s->grad, g, n);
        free(g);
        op_add_scalar_inplace(s->grad, 1.0f / (float)n, n);
        for (size_t i = 0; i < n; i++)
            if (s->grad[i] != 2.0f / (float)n) {
                fprintf(stderr, "bench: CHECK FAILED grad %zu = %g (%s)\n", i, s->grad[i], size);
                bad = 1;
                break;
            }
        op_zero(s->grad, n);
    }
    /* add */
    add_out(s);
    for (size_t i = 0; i < n; i++)
        if (s->c[i] != s->a[i] + s->b[i]) {
            fprintf(stderr, "bench: CHECK FAILED add at %zu (%s)\n", i, size);
            bad = 1;
            break;
        }
    /* mean against a double-precision reference */
    double ref = 0.0;
    for (size_t i = 0; i < n; i++) ref += s->a[i];
    ref /= (double)n;
    snprintf(what, sizeof what, "mean %s", size);
    bad |= check_close(what, op_mean(s->a, n), ref, 1e-5);
    return bad;
}

/* Runs the strided kernels once into s->c and verifies every element exactly. */
static int strided_check(state_t *s, const char *size) {
    size_t R = s->rows, C = s->cols;
    int bad = 0;
    for (int v = 0; v < 3 && !bad; v++) {
        const char *name = v == 0 ? "tadd" : v == 1 ? "tadd blocked" : "expadd";
        for (size_t i = 0; i < R * C; i++) s->c[i] = NAN;
        if (v == 0) op_rows(k_tadd, s->a, s->b, s->c, R, C);
        else if (v == 1) op_rows(k_tadd_blocked, s->a, s->b, s->c, R, C);
        else op_rows(k_expadd, s->row, s->b, s->c, R, C);
        for (size_t i = 0; i < R && !bad; i++)
            for (size_t j = 0; j < C; j++) {
                float want = (v < 2 ? s->a[j * R + i] : s->row[j]) + s->b[i * C + j];
                if (s->c[i * C + j] != want) {
                    fprintf(stderr, "bench: CHECK FAILED %s at (%zu, %zu) (%s): got %g want %g\n",
                            name, i, j, size, s->c[i * C + j], want);
                    bad = 1;
                    break;
                }
            }
    }
    return bad;
}


/* Runs each math kernel once into s->c and checks every element against a double-precision
 * reference: |got - want| <= rtol |want| + atol (gelu's atol covers the cancellation in
 * 1 + erf(x) for x near -4, which PyTorch's float kernel has too); softmax rows also sum to 1. */
static int math_check(state_t *s, const char *size) {
    static const struct {
        const char *name;
        range_fn k;
        double rtol, atol;
    } U[] = {
        {"exp", k_exp, 1e-6, 0.0},         {"tanh", k_tanh, 1e-6, 1e-7},
        {"sigmoid", k_sigmoid, 1e-6, 0.0}, {"relu", k_relu, 0.0, 0.0},
        {"gelu", k_gelu, 1e-5, 1e-6},
    };
    const size_t n = s->n, R = s->rows, C = s->cols;
    for (size_t u = 0; u < sizeof U / sizeof *U; u++) {
        for (size_t i = 0; i < n; i++) s->c[i] = NAN;
        args_t g = {.a = s->m, .out = s->c};
        par_for(n, U[u].k, &g);
        for (size_t i = 0; i < n; i++) {
            const double x = s->m[i];
            double want;
            switch (u) {
            case 0: want = exp(x); break;
            case 1: want = tanh(x); break;
            case 2: want = 1.0 / (1.0 + exp(-x)); break;
            case 3: want = x < 0.0 ? 0.0 : x; break;
            default: want = x * 0.5 * (1.0 + erf(x * M_SQRT1_2)); break;
            }
            const double got = s->c[i];
            if (!(fabs(got - want) <= U[u].rtol * fabs(want) + U[u].atol)) {
                fprintf(stderr, "bench: CHECK FAILED %s at %zu (%s): x %.9g got %.9g want %.9g\n",
                        U[u].name, i, size, x, got, want);
                return 1;
            }
        }
    }
    for (size_t i = 0; i < n; i++) s->c[i] = NAN;
    op_rows(k_softmax, s->m, NULL, s->c, R, C);
    for (size_t i = 0; i < R; i++) {
        const float *x = s->m + i * C, *y = s->c + i * C;
        double m = -INFINITY, sum = 0.0, ysum = 0.0;
        for (size_t j = 0; j < C; j++) m = x[j] > m ? x[j] : m;
        for (size_t j = 0; j < C; j++) sum += exp((double)x[j] - m);
        for (size_t j = 0; j < C; j++) {
            const double want = exp((double)x[j] - m) / sum;
            ysum += y[j];
            if (!(fabs(y[j] - want) <= 1e-5 * want)) {
                fprintf(stderr, "bench: CHECK FAILED softmax at (%zu, %zu) (%s): got %.9g want %.9g\n",
                        i, j, size, y[j], want);
                return 1;
            }
        }
        if (!(fabs(ysum - 1.0) <= 1e-5)) {
            fprintf(stderr, "bench: CHECK FAILED softmax row %zu sums to %.9g (%s)\n", i, ysum, size);
            return 1;
        }
    }
    return 0;
}

/* --------------------------------------------------------- timing */

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double quantile(const double *sorted, size_t m, double q) {
    if (m == 0) return NAN;
    double pos = q * (double)(m - 1);
    size_t i = (size_t)pos;
    if (i + 1 >= m) return sorted[m - 1];
    double f = pos - (double)i;
    return sorted[i] * (1.0 - f) + sorted[i + 1] * f;
}

#define MIN_BATCHES 5
#define TARGET_BATCHES 30
#define MAX_BATCHES 100000

typedef void (*iter_fn)(void *);

static void run_case(const char *system, const char *workload, const char *size,
                     iter_fn f, void *ctx) {
    /* warm-up */
    double t0 = now_s();
    do f(ctx);
    while (now_s() - t0 < g_warmup);

    /* calibrate: iterations per batch so that a batch lasts ~budget/30 */
    double target = g_budget / TARGET_BATCHES;
    if (target < 20e-6) target = 20e-6;
    long k = 1;
    for (;;) {
        double b0 = now_s();
        for (long i = 0; i < k; i++) f(ctx);
        double dt = now_s() - b0;
        if (dt >= target || k >= (1L << 40)) break;
        long next = dt > 0 ? (long)(k * 1.2 * target / dt) : k * 10;
        if (next <= k) next = k + 1;
        if (next > k * 10) next = k * 10;
        k = next;
    }

    static double per_iter[MAX_BATCHES];
    size_t m = 0;
    long total = 0;
    double start = now_s();
    while (m < MAX_BATCHES) {
        double b0 = now_s();
        for (long i = 0; i < k; i++) f(ctx);
        double b1 = now_s();
        per_iter[m++] = (b1 - b0) * 1e9 / (double)k;
        total += k;
        if (m >= MIN_BATCHES && b1 - start >= g_budget) break;
    }
    qsort(per_iter, m, sizeof(double), cmp_double);
    printf("%s,%s,%s,%d,%.1f,%.1f,%.1f,%ld\n", system, workload, size, g_threads,
           quantile(per_iter, m, 0.5), quantile(per_iter, m, 0.1),
           quantile(per_iter, m, 0.9), total);
    fflush(stdout);
}

/* --------------------------------------------------------- main */

static const struct {
    const char *name;
    size_t rows, cols;
} SIZES[] = {
    {"S1", 2, 2}, {"S2", 32, 32}, {"S3", 256, 256}, {"S4", 1024, 1024}, {"S5", 4096, 4096},
    {"S6", 8192, 8192}, /* 64M elements: the many-core runs (issue #10) */
};
static const char *WORKLOADS[] = {"seed_step", "add_alloc", "add_out", "mean", "tadd", "expadd",
                                  "exp",       "tanh",      "sigmoid", "relu", "gelu", "softmax",
                                  "chain"};
#define FIRST_MATH_WORKLOAD 6 /* WORKLOADS[6..11]: issue #7's math workloads */
#define END_MATH_WORKLOAD 12

static int in_list(const char *list, const char *name) {
    if (list == NULL) return 1;
    size_t len = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == len && strncmp(p, name, len) == 0) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

static void usage(void) {
    fprintf(stderr,
            "usage: bench [--threads N] [--budget SEC] [--warmup SEC] [--grain N]\n"
            "             [--sizes S1,S2,...]\n"
            "             [--workloads seed_step,add_alloc,add_out,mean,tadd,expadd,\n"
            "                          exp,tanh,sigmoid,relu,gelu,softmax]\n"
            "             [--no-header] [--check-only]\n");
    exit(2);
}

static void fill_state(void *ctx, size_t lo, size_t hi, int tid) {
    (void)tid;
    state_t *s = ctx;
    for (size_t i = lo; i < hi; i++) { /* first touch with the kernels' partition */
        s->x[i] = 1.0f;
        s->temp[i] = 0.0f;
        s->grad[i] = 0.0f;
        s->a[i] = (float)(i % 17) * 0.25f - 1.5f;
        s->b[i] = (float)(i % 5) * 0.5f + 0.125f;
        s->c[i] = 0.0f;
        if (i < s->cols) s->row[i] = (float)(i % 7) * 0.75f - 2.0f;
        s->m[i] = math_value(i);
        s->t1[i] = 0.0f;
        s->t2[i] = 0.0f;
        s->g[i] = 0.0f;
    }
}

int main(int argc, char **argv) {
    const char *sizes = NULL, *workloads = NULL;
    int header = 1, check_only = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (!strcmp(a, "--threads") && v) g_threads = atoi(v), i++;
        else if (!strcmp(a, "--budget") && v) g_budget = atof(v), i++;
        else if (!strcmp(a, "--warmup") && v) g_warmup = atof(v), i++;
        else if (!strcmp(a, "--grain") && v) g_grain = (size_t)strtoull(v, NULL, 10), i++;
        else if (!strcmp(a, "--sizes") && v) sizes = v, i++;
        else if (!strcmp(a, "--workloads") && v) workloads = v, i++;
        else if (!strcmp(a, "--no-header")) header = 0;
        else if (!strcmp(a, "--check-only")) check_only = 1;
        else usage();
    }
    if (g_threads < 1 || g_threads > 256) die("--threads must be in 1..256");
    if (!(g_budget > 0)) die("--budget must be > 0");
    if (sizes)
        for (const char *p = sizes; *p;) { /* reject unknown size names */
            int ok = 0;
            for (size_t s = 0; s < sizeof SIZES / sizeof *SIZES; s++) {
                size_t l = strlen(SIZES[s].name);
                if (!strncmp(p, SIZES[s].name, l) && (p[l] == ',' || p[l] == 0)) ok = 1;
            }
            if (!ok) die("unknown size in --sizes (expected S1..S6)");
            const char *e = strchr(p, ',');
            if (!e) break;
            p = e + 1;
        }
    if (workloads)
        for (const char *p = workloads; *p;) {
            int ok = 0;
            for (size_t w = 0; w < sizeof WORKLOADS / sizeof *WORKLOADS; w++) {
                size_t l = strlen(WORKLOADS[w]);
                if (!strncmp(p, WORKLOADS[w], l) && (p[l] == ',' || p[l] == 0)) ok = 1;
            }
            if (!ok) die("unknown workload in --workloads");
            const char *e = strchr(p, ',');
            if (!e) break;
            p = e + 1;
        }
    omp_set_num_threads(g_threads);

    if (header && !check_only) {
        printf("# native C baseline (systems c, c_malloc, c_fused, c_blocked) threads=%d omp_max_threads=%d grain=%zu budget_s=%g warmup_s=%g "
               "vector_width_floats=%d compiler=gcc-%s\n",
               g_threads, omp_get_max_threads(), g_grain, g_budget, g_warmup, VW, __VERSION__);
        printf("system,workload,size,threads,median_ns,p10_ns,p90_ns,iterations\n");
        fflush(stdout);
    }

    int bad = 0;
    for (size_t si = 0; si < sizeof SIZES / sizeof *SIZES; si++) {
        if (!in_list(sizes, SIZES[si].name)) continue;
        const char *sz = SIZES[si].name;
        state_t s = {.n = SIZES[si].rows * SIZES[si].cols, .rows = SIZES[si].rows,
                     .cols = SIZES[si].cols};
        s.x = falloc_persistent(s.n);
        s.temp = falloc_persistent(s.n);
        s.grad = falloc_persistent(s.n);
        s.a = falloc_persistent(s.n);
        s.b = falloc_persistent(s.n);
        s.c = falloc_persistent(s.n);
        s.row = falloc_persistent(s.cols);
        s.m = falloc_persistent(s.n);
        s.t1 = falloc_persistent(s.n);
        s.t2 = falloc_persistent(s.n);
        s.g = falloc_persistent(s.n);
        par_for(s.n, fill_state, &s);

        int strided = in_list(workloads, "tadd") || in_list(workloads, "expadd");
        int math = 0;
        for (size_t w = FIRST_MATH_WORKLOAD; w < END_MATH_WORKLOAD; w++)
            math |= in_list(workloads, WORKLOADS[w]);
        if (self_check(&s, sz) || (strided && strided_check(&s, sz)) ||
            (math && math_check(&s, sz))) {
            bad = 1;
        } else if (!check_only) {
            if (in_list(workloads, "seed_step")) {
                run_case("c", "seed_step", sz, seed_pooled, &s);
                run_case("c_malloc", "seed_step", sz, seed_eager, &s);
                run_case("c_fused", "seed_step", sz, seed_fused, &s);
            }
            if (in_list(workloads, "add_alloc")) run_case("c", "add_alloc", sz, add_alloc, &s);
            if (in_list(workloads, "add_out")) run_case("c", "add_out", sz, add_out, &s);
            if (in_list(workloads, "mean")) run_case("c", "mean", sz, mean_wl, &s);
            if (workloads && in_list(workloads, "chain")) { /* only when asked for by name */
                chain_eager(&s);
                float eager = g_sink;
                chain_fused(&s);
                if (fabsf(eager - g_sink) > 1e-3f * (fabsf(eager) + 1.0f) * 64)
                    fprintf(stderr, "bench: chain check failed at %s: eager %g, fused %g\n", sz, eager, g_sink), bad = 1;
                run_case("c", "chain", sz, chain_eager, &s);
                run_case("c_fused", "chain", sz, chain_fused, &s);
            }
            if (in_list(workloads, "tadd")) {
                run_case("c", "tadd", sz, tadd_wl, &s);
                run_case("c_blocked", "tadd", sz, tadd_blocked_wl, &s);
            }
            if (in_list(workloads, "expadd")) run_case("c", "expadd", sz, expadd_wl, &s);
            static const struct {
                const char *name;
                iter_fn f;
            } M[] = {{"exp", exp_wl},   {"tanh", tanh_wl}, {"sigmoid", sigmoid_wl},
                     {"relu", relu_wl}, {"gelu", gelu_wl}, {"softmax", softmax_wl}};
            for (size_t w = 0; w < sizeof M / sizeof *M; w++)
                if (in_list(workloads, M[w].name)) run_case("c", M[w].name, sz, M[w].f, &s);
        }
        free(s.x);
        free(s.temp);
        free(s.grad);
        free(s.a);
        free(s.b);
        free(s.c);
        free(s.row);
        free(s.m);
        free(s.t1);
        free(s.t2);
        free(s.g);
    }
    if (bad) {
        fprintf(stderr, "bench: correctness check failed\n");
        return 1;
    }
    if (check_only) fprintf(stderr, "bench: correctness checks passed\n");
    return 0;
}
