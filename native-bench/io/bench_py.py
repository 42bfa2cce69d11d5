#!/usr/bin/python3
"""The numpy / PyTorch half of the io benchmark (run.sh): the same workloads as vectorgrad's IoBench
over the files make_data.py wrote, median of ROUNDS, CSV rows system,workload,bytes,seconds,gbps.

  /usr/bin/python3 bench_py.py DIR ROUNDS
"""
import sys, time
import numpy as np


def median(rounds, fn):
    end = time.perf_counter() + 1.0   # warm-up as IoBench's: at least 5 runs and 1 s, at most 200 runs
    for i in range(200):
        if i >= 5 and time.perf_counter() >= end:
            break
        fn()
    t = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return sorted(t)[rounds // 2]


def row(system, workload, nbytes, seconds):
    print(f'{system},{workload},{nbytes},{seconds:.9f},{nbytes / seconds / 1e9:.3f}')


def main(d, rounds):
    npy, pt = f'{d}/data.npy', f'{d}/data.pt'
    nbytes = np.load(npy, mmap_mode='r').nbytes
    row('numpy', 'npy_open_mapped', nbytes, median(rounds, lambda: np.load(npy, mmap_mode='r')))
    row('numpy', 'npy_read_copy', nbytes, median(rounds, lambda: np.load(npy)))
    loaded = np.load(npy)
    row('numpy', 'sum_pooled', nbytes, median(rounds, lambda: loaded.sum()))
    mapped = np.load(npy, mmap_mode='r')
    t0 = time.perf_counter()
    mapped.sum()
    row('numpy', 'sum_mapped_first_pass', nbytes, time.perf_counter() - t0)
    row('numpy', 'sum_mapped', nbytes, median(rounds, lambda: mapped.sum()))
    try:
        import torch
    except ImportError:
        print('# torch not installed: no PyTorch rows', file=sys.stderr)
        return
    torch.set_num_threads(int(__import__('os').environ.get('IO_BENCH_THREADS', torch.get_num_threads())))
    row('pytorch', 'torch_load_copy', nbytes, median(rounds, lambda: torch.load(pt)))
    t = torch.from_numpy(loaded)
    row('pytorch', 'sum_pooled', nbytes, median(rounds, lambda: t.sum()))


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]))
