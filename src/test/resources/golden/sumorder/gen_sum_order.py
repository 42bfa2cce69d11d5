#!/usr/bin/python3
"""Goldens of PyTorch 1.13's CPU sum order (issue 11): sum_order.json.gz, replayed by SumOrderTest.

    /usr/bin/python3 src/test/resources/golden/sumorder/gen_sum_order.py

torch adds float32 values in float32 (aten/src/ATen/native/cpu/SumKernel.cpp, cascade_sum), so the order of the
additions shows in the result's bits. The inputs make it visible: every element is one of 16 values of very different
magnitudes and signs (a palette; a case stores one hex digit per element), so a different grouping of the same terms
absorbs or keeps other terms. Cases:

  rows  a contiguous 1-d tensor's sum() (and mean()): every ordered pair (i, j) of positions holding +big and -big among ones for
        lengths 2..16 (which of the ones are absorbed into a big partial sum shows exactly which elements meet),
        20 such pairs per length 17..64, 8 random palette rows per length 1..64 and per a few lengths up to 255,
        and one for each of a few lengths from 256 to 10000 (the vector cascade levels; vectorgrad checks those with its
        TorchSumOrder primitive only, its kernels keep their blocked sum there).
  dims  sum(dims, keepdim=True) of views: (R, C) matrices over dim 0 and dim 1, and random 1-4-d tensors made
        non-contiguous by permute / transpose / slices with a step / expand, over random dim sets, all below 256
        elements.

Each case also records whether a plain running sum in the element type and a float64 sum rounded once give other
bits (the generator prints how many: a case neither would fail tests only the order). torch runs on one thread
(torch.set_num_threads(1): its parallel split would add another level above 32768 elements).
"""
import gzip
import json
import os

import numpy as np
import torch

torch.set_num_threads(1)

PALETTE = {
    "float32": [1e8, -1e8, 1.0, -1.0, 3.0, -3.0, 1e-3, -1e-3, 7e7, -7e7, 3e8, -3e8, 0.1, -0.1, 12345.678, 0.5],
    "float64": [1e17, -1e17, 1.0, -1.0, 3.0, -3.0, 1e-3, -1e-3, 7e16, -7e16, 3e17, -3e17, 0.1, -0.1, 12345.678, 0.5],
}
NP = {"float32": np.float32, "float64": np.float64}
TORCH = {"float32": torch.float32, "float64": torch.float64}
HEX = "0123456789abcdef"

rng = np.random.default_rng(20261128)
stats = {"cases": 0, "sequential_differs": 0, "double_differs": 0}


def values(digits, dtype):
    pal = np.array(PALETTE[dtype], dtype=NP[dtype])
    return pal[[HEX.index(c) for c in digits]]


def note(x, got):
    """Counts the cases a plain running sum or a rounded float64 sum would get wrong (1-d sums)."""
    stats["cases"] += 1
    dt = x.dtype.type
    seq = dt(0)
    for v in x:
        seq = dt(seq + v)
    if seq != got:
        stats["sequential_differs"] += 1
    if dt(np.sum(x.astype(np.float64))) != got:
        stats["double_differs"] += 1


def row_case(digits, dtype):
    x = values(digits, dtype)
    t = torch.from_numpy(x)
    got = t.sum().item()
    note(x, NP[dtype](got))
    return {"d": dtype, "x": digits, "sum": got, "mean": t.mean().item()}


def random_digits(n):
    return "".join(HEX[v] for v in rng.integers(0, 16, n))


def pair_digits(n, i, j):
    d = ["2"] * n   # ones
    d[i] = "0"      # +big
    d[j] = "1"      # -big
    return "".join(d)


def rows():
    out = []
    for dtype in ("float32", "float64"):
        for n in range(2, 65):
            if n <= 16:
                pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
            else:
                pairs = [tuple(int(v) for v in rng.choice(n, 2, replace=False)) for _ in range(20)]
            out += [row_case(pair_digits(n, i, j), dtype) for i, j in pairs]
        for n in list(range(1, 65)) + [65, 71, 96, 127, 128, 129, 200, 255]:
            out += [row_case(random_digits(n), dtype) for _ in range(8)]
        for n in (256, 300, 511, 512, 513, 1000, 2048, 4097, 10000):
            out += [row_case(random_digits(n), dtype)]
    return out


def view(base, ops):
    t = base
    for op in ops:
        if op[0] == "permute":
            t = t.permute(*op[1])
        elif op[0] == "transpose":
            t = t.transpose(op[1], op[2])
        elif op[0] == "slice":
            idx = [slice(None)] * t.dim()
            idx[op[1]] = slice(op[2], op[3], op[4])
            t = t[tuple(idx)]
        elif op[0] == "expand":
            t = t.expand(*op[1])
    return t


def dims_case(dtype, shape, ops, dims):
    digits = random_digits(int(np.prod(shape)))
    base = torch.from_numpy(values(digits, dtype).reshape(shape))
    t = view(base, ops)
    r = t.sum(dim=dims, keepdim=True) if dims else t.sum().reshape([1] * t.dim())
    return {"d": dtype, "shape": shape, "x": digits, "view": ops, "dims": dims, "s": list(r.shape),
            "v": r.reshape(-1).tolist()}


def random_view_case(dtype):
    nd = int(rng.integers(1, 5))
    shape = [int(rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 17])) for _ in range(nd)]
    while np.prod(shape) >= 256:
        shape[int(rng.integers(0, nd))] = int(rng.integers(1, 4))
    kind = int(rng.integers(0, 4))
    ops = []
    if kind == 0 and nd > 1:
        ops = [["permute", [int(v) for v in rng.permutation(nd)]]]
    elif kind == 1 and nd > 1:
        ops = [["transpose", 0, nd - 1]]
    elif kind == 2:
        ops = [["slice", d, int(rng.integers(0, 2)), shape[d], int(rng.integers(1, 4))] for d in range(nd)
               if shape[d] > 1 and rng.random() < 0.7]
    elif kind == 3:
        d = int(rng.integers(0, nd))
        ops = [["slice", d, 0, 1, 1], ["expand", [s if i != d else int(rng.integers(2, 9)) for i, s in
                                                   enumerate(shape)]]]
    t = view(torch.zeros(shape), ops)
    if t.numel() == 0 or t.numel() >= 256:
        return None
    k = int(rng.integers(0, t.dim() + 1))
    dims = sorted(int(v) for v in rng.choice(t.dim(), k, replace=False)) if t.dim() else []
    return dims_case(dtype, shape, ops, dims)


def dims():
    out = []
    for dtype in ("float32", "float64"):
        for r in list(range(1, 13)) + [16, 17, 20, 33]:
            for c in list(range(1, 10)) + [12, 16, 17, 31, 32, 33, 40]:
                if r * c < 256:
                    out += [dims_case(dtype, [r, c], [], [0]), dims_case(dtype, [r, c], [], [1])]
        while sum(1 for c in out if c["d"] == dtype and c["view"]) < 300:
            c = random_view_case(dtype)
            if c is not None and c["view"]:
                out.append(c)
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    data = {"palettes": PALETTE, "rows": rows(), "dims": dims()}
    with gzip.GzipFile(os.path.join(here, "sum_order.json.gz"), "wb", mtime=0) as f:   # the same bytes every run
        f.write(json.dumps(data, separators=(",", ":")).encode())
    print(len(data["rows"]), "row cases,", len(data["dims"]), "dims cases;", stats["cases"], "1-d sums of which",
          stats["sequential_differs"], "differ from a running sum and", stats["double_differs"],
          "from a float64 sum rounded once")


if __name__ == "__main__":
    main()
