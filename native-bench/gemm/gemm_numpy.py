#!/usr/bin/python3
"""GEMM through numpy's BLAS (OpenBLAS sgemm/dgemm when numpy loads it), same shapes and forms
as native-bench/gemm/gemm_naive.c and vectorgrad's GemmBench.

    nn  C = A @ B       A m x k, B k x n
    tn  C = A.T @ B     A stored k x m (a transposed view: numpy passes BLAS the transpose flag)
    nt  C = A @ B.T     B stored n x k

`np.matmul(A, B, out=C)` into a preallocated C. The BLAS thread count is pinned with
OPENBLAS_NUM_THREADS (and OMP/MKL_NUM_THREADS), set from --threads before numpy is imported:
OpenBLAS otherwise uses every core whatever the caller says.

Output: CSV on stdout, as gemm_naive.c:
    system,form,shape,threads,dtype,median_ns,p10_ns,p90_ns,iterations,gflops
with a comment line naming the BLAS library numpy loaded (from /proc/self/maps). The system is
`openblas` when that library is OpenBLAS, else `numpy_blas` (e.g. the reference BLAS, which is
~30x slower: see native-bench/gemm/README.md for how run.sh finds OpenBLAS).

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 native-bench/gemm/gemm_numpy.py --threads 1 --shapes 64,256
"""
import argparse
import os
import sys


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--shapes", default="64,256,512,1024,2048,256x784x128,64x784x256,64x256x10")
    p.add_argument("--forms", default="nn,tn,nt")
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    p.add_argument("--budget", type=float, default=0.3, help="seconds of timed batches per case")
    p.add_argument("--warmup", type=float, default=0.05)
    p.add_argument("--no-header", action="store_true")
    return p.parse_args()


args = parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import time  # noqa: E402

import numpy as np  # noqa: E402


def blas_library():
    """The BLAS shared object this process mapped (numpy links libblas/libcblas or openblas)."""
    libs = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path)
                if "blas" in name or "mkl" in name:
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(libs)


def shape_of(text):
    parts = [int(x) for x in text.split("x")]
    return (parts[0],) * 3 if len(parts) == 1 else tuple(parts)   # m, k, n


def operands(form, m, k, n, dtype, rng):
    a = (rng.random((k, m) if form == "tn" else (m, k)) - 0.5).astype(dtype)
    b = (rng.random((n, k) if form == "nt" else (k, n)) - 0.5).astype(dtype)
    return (a.T if form == "tn" else a), (b.T if form == "nt" else b)


def check(A, B, C):
    ref = A.astype(np.float64) @ B.astype(np.float64)
    mag = np.abs(A.astype(np.float64)) @ np.abs(B.astype(np.float64))
    eps = np.finfo(C.dtype).eps
    k = A.shape[1]
    if not np.all(np.abs(C - ref) <= 4 * eps * (k + 2) * mag + 1e-30):
        sys.exit("check failed: numpy result differs from the float64 reference")


def main():
    libs = blas_library()
    system = "openblas" if any("openblas" in lib for lib in libs) else "numpy_blas"
    if not args.no_header:
        print(f"# numpy {np.__version__}, BLAS: {' '.join(libs) or 'unknown'}, threads={args.threads}, budget={args.budget}")
        print("system,form,shape,threads,dtype,median_ns,p10_ns,p90_ns,iterations,gflops")
    rng = np.random.default_rng(42)
    for shape in args.shapes.split(","):
        m, k, n = shape_of(shape)
        for form in args.forms.split(","):
            A, B = operands(form, m, k, n, args.dtype, rng)
            C = np.empty((m, n), dtype=args.dtype)
            np.matmul(A, B, out=C)
            check(A, B, C)
            t0 = time.perf_counter()
            warm = 0
            while time.perf_counter() - t0 < args.warmup:
                np.matmul(A, B, out=C)
                warm += 1
            per = (time.perf_counter() - t0) / max(warm, 1)
            iters = max(1, int(args.budget / 20 / per))
            samples, total, start = [], 0, time.perf_counter()
            while (time.perf_counter() - start < args.budget or len(samples) < 5) and len(samples) < 1000:
                b0 = time.perf_counter_ns()
                for _ in range(iters):
                    np.matmul(A, B, out=C)
                samples.append((time.perf_counter_ns() - b0) / iters)
                total += iters
            samples.sort()
            med = samples[len(samples) // 2]
            p10, p90 = samples[len(samples) // 10], samples[(len(samples) * 9) // 10]
            print(f"{system},{form},{shape},{args.threads},{args.dtype},{med:.1f},{p10:.1f},{p90:.1f},{total},"
                  f"{2.0 * m * n * k / med:.2f}", flush=True)


if __name__ == "__main__":
    main()
