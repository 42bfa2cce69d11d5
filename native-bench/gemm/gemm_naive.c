/*
 * GEMM baseline: the natural C loop nests (gcc -O3 -march=native -fopenmp), no
 * blocking, no packing -- what a C programmer writes without a BLAS.
 *
 *   nn  C = A B,   A m x k, B k x n (row-major)     i-k-j: the inner j loop streams
 *                                                   a row of B into a row of C (vectorised)
 *   tn  C = A^T B, A stored k x m                   the same i-k-j nest, A read down a column
 *   nt  C = A B^T, B stored n x k                   i-j-k dot products, both rows contiguous
 *                                                   (omp simd reduction: vectorised)
 *
 * Threads: --threads T, "#pragma omp parallel for schedule(static)" over the rows of C
 * (only when 2 m n k >= 2^18 flops, as vectorgrad's split threshold).
 *
 * Output: CSV on stdout (header first unless --no-header)
 *   system,form,shape,threads,dtype,median_ns,p10_ns,p90_ns,iterations,gflops
 * gflops = 2 m n k / median.  Shapes: "n" (square) or "MxKxN".  Timing as
 * native-bench/c/bench.c: warm-up --warmup s, batches of about budget/20, repeated
 * until --budget s (at least 5 batches); median/p10/p90 over batches.  Before
 * timing, each case is checked against a double-precision reference on a few rows.
 *
 *   make -C native-bench/gemm && native-bench/build/gemm_naive --threads 1 --shapes 64,256
 */
#define _GNU_SOURCE
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float *alloc_floats(size_t n) {
  size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
  size_t align = bytes >= (2u << 20) ? (2u << 20) : 64;
  void *p = NULL;
  if (posix_memalign(&p, align, bytes) != 0) {
    perror("posix_memalign");
    exit(1);
  }
  if (bytes >= (2u << 20)) madvise(p, bytes, MADV_HUGEPAGE);   /* as vectorgrad's and numpy's large blocks */
  return p;
}

typedef struct { int m, k, n; } shape_t;

/* C = A B, i-k-j. A(i,p) = a[i*ars + p*acs]. */
static void gemm_ikj(int m, int n, int k, const float *restrict a, long ars, long acs,
                     const float *restrict b, float *restrict c, int threads) {
#pragma omp parallel for schedule(static) if (threads > 1)
  for (int i = 0; i < m; i++) {
    float *restrict ci = c + (long) i * n;
    for (int j = 0; j < n; j++) ci[j] = 0;
    for (int p = 0; p < k; p++) {
      float x = a[i * ars + p * acs];
      const float *restrict bp = b + (long) p * n;
      for (int j = 0; j < n; j++) ci[j] += x * bp[j];
    }
  }
}

/* C = A W^T, W stored n x k: i-j-k dot products. */
static void gemm_dot(int m, int n, int k, const float *restrict a, const float *restrict w,
                     float *restrict c, int threads) {
#pragma omp parallel for schedule(static) if (threads > 1)
  for (int i = 0; i < m; i++) {
    const float *restrict ai = a + (long) i * k;
    for (int j = 0; j < n; j++) {
      const float *restrict wj = w + (long) j * k;
      float s = 0;
#pragma omp simd reduction(+ : s)
      for (int p = 0; p < k; p++) s += ai[p] * wj[p];
      c[(long) i * n + j] = s;
    }
  }
}

static void run(const char *form, shape_t s, const float *a, const float *b, float *c, int threads) {
  int par = threads > 1 && 2.0 * s.m * s.n * s.k >= (double) (1 << 18);
  if (!strcmp(form, "nn")) gemm_ikj(s.m, s.n, s.k, a, s.k, 1, b, c, par ? threads : 1);
  else if (!strcmp(form, "tn")) gemm_ikj(s.m, s.n, s.k, a, 1, s.m, b, c, par ? threads : 1);
  else gemm_dot(s.m, s.n, s.k, a, b, c, par ? threads : 1);
  __asm__ volatile("" ::: "memory");
}

/* A(i,p) and B(p,j) of the form's storage. */
static double a_at(const char *form, shape_t s, const float *a, int i, int p) {
  return !strcmp(form, "tn") ? a[(long) p * s.m + i] : a[(long) i * s.k + p];
}
static double b_at(const char *form, shape_t s, const float *b, int p, int j) {
  return !strcmp(form, "nt") ? b[(long) j * s.k + p] : b[(long) p * s.n + j];
}

static int check(const char *form, shape_t s, const float *a, const float *b, const float *c) {
  for (int i = 0; i < s.m; i += (s.m > 7 ? s.m / 7 : 1)) {
    for (int j = 0; j < s.n; j++) {
      double ref = 0, mag = 0;
      for (int p = 0; p < s.k; p++) {
        double t = a_at(form, s, a, i, p) * b_at(form, s, b, p, j);
        ref += t;
        mag += fabs(t);
      }
      if (fabs(c[(long) i * s.n + j] - ref) > 4e-7 * (s.k + 2) * mag + 1e-30) {
        fprintf(stderr, "check failed: %s %dx%dx%d C[%d,%d] = %g, expected %g\n", form, s.m, s.k, s.n, i, j,
                c[(long) i * s.n + j], ref);
        return 0;
      }
    }
  }
  return 1;
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *) x, b = *(const double *) y;
  return a < b ? -1 : a > b;
}

int main(int argc, char **argv) {
  const char *shapes = "64,256,512,1024,2048,256x784x128,64x784x256,64x256x10";
  const char *forms = "nn,tn,nt";
  int threads = 1, header = 1;
  double budget = 0.3, warmup = 0.05;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--shapes") && i + 1 < argc) shapes = argv[++i];
    else if (!strcmp(argv[i], "--forms") && i + 1 < argc) forms = argv[++i];
    else if (!strcmp(argv[i], "--budget") && i + 1 < argc) budget = atof(argv[++i]);
    else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atof(argv[++i]);
    else if (!strcmp(argv[i], "--no-header")) header = 0;
    else {
      fprintf(stderr, "usage: %s [--threads T] [--shapes 64,256,256x784x128] [--forms nn,tn,nt] "
                      "[--budget S] [--warmup S] [--no-header]\n", argv[0]);
      return 2;
    }
  }
  omp_set_num_threads(threads);
  if (header) {
    printf("# gemm_naive: gcc -O3 -march=native -fopenmp loop nests; threads=%d budget=%.3f\n", threads, budget);
    printf("system,form,shape,threads,dtype,median_ns,p10_ns,p90_ns,iterations,gflops\n");
  }
  char *shape_list = strdup(shapes), *shape_save = NULL;
  for (char *tok = strtok_r(shape_list, ",", &shape_save); tok; tok = strtok_r(NULL, ",", &shape_save)) {
    shape_t s;
    if (sscanf(tok, "%dx%dx%d", &s.m, &s.k, &s.n) != 3) s.m = s.k = s.n = atoi(tok);
    float *a = alloc_floats((size_t) s.m * s.k), *b = alloc_floats((size_t) s.k * s.n), *c = alloc_floats((size_t) s.m * s.n);
    uint64_t x = 42;
    for (size_t i = 0; i < (size_t) s.m * s.k; i++) { x = x * 6364136223846793005ULL + 1; a[i] = (float) ((x >> 40) / 16777216.0 - 0.5); }
    for (size_t i = 0; i < (size_t) s.k * s.n; i++) { x = x * 6364136223846793005ULL + 1; b[i] = (float) ((x >> 40) / 16777216.0 - 0.5); }
    char *form_list = strdup(forms), *save = NULL;
    for (char *form = strtok_r(form_list, ",", &save); form; form = strtok_r(NULL, ",", &save)) {
      run(form, s, a, b, c, threads);
      if (!check(form, s, a, b, c)) return 1;
      double t0 = now();
      long warm = 0;
      while (now() - t0 < warmup) { run(form, s, a, b, c, threads); warm++; }
      double per = warm > 0 ? (now() - t0) / warm : warmup;
      long iters = (long) (budget / 20 / per);
      if (iters < 1) iters = 1;
      double samples[1000];
      int ns = 0;
      double start = now();
      long total = 0;
      while ((now() - start < budget || ns < 5) && ns < 1000) {
        double b0 = now();
        for (long it = 0; it < iters; it++) run(form, s, a, b, c, threads);
        samples[ns++] = (now() - b0) / iters * 1e9;
        total += iters;
      }
      qsort(samples, ns, sizeof(double), cmp_double);
      double med = samples[ns / 2], p10 = samples[ns / 10], p90 = samples[(ns * 9) / 10];
      printf("c_naive,%s,%s,%d,float32,%.1f,%.1f,%.1f,%ld,%.2f\n", form, tok, threads, med, p10, p90, total,
             2.0 * s.m * s.n * s.k / med);
      fflush(stdout);
    }
    free(form_list);
    free(a);
    free(b);
    free(c);
  }
  free(shape_list);
  return 0;
}
