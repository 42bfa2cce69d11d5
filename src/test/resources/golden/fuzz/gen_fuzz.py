#!/usr/bin/python3
"""Differential fuzzing against PyTorch 1.13 (issue 11): writes seeded random programs over vectorgrad's public op set,
each run here by real torch, with everything a replay must reproduce; DifferentialFuzzTest replays them through the
Java API.

    /usr/bin/python3 src/test/resources/golden/fuzz/gen_fuzz.py          # the committed corpus: 5,000 programs, seed 0
    # the long profile: 100,000 fresh programs, then their replay (a few minutes each on 2 cores)
    /usr/bin/python3 src/test/resources/golden/fuzz/gen_fuzz.py --count 100000 --seed 7 --out target/fuzz.jsonl.gz
    ./mvnw test -Dtest=DifferentialFuzzTest -Dfuzz.corpus=target/fuzz.jsonl.gz
    # one program alone (its seed is in every failure message)
    ./mvnw test -Dtest=DifferentialFuzzTest -Dfuzz.corpus=target/fuzz.jsonl.gz -Dfuzz.program=123456

Options: --count N (programs), --seed S (program i gets the seed S * 1000003 + i, so a program is reproduced from its
seed alone: --only SEED), --out PATH (.jsonl.gz), --workers K (processes; the output is the same for any K).

A program is a list of steps over named tensors; a step is one call (a creation, a unary, binary or reducing op, a view,
an indexing op, an in-place op, requires_grad_, retain_grad, register_hook, a hook handle's remove(), backward,
grad.zero_(), str), optionally under no_grad. Hooks are lambdas that scale the gradient by a constant (g * c), add a
constant to it (g + c), or record it and return None, on leaves, results and views; the gradients each recording hook
saw during a backward are compared after it (their count, then each like a .grad).
Tensors are small (at most 4 dims, a few dozen elements); float inputs are multiples of 1/8 in [-3, 3] (so arithmetic
on them is exact and ties, zeros and equal elements are common), now and then NaN, an infinity or -0.0; int64 inputs
in [-5, 5]; index tensors mostly valid, sometimes out of range. Parameters are random and sometimes invalid: whatever
torch raises is recorded as an expected failure (the program goes on after it, as torch leaves the tensors untouched).

Every program runs in four environments side by side: "real" (the recorded one: the dtypes asked for), "ref" (float32
replaced by float64 everywhere) and two "pert" ones (float64, each op that rounds otherwise than IEEE pins down --
transcendental functions, reductions whose sums are not exact, softmax, var, ... -- gets its result moved by
u * 8 eps(dtype) * scale, |u| uniform in [0.5, 1] with a random sign (never near 0: a float64 result moved by less
than half an ulp would stay put in both pert replays and pass for exact, program 17078520's exp), scale the result's
magnitude, plus the terms' for sums and the input's for activations that cancel inside). They give each float value
its tolerance:
    exact (no "tol")     where the pert replays equal the ref one bit for bit: no op that rounds freely touched the
                         value (IEEE-exact ops on exact values: + - * /, sqrt, views, copies, indexing, max, floor,
                         sums whose partial sums are all representable, ...). Java must give torch's bits.
                         Gradients also need torch's float32 to equal the float64 replay and at most 20 significant
                         bits (no rounding in the backward formulas, which the pert replays do not perturb).
    tol [ulps, atol]     elsewhere: |java - torch| <= ulps * ulp(torch) + atol, where atol = 2 |real - ref| (torch's
                         own rounding error) + 3 max |pert - ref| (how 8-ulp differences propagate through this very
                         program) + for gradients 16 eps * max(|g|, |upstream|) * steps (the backward's own rounding;
                         float32's eps for a float64 gradient where float32 tensors require grad: it went through
                         float32 ops, e.g. a float32 sum to its shape, whose order torch and vectorgrad choose apart).
A step whose discrete results (int64/bool values, NaN/inf pattern, an error or not) differ between the environments,
or whose float results move by more than 1000 times the perturbation, is ill-conditioned at torch's values: the
generator drops it and draws another, so no expectation depends on a coin flip of rounding.

Per step the corpus holds the result's values, shape, dtype, requires_grad, is_leaf, grad_fn name, _version, for views
stride / storage_offset / is_contiguous, whether torch returned the argument itself; str(t) of exact tensors; the
exception text of failures (with the Java exception class the API promises where it is known); after each backward the
.grad of every name (absent = None); at the end a snapshot of every name again (in-place writes through views show in
their bases). Strides are compared for views of contiguous tensors only (vectorgrad's op results are always
contiguous, torch's not always), and only for dims longer than 1; the sign of a zero is not compared for reductions
and gradients.

Where torch 1.13 is wrong, or does something that depends on its implementation rather than on its semantics, the
generator draws another step (each place says why): mT of a 0-dim tensor; var/std of one element; index ops on 0-dim
tensors; argmax(dim)/argmin(dim) of bool over a dim of size 1 and softmax of an empty integer tensor (no kernel, so no
dtype check); float NaN/inf to int64 (undefined in C++); retain_grad() of a view (a SIGSEGV in torch 1.13); views made
under no_grad of tensors that require grad, used later (torch reports requires_grad but gives no gradient);
requires_grad_() of a tensor that has views (a view's flag follows its base in torch); view/reshape/flatten/contiguous
of tensors whose torch layout is not contiguous; backward errors from derivative formulas that negate bool tensors or
write expanded ones; saved-tensor version errors where torch saves more than the derivative reads (pow's result,
masked_select's and mean(dim)'s input); views of split/unbind outputs written in place (torch passes the multi-output
rule on to them); backward passes in which torch calls a hook with None (a hook on one output of split/unbind/chunk
when only its siblings get a gradient: each output has its own node in vectorgrad, which backward then does not reach,
so a Java hook is never called with null); float32 gelu of -0.0 (+0.0 on torch's vector path, -0.0 on its scalar path
for one element; IEEE and vectorgrad: -0.0). vectorgrad's generator draws other numbers than torch's mt19937 (by design,
see Generator): random factories are checked for shape, dtype and autograd state only, and their results are not used
by later steps.
"""
import argparse
import gzip
import json
import math
import os
import sys
import warnings
import multiprocessing

import numpy as np
import torch
import torch.nn.functional as F

assert torch.__version__.startswith("1.13"), torch.__version__
torch.set_num_threads(1)
warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
F32, F64, I64, B = "float32", "float64", "int64", "bool"
DTYPES = {F32: torch.float32, F64: torch.float64, I64: torch.int64, B: torch.bool}
NAMES = {v: k for k, v in DTYPES.items()}
FLOATS = (torch.float32, torch.float64)
EPS = {torch.float32: 2.0 ** -23, torch.float64: 2.0 ** -52}
PERT_ULPS = 8
N_PERT = 2
MAX_NUMEL = 48
IAE, ISE, IOOBE, ANY = "IllegalArgumentException", "IllegalStateException", "IndexOutOfBoundsException", "RuntimeException"


# -------------------------------------------------------------------------------------------------------- encoding

def enc_float(v, dt):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if dt == torch.float32:
        s = repr(np.float32(v))  # the shortest text that parses back to this float32
        return float(s) if s != "-0.0" else -0.0
    return v


def enc_values(t):
    flat = t.detach().reshape(-1)
    if t.dtype in FLOATS:
        return [enc_float(v, t.dtype) for v in flat.double().tolist()]
    if t.dtype == torch.int64:
        return [int(v) for v in flat.tolist()]
    return [bool(v) for v in flat.tolist()]


def grad_fn_name(t):
    return type(t.grad_fn).__name__ if t.grad_fn is not None else None


def first_sentence(msg):
    line = msg.split("\n")[0]
    i = line.find(". ")
    return line if i < 0 else line[:i + 1]


JAVA_TYPES = [  # (fragment, the exception class the Java API promises); the first match wins
    ("Trying to backward through the graph a second time", ISE),
    ("is being used in an in-place operation", ISE),
    ("is a view and is being modified inplace", ISE),
    ("has been modified by an inplace operation", ISE),
    ("does not require grad and does not have a grad_fn", ISE),
    ("cannot register a hook on a tensor that doesn't require gradient", ISE),
    ("grad can be implicitly created only for scalar outputs", ISE),
    ("can require gradients", ISE),
    ("you can only change requires_grad flags of leaf variables", ISE),
    ("a view of a leaf Variable", ISE),
    ("is out of bounds for dimension", IOOBE),
    ("index out of range in self", IOOBE),
    ("out of range for tensor of size", IOOBE),
    ("Class values must be", IOOBE),
    ("Dimension out of range", IAE),
    ("INDICES element is out of DATA bounds", IOOBE),
    ("must match the size of tensor", IAE),
    ("can't be cast to the desired output type", IAE),
    ("doesn't match the broadcast shape", IAE),
    ("not implemented for", IAE),
    ("is invalid for input of size", IAE),
    ("view size is not compatible", IAE),
    ("appears multiple times", IAE),
    ("Mismatch in shape", IAE),
]


def java_type(msg):
    for frag, jt in JAVA_TYPES:
        if frag in msg:
            return jt
    return ANY


VERSION_ERROR = "one of the variables needed for gradient computation has been modified by an inplace operation"


def torch_error(e):
    msg = str(e)
    # which modified saved tensor a backward reports first depends on the order its nodes run: the prefix only
    fragment = VERSION_ERROR if msg.startswith(VERSION_ERROR) else first_sentence(msg)
    return {"type": type(e).__name__, "message": msg, "fragment": fragment, "java": java_type(msg)}


# --------------------------------------------------------------------------------------------------------- values

class Rng:
    """The program's random choices (numpy's PCG64, seeded by the program seed: portable and stable)."""

    def __init__(self, seed):
        self.r = np.random.Generator(np.random.PCG64(seed))

    def int(self, lo, hi):  # [lo, hi]; lo when the range is empty
        return int(self.r.integers(lo, hi + 1)) if hi > lo else lo

    def chance(self, p):
        return bool(self.r.random() < p)

    def choice(self, seq):
        return seq[int(self.r.integers(0, len(seq)))]

    def weighted(self, pairs):
        total = sum(w for _, w in pairs)
        x = self.r.random() * total
        for v, w in pairs:
            x -= w
            if x < 0:
                return v
        return pairs[-1][0]

    def shuffled(self, seq):
        seq = list(seq)
        self.r.shuffle(seq)
        return seq

    def float_value(self, special=True):
        if special and self.chance(0.01):
            return self.choice([float("nan"), float("inf"), float("-inf"), -0.0])
        return self.int(-24, 24) / 8.0


def numel(shape):
    return math.prod(shape)


def rand_values(rng, dtype, shape, special=True, lo=-5, hi=5):
    n = numel(shape)
    if dtype in (F32, F64):
        special = special and rng.chance(0.15)
        return [rng.float_value(special) for _ in range(n)]
    if dtype == I64:
        return [rng.int(lo, hi) for _ in range(n)]
    return [rng.chance(0.5) for _ in range(n)]


# ------------------------------------------------------------------------------------------------------- exactness

def grain(t):
    """The k such that every value of t is a multiple of 2^-k (None if some value is not finite or k > 200)."""
    k = 0
    for v in t.detach().double().reshape(-1).tolist():
        if not math.isfinite(v):
            return None
        if v == 0:
            continue
        m, e = math.frexp(v)
        # v = m * 2^e with m of at most 53 bits: its lowest set bit decides the grain
        mi = int(m * 2 ** 53)
        tz = (mi & -mi).bit_length() - 1
        k = max(k, 53 - e - tz)
    return k if k <= 200 else None


def short_mantissas(t, bits=20):
    """Whether every finite value of t has at most `bits` significant bits (a gradient that no rounding touched:
    the backward formulas' own roundings are not perturbed, so only such gradients are compared bit for bit)."""
    for v in t.detach().double().reshape(-1).tolist():
        if math.isfinite(v) and v != 0:
            m = int(abs(math.frexp(v)[0]) * 2 ** 53)
            if 53 - ((m & -m).bit_length() - 1) > bits:
                return False
    return True


def summable(ts, dt, terms=1):
    """Whether any order of summing products of `terms` factors (one from each of ts) is exact in dt."""
    p = 24 if dt == torch.float32 else 53
    ks, bound = 0, 1.0
    for t in ts:
        if t.dtype not in FLOATS and t.dtype != torch.int64:
            continue
        g = grain(t)
        if g is None:
            return False
        ks += g
        bound *= float(t.detach().double().abs().max()) if t.numel() else 0.0
    n = max(t.numel() for t in ts) if ts else 0
    return bound * n * 2.0 ** ks < 2.0 ** p


# ------------------------------------------------------------------------------------------------------------- ops

class Ctx:
    """An environment: "real" (as asked), "ref" (float32 -> float64) or "pert" (float64, rounding ops perturbed)."""

    def __init__(self, kind, seed, index):
        self.kind, self.seed, self.index = kind, seed, index
        self.t = {}
        self.handles = {}  # hook handles by name
        self.seen = {}     # per recording hook: the gradients it saw during the last backward

    def dt(self, name):
        d = DTYPES[name]
        return torch.float64 if self.kind != "real" and d == torch.float32 else d

    def widen(self, t):
        """A value created as asked (creation ops, literals), seen in this environment."""
        if self.kind != "real" and t.dtype == torch.float32:
            return t.to(torch.float64).requires_grad_(t.requires_grad) if t.is_leaf else t.to(torch.float64)
        return t


def run_op(ctx, s, a):
    """Runs one step in ctx; returns a tensor, a list of tensors, or None."""
    op, x = s["op"], (a[0] if a else None)
    g = s.get
    # creation
    if op == "lit":
        # clone(): reshape() of the flat values is a view, and a leaf must not be one
        t = torch.tensor(s["values"], dtype=DTYPES[s["dtype"]]).reshape(s["shape"]).clone()
        t = ctx.widen(t)
        return t.requires_grad_(True) if s["rg"] else t
    if op == "zeros":
        return torch.zeros(s["shape"], dtype=ctx.dt(s["dtype"]))
    if op == "ones":
        return torch.ones(s["shape"], dtype=ctx.dt(s["dtype"]))
    if op == "full":
        return torch.full(s["shape"], float(s["value"]), dtype=ctx.dt(s["dtype"]))
    if op == "scalar":
        return ctx.widen(torch.tensor(float(s["value"])))
    if op == "arange":
        return torch.arange(s["start"], s["end"], s["step"])
    if op == "arange_float":
        return ctx.widen(torch.arange(float(s["start"]), float(s["end"]), float(s["step"])))
    if op == "randn":
        return ctx.widen(torch.randn(s["shape"], generator=torch.Generator().manual_seed(s["seed"])))
    if op == "rand":
        return ctx.widen(torch.rand(s["shape"], generator=torch.Generator().manual_seed(s["seed"])))
    if op == "randint":
        return torch.randint(s["low"], s["high"], tuple(s["shape"]),
                             generator=torch.Generator().manual_seed(s["seed"]))
    if op == "randperm":
        return torch.randperm(s["n"], generator=torch.Generator().manual_seed(s["seed"]))
    # unary
    if op in UNARY_METHODS:
        return getattr(x, op)()
    if op == "nan_to_num":
        return x.nan_to_num(s["nan"], s["posinf"], s["neginf"])
    if op == "clamp":
        return x.clamp(s["min"], s["max"])
    if op == "clamp_min":
        return x.clamp_min(s["min"])
    if op == "clamp_max":
        return x.clamp_max(s["max"])
    if op == "leaky_relu":
        return F.leaky_relu(x, s["slope"])
    if op == "hardtanh":
        return F.hardtanh(x, s["min"], s["max"])
    if op == "elu":
        return F.elu(x, s["alpha"])
    if op == "gelu":
        return F.gelu(x, approximate=s["approximate"])
    if op == "silu":
        return F.silu(x)
    if op == "mish":
        return F.mish(x)
    if op == "softplus":
        return F.softplus(x, s["beta"], s["threshold"])
    # binary
    if op in BINARY_METHODS:
        return getattr(a[0], BINARY_METHODS[op])(a[1])
    if op in SCALAR_METHODS:
        return getattr(x, SCALAR_METHODS[op])(float(s["value"]))
    if op in INT_METHODS:
        return getattr(x, INT_METHODS[op])(int(s["int"]))
    if op == "pow_base":
        return torch.pow(float(s["base"]), x)
    if op == "where":
        return torch.where(a[0], a[1], a[2])
    if op == "lerp":
        return a[0].lerp(a[1], float(s["weight"]))
    if op == "addcmul":
        return a[0].addcmul(a[1], a[2], value=float(s["value"]))
    if op == "addcdiv":
        return a[0].addcdiv(a[1], a[2], value=float(s["value"]))
    # reductions
    if op in ("sum", "mean", "max", "min", "argmax", "argmin", "prod", "var", "std", "norm", "all", "any"):
        return getattr(x, op)()
    if op == "count_nonzero":
        return torch.count_nonzero(x)
    if op in ("sum_dims", "mean_dims", "amax", "amin"):
        return getattr(x, op.replace("_dims", ""))(dim=tuple(s["dims"]), keepdim=s["keepdim"])
    if op in ("max_dim", "min_dim"):
        r = getattr(x, op[:3])(s["dim"], keepdim=s["keepdim"])
        return [r.values, r.indices]
    if op in ("argmax_dim", "argmin_dim"):
        return getattr(x, op[:6])(s["dim"], keepdim=s["keepdim"])
    if op in ("var_dims", "std_dims"):
        return getattr(x, op[:3])(dim=tuple(s["dims"]), correction=s["correction"], keepdim=s["keepdim"])
    if op == "logsumexp":
        return x.logsumexp(dim=tuple(s["dims"]), keepdim=s["keepdim"])
    if op == "norm_p":
        return x.norm(p=float(s["p"]), dim=tuple(s["dims"]), keepdim=s["keepdim"])
    if op == "cumsum":
        return x.cumsum(s["dim"])
    if op == "count_nonzero_dims":
        return torch.count_nonzero(x, dim=tuple(s["dims"]))
    if op in ("softmax", "log_softmax"):
        return getattr(x, op)(s["dim"])
    # matrix products
    if op in ("matmul", "mm", "bmm", "mv", "dot", "outer"):
        return getattr(a[0], op)(a[1])
    # views and shape ops
    if op == "view":
        return x.view(tuple(s["shape"]))
    if op == "reshape":
        return x.reshape(tuple(s["shape"]))
    if op == "flatten":
        return x.flatten(s["start"], s["end"])
    if op == "unflatten":
        return x.unflatten(s["dim"], tuple(s["sizes"]))
    if op == "transpose":
        return x.transpose(s["dim0"], s["dim1"])
    if op == "t":
        return x.t()
    if op == "mT":
        return x.mT
    if op == "permute":
        return x.permute(tuple(s["dims"]))
    if op == "expand":
        return x.expand(tuple(s["shape"]))
    if op == "expand_as":
        return x.expand_as(a[1])
    if op == "squeeze":
        return x.squeeze()
    if op == "squeeze_dim":
        return x.squeeze(s["dim"])
    if op == "unsqueeze":
        return x.unsqueeze(s["dim"])
    if op == "narrow":
        return x.narrow(s["dim"], s["start"], s["length"])
    if op == "select":
        return x.select(s["dim"], s["index"])
    if op == "slice":
        return torch.ops.aten.slice(x, s["dim"], s["start"], s["end"], s["step"])
    if op == "split":
        return list(x.split(s["size"], s["dim"]))
    if op == "chunk":
        return list(x.chunk(s["chunks"], s["dim"]))
    if op == "unbind":
        return list(x.unbind(s["dim"]))
    if op == "contiguous":
        return x.contiguous()
    if op == "clone":
        return x.clone()
    if op == "detach":
        return x.detach()
    if op == "to":
        return x.to(ctx.dt(s["dtype"]))
    if op == "cat":
        return torch.cat(a, s["dim"])
    if op == "stack":
        return torch.stack(a, s["dim"])
    # indexing
    if op == "index_select":
        return x.index_select(s["dim"], a[1])
    if op == "gather":
        return x.gather(s["dim"], a[1])
    if op == "scatter_add":
        return x.scatter_add(s["dim"], a[1], a[2])
    if op == "masked_fill":
        return x.masked_fill(a[1], float(s["value"]))
    if op == "masked_select":
        return x.masked_select(a[1])
    if op == "nonzero":
        return x.nonzero()
    if op == "one_hot":
        return F.one_hot(x, s["num_classes"])
    # in place
    if op in ("add_", "sub_", "mul_", "div_", "copy_"):
        return getattr(x, op)(a[1])
    if op in ("add_scalar_", "sub_scalar_", "mul_scalar_", "div_scalar_"):
        return getattr(x, op.replace("_scalar", ""))(float(s["value"]))
    if op == "zero_":
        return x.zero_()
    if op == "fill_":
        return x.fill_(float(s["value"]))
    if op == "clamp_":
        return x.clamp_(s["min"], s["max"])
    if op in ("exp_", "relu_", "sigmoid_", "tanh_"):
        return getattr(x, op)()
    if op == "masked_fill_":
        return x.masked_fill_(a[1], float(s["value"]))
    if op == "scatter_add_":
        return x.scatter_add_(s["dim"], a[1], a[2])
    # autograd
    if op == "requires_grad_":
        return x.requires_grad_(s["flag"])
    if op == "retain_grad":
        x.retain_grad()
        return None
    if op == "grad_zero_":
        if x.grad is not None:
            x.grad.zero_()
        return None
    if op == "hook":
        ctx.handles[s["handle"]] = x.register_hook(make_hook(ctx, s))
        return None
    if op == "hook_remove":
        ctx.handles[s["handle"]].remove()
        return None
    if op == "backward":
        ctx.hook_got_none = False
        for seen in ctx.seen.values():
            seen.clear()
        grad = None
        if s.get("gradient") is not None:
            gs = s["gradient"]
            grad = ctx.widen(torch.tensor(gs["values"], dtype=DTYPES[gs["dtype"]]).reshape(gs["shape"]))
        x.backward(grad, retain_graph=s["retain_graph"])
        return None
    if op == "str":
        return None
    raise ValueError(op)


def make_hook(ctx, s):
    """The hook a "hook" step registers: g * value, g + value, or recording g (returns None)."""
    kind, c = s["kind"], s.get("value")
    seen = ctx.seen.setdefault(s["handle"], []) if kind == "record" else None

    def hook(g):
        if g is None:
            # torch 1.13 calls the hooks of one output of a multi-output node (split, unbind, chunk) with None when
            # backward reaches only its siblings; vectorgrad gives each output its own node, which backward then does
            # not reach, so its hooks do not run (a Java hook never gets null): the step is drawn again
            ctx.hook_got_none = True
            return None
        if kind == "scale":
            return g * c
        if kind == "add":
            return g + c
        seen.append(g.detach().clone())
        return None

    return hook


UNARY_METHODS = set("""exp exp2 expm1 log log2 log10 log1p sqrt rsqrt abs sign reciprocal square sin cos tan asin acos
atan sinh cosh tanh sigmoid relu erf floor ceil round trunc frac isnan isinf isfinite neg logical_not""".split())
BINARY_METHODS = {"add": "add", "sub": "sub", "mul": "mul", "div": "div", "pow": "pow", "maximum": "maximum",
                  "minimum": "minimum", "atan2": "atan2", "fmod": "fmod", "remainder": "remainder", "eq": "eq",
                  "ne": "ne", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge", "logical_and": "logical_and",
                  "logical_or": "logical_or", "logical_xor": "logical_xor"}
SCALAR_METHODS = {"add_scalar": "add", "sub_scalar": "sub", "mul_scalar": "mul", "div_scalar": "div",
                  "pow_scalar": "pow", "fmod_scalar": "fmod", "remainder_scalar": "remainder", "eq_scalar": "eq",
                  "ne_scalar": "ne", "lt_scalar": "lt", "le_scalar": "le", "gt_scalar": "gt", "ge_scalar": "ge"}
INT_METHODS = {"add_int": "add", "sub_int": "sub", "mul_int": "mul", "div_int": "div"}

# Ops whose float results may round otherwise than IEEE pins down (the pert environments perturb them).
ROUNDING = set("""exp exp2 expm1 log log2 log10 log1p rsqrt sin cos tan asin acos atan sinh cosh tanh sigmoid erf
elu gelu silu mish softplus pow pow_scalar pow_base atan2 lerp addcmul addcdiv prod var std var_dims std_dims logsumexp
norm norm_p softmax log_softmax randn exp_ sigmoid_ tanh_""".split())
# Ops that add many terms: exact when every partial sum is representable, else perturbed like ROUNDING.
SUMMING = {"sum", "mean", "sum_dims", "mean_dims", "cumsum", "matmul", "mm", "bmm", "mv", "dot", "scatter_add",
           "scatter_add_"}
INPUT_SCALED = {"erf", "gelu", "silu", "mish", "elu", "softplus", "expm1", "log1p", "sigmoid", "tanh", "sinh", "tan",
                "sin", "cos", "atan", "asin", "acos", "exp2", "log_softmax", "logsumexp"}
SAVES_MORE = {"mean_dims", "masked_select", "pow", "pow_scalar", "pow_base"}
SPREAD_SCALED = {"var", "std", "var_dims", "std_dims", "norm", "norm_p", "logsumexp", "softmax", "log_softmax",
                 "prod"}
PRODUCTS = {"matmul", "mm", "bmm", "mv", "dot"}
IN_PLACE = {"add_", "sub_", "mul_", "div_", "copy_", "add_scalar_", "sub_scalar_", "mul_scalar_", "div_scalar_",
            "zero_", "fill_", "clamp_", "exp_", "relu_", "sigmoid_", "tanh_", "masked_fill_", "scatter_add_",
            "requires_grad_"}
# vectorgrad's generator is not PyTorch's mt19937 (see Generator's Javadoc): only shape, dtype and autograd state of
# these are compared, and their results are not used by later steps
RANDOM = {"randn", "rand", "randint", "randperm"}
# Steps after which every name is checked again (they change other tensors than their result).
MUTATING = IN_PLACE | {"backward", "grad_zero_", "retain_grad", "hook", "hook_remove"}
# Steps with no result to compare.
NO_RESULT = ("str", "backward", "retain_grad", "grad_zero_", "hook", "hook_remove")


def exact_sum(s, a, dt):
    if s["op"] in PRODUCTS:
        return summable(a[:2], dt, 2)
    if s["op"] in ("scatter_add", "scatter_add_"):
        return summable([a[0], a[2]], dt)
    return summable([a[0]], dt)


def perturb(ctx, s, a, r, step_index):
    """In a pert environment, the rounding error a Java implementation may make: r *= 1 + u * 8 eps."""
    if ctx.kind != "pert" or r is None:
        return
    outs = r if isinstance(r, list) else [r]
    op = s["op"]
    if op in SUMMING:
        dt = outs[0].dtype
        if dt in FLOATS and exact_sum(s, a, torch.float32 if ctx.real_dtypes[0] == torch.float32 else dt):
            return
    elif op not in ROUNDING:
        return
    gen = torch.Generator().manual_seed(ctx.seed * 7919 + step_index * 31 + ctx.index)
    for o, rd in zip(outs, ctx.real_dtypes):
        if o.dtype not in FLOATS or o.numel() == 0:
            continue
        u = torch.rand(o.shape, generator=gen, dtype=torch.float64) * 2 - 1
        u = torch.where(u < 0, -0.5, 0.5) + u / 2   # |u| in [0.5, 1]: at least 4 eps, never rounded away
        scale = o.detach().abs()
        if op in SUMMING and a[0].numel():
            # a sum's rounding error grows with the terms, not with the (possibly cancelled) result
            src = a[0].detach().double().abs()
            src = src[torch.isfinite(src)]
            top = float(src.max()) if src.numel() else 0.0
            scale = scale + top * (1 if op in ("mean", "mean_dims") else a[0].numel())
        if op in SPREAD_SCALED and a[0].numel():
            # var, norm, softmax ... of nearly equal values: their rounding error is relative to the inputs
            src = a[0].detach().double().abs()
            src = src[torch.isfinite(src)]
            scale = scale + (float(src.max()) if src.numel() else 0.0)
        if op in INPUT_SCALED and tuple(a[0].shape) == tuple(o.shape):
            # erf-based and exp-based activations cancel inside (1 + erf(x), x * sigmoid(x)): their rounding error
            # is relative to the input, not to the (possibly tiny) result
            scale = scale + a[0].detach().double().abs().to(scale.dtype)
        noise = u * PERT_ULPS * EPS[rd] * scale
        noise = torch.where(torch.isfinite(noise), noise, torch.zeros_like(noise))
        o.data.add_(noise.to(o.dtype))


# ---------------------------------------------------------------------------------------------------- the program

class Reject(Exception):
    """The candidate step is ill-conditioned or otherwise unusable: draw another."""


def tensors_of(r):
    return [] if r is None else (r if isinstance(r, list) else [r])


class Program:
    def __init__(self, seed):
        self.seed = seed
        self.rng = Rng(seed)
        self.steps = []        # accepted steps (the generator's spec, without expectations)
        self.records = []      # what the corpus holds per accepted step
        self.ctxs = None
        self.names = []        # names in order of creation
        self.counter = 0
        self.errors = 0
        self.ended = False
        self.current = None
        self.last = {}         # the values each name was last recorded with
        self.hidden = set()    # names later steps must not use
        self.unversioned = set()  # names whose _version is torch's implementation detail (one_hot's scatter_)
        self.rebuild()

    # --- environments

    def rebuild(self):
        self.ctxs = [Ctx("real", self.seed, 0), Ctx("ref", self.seed, 1)] + \
                    [Ctx("pert", self.seed, 2 + i) for i in range(N_PERT)]
        for i, s in enumerate(self.steps):
            self.execute(s, i)

    def execute(self, s, index):
        """Runs s in every environment; returns (results per env, error per env)."""
        results, errors = [], []
        real_dtypes = None
        for ctx in self.ctxs:
            torch.set_default_dtype(torch.float32 if ctx.kind == "real" else torch.float64)
            try:
                a = [ctx.t[n] for n in s["args"]]
                with torch.no_grad() if s.get("no_grad") else torch.enable_grad():
                    r = run_op(ctx, s, a)
                    if ctx.kind == "real":
                        real_dtypes = [t.dtype for t in tensors_of(r)]
                    ctx.real_dtypes = real_dtypes
                    if ctx.kind == "pert" and s["op"] != "requires_grad_":
                        perturb(ctx, s, a, r, index)
                results.append(r)
                errors.append(None)
            except (RuntimeError, IndexError, ValueError, TypeError) as e:
                results.append(None)
                errors.append(e)
            finally:
                torch.set_default_dtype(torch.float32)
        if errors[0] is None:
            for ctx, r in zip(self.ctxs, results):
                if "outs" in s:
                    for n, t in zip(s["outs"], r):
                        ctx.t[n] = t
                elif s.get("out") is not None and r is not None:
                    ctx.t[s["out"]] = r
        return results, errors

    # --- naming

    def fresh(self):
        self.counter += 1
        return f"t{self.counter}"

    # --- one step

    def try_step(self, s):
        """Runs the candidate; raises Reject where unusable; else records it and returns the record."""
        if self.ended:
            raise Reject("the program ended")
        index = len(self.steps)
        self.current = s
        mutating = s["op"] in MUTATING
        results, errors = self.execute(s, index)
        raised = [e is not None for e in errors]
        try:
            if any(getattr(c, "hook_got_none", False) for c in self.ctxs):
                raise Reject("a hook got None (see make_hook)")
            if any(raised) and not all(raised):
                raise Reject("raises in some environments only")
            rec = dict(s)
            if all(raised):
                if self.errors >= 2 or s["op"] == "lit":
                    raise Reject("enough failures")
                msg = str(errors[0])
                if "its base or another view of its base has been modified inplace" in msg:
                    raise Reject("a view torch refuses to describe")
                if "is a view and is being modified inplace" in msg and not any(
                        f"of {n} is a view" in msg for n in ("SplitBackward0", "UnbindBackward0",
                                                             "SplitWithSizesBackward0")):
                    # torch passes the multiple-outputs rule on to views of such views (naming the later view's
                    # node); vectorgrad applies it to the outputs themselves only (see the report of issue 11)
                    raise Reject("inherited multi-output view rule")
                if s["op"] == "backward" and ("bool tensor is not supported" in msg
                                              or "more than one element of the written-to tensor" in msg):
                    raise Reject("torch 1.13 bug: a derivative formula negates a bool tensor or writes an expanded one")
                if msg.startswith(VERSION_ERROR) and any(st["op"] in SAVES_MORE and "error" not in st
                                                         for st in self.steps):
                    # torch 1.13 saves tensors these derivatives do not read (pow's result, masked_select's and
                    # mean(dim)'s input): a write to them fails its backward, not vectorgrad's
                    raise Reject("saved tensors differ by design")
                if "output 0 of PowBackward" in msg:
                    # torch saves pow's result even when only the base requires grad; vectorgrad saves what the
                    # derivative reads
                    raise Reject("saved tensors differ by design")
                if "modified by an inplace operation" in msg and ("which is output" not in msg or any(
                        st["op"] == "mean_dims" and "error" not in st for st in self.steps)):
                    # a saved leaf: torch 1.13's mean(dim) saves its input although its derivative reads only the
                    # shape, so its backward fails where vectorgrad's (and later torch's) does not
                    raise Reject("torch quirk")
                rec["error"] = torch_error(errors[0])
                self.errors += 1
                if s["op"] == "backward":
                    # torch may have accumulated some leaves' grads before it raised: nothing after it is compared
                    self.ended = True
            else:
                outs = [] if s["op"] in NO_RESULT else \
                    (s["outs"] if "outs" in s else [s["out"]])
                if "outs" in s and len(results[0]) != len(s["outs"]):
                    raise Reject("number of results")
                if s["op"] == "str":
                    if not self.exact(s["args"][0]):
                        raise Reject("str of an inexact tensor")
                    rec["expect"] = {"str": str(self.ctxs[0].t[s["args"][0]])}
                elif s["op"] == "backward":
                    rec["grads"] = self.grads_snapshot(s)
                    if self.ctxs[0].seen:
                        rec["hooks"] = self.hooks_snapshot(s)
                elif s["op"] == "lit":
                    pass  # the values are in the step; nothing else to compare
                elif outs:
                    if s["op"] == "one_hot" or (s["op"] == "detach" and s["args"][0] in self.unversioned):
                        self.unversioned.add(s["out"])
                    snaps = [self.snapshot(n, s["args"]) for n in outs]
                    if s["op"] in RANDOM:
                        for snap in snaps:
                            snap.pop("v")
                            snap.pop("tol", None)
                    rec["expect"] = snaps if "outs" in s else snaps[0]
                if mutating and s["op"] not in NO_RESULT:
                    for n in self.names:  # the names it changed besides its result must stay well-conditioned
                        self.snapshot(n, None)
                real = self.ctxs[0].t
                for n in outs:
                    if s["op"] in RANDOM:
                        continue
                    if n not in self.names:
                        self.names.append(n)
                    if s.get("no_grad") and real[n]._is_view() and \
                            any(_holds(lambda t: t.requires_grad, real[a]) for a in s["args"]):
                        # a view made under no_grad of a tensor that requires grad reports requires_grad but takes
                        # no gradient in torch 1.13 (vectorgrad treats it as a leaf): not used by later steps
                        self.hidden.add(n)
                for n, snap in zip(outs, snaps if outs and s["op"] not in ("lit",) + tuple(RANDOM) else []):
                    self.last[n] = snap["v"]
                if s["op"] == "lit":
                    self.last[s["out"]] = enc_values(self.ctxs[0].t[s["out"]])
                    self.names.append(s["out"])
        except Reject:
            if mutating or s["op"] == "backward":
                self.rebuild()
            else:
                for ctx in self.ctxs:
                    for n in (s.get("outs") or [s.get("out")]):
                        if n is not None and n not in self.names:
                            ctx.t.pop(n, None)
            raise
        self.steps.append(s)
        self.records.append(rec)
        return rec

    # --- snapshots and tolerances

    def summed(self, n):
        """Whether n is the result of a reduction (the sign of a zero result is not compared)."""
        return any(st["op"] in SUMMING | {"prod", "var", "std", "var_dims", "std_dims", "norm", "norm_p", "logsumexp"}
                   and (st.get("out") == n) for st in self.steps + [self.current or {}])

    def exact(self, n):
        real = self.ctxs[0].t[n]
        if real.dtype not in FLOATS:
            return True
        ref = self.ctxs[1].t[n].detach().double()
        return all(torch.equal(c.t[n].detach().double(), ref) for c in self.ctxs[2:])

    def value_tol(self, vals, ref, perts, dt, grad=False, extra=0.0):
        """[ulps, atol] for float values that are not exact, None if exact; Reject if ill-conditioned."""
        rv = vals.detach().double()
        fv = ref.detach().double()
        pv = [p.detach().double() for p in perts]
        for p in [fv] + pv:
            if p.shape != rv.shape:
                raise Reject("shapes differ")
            if not (torch.equal(torch.isnan(p), torch.isnan(rv)) and torch.equal(torch.isposinf(p), torch.isposinf(rv))
                    and torch.equal(torch.isneginf(p), torch.isneginf(rv))):
                raise Reject("NaN/inf pattern differs")
        exact = all(torch.equal(p, fv) for p in pv) and (not grad or (torch.equal(rv, fv) and short_mantissas(rv)))
        if exact:
            return None
        fin = torch.isfinite(rv)
        if not bool(fin.any()):
            return None

        def dev(p):
            return float((p[fin] - fv[fin]).abs().max())

        own = dev(rv)
        prop = max(dev(p) for p in pv)
        mag = float(fv[fin].abs().max())
        if prop > 1000 * PERT_ULPS * EPS[dt] * (1 + mag):
            raise Reject("ill-conditioned")
        atol = 2 * own + 3 * prop + extra
        return [4, float(f"{atol:.3g}") * 1.01 if atol else 0.0]

    def snapshot(self, n, args):
        real = self.ctxs[0].t[n]
        outs = [c.t[n] for c in self.ctxs]
        for o in outs[1:]:
            if tuple(o.shape) != tuple(real.shape):
                raise Reject("shapes differ")
        snap = {"s": list(real.shape), "d": NAMES[real.dtype], "v": enc_values(real), "ver": real._version}
        root = real._base if real._is_view() else real
        if any(root is self.ctxs[0].t.get(u) for u in self.unversioned):
            del snap["ver"]
        try:
            snap.update(rg=real.requires_grad, leaf=real.is_leaf, fn=grad_fn_name(real))
        except RuntimeError:
            # torch refuses to tell (a view made under no_grad, or one of several outputs of split, whose base was
            # then modified in place): only the values and version are compared, and later steps do not use it
            for k in ("rg", "leaf", "fn"):
                snap.pop(k, None)
            self.hidden.add(n)
        if real._is_view() and real._base.is_contiguous():
            # a view's layout follows its base's; Java's op results are always contiguous, torch's not always
            snap["lay"] = [list(real.stride()), real.storage_offset(), real.is_contiguous()]
        if args is not None:
            for a in args:
                if self.ctxs[0].t.get(a) is real:
                    snap["same"] = a
                    break
        if real.dtype in FLOATS:
            tol = self.value_tol(real, outs[1], outs[2:], real.dtype)
            if tol is not None:
                snap["tol"] = tol
            if self.summed(n):
                snap["z0"] = True  # a sum's zero: torch's accumulator starts at +0, so -0.0 sums to 0.0
        else:
            for o in outs[1:]:
                if not torch.equal(o.detach(), real.detach()):
                    raise Reject("discrete values differ")
        return snap

    def grads_snapshot(self, s):
        out = {}
        for n in self.names:
            gs = [c.t[n].grad if n in c.t else None for c in self.ctxs]
            if all(g is None for g in gs):
                continue
            if any(g is None for g in gs):
                raise Reject("grad present in some environments only")
            out[n] = self.grad_snap(s, gs)
        return out

    def hooks_snapshot(self, s):
        """What each recording hook saw during the backward s: a list of gradients per hook, in order."""
        out = {}
        for h in self.ctxs[0].seen:
            seen = [c.seen[h] for c in self.ctxs]
            if any(len(x) != len(seen[0]) for x in seen):
                raise Reject("a hook ran in some environments only")
            out[h] = [self.grad_snap(s, [x[i] for x in seen]) for i in range(len(seen[0]))]
        return out

    def grad_snap(self, s, gs):
        """A gradient computed by backward s in every environment, with its tolerance."""
        gspec = s.get("gradient")
        up = max([abs(v) for v in gspec["values"] if isinstance(v, float) and math.isfinite(v)] + [1.0]) if gspec else 1.0
        nsteps = len(self.steps) + 1
        real = gs[0]
        # the sign of a zero gradient depends on how a backward formula is written (g * 0 vs 0): not compared
        snap = {"s": list(real.shape), "d": NAMES[real.dtype], "v": enc_values(real), "z0": True}
        if real.dtype in FLOATS:
            fin = torch.isfinite(real.double())
            gmag = float(real.double()[fin].abs().max()) if bool(fin.any()) else 0.0
            # a float64 gradient that flowed through float32 ops (a 0-dim float64 tensor with float32 ones gives
            # float32 results) carries their rounding, e.g. of the float32 sums reducing it to the leaf's shape
            low = torch.float32 if any(t.requires_grad and t.dtype == torch.float32
                                       for t in self.ctxs[0].t.values()) else real.dtype
            extra = 16 * EPS[low] * max(gmag, up) * nsteps
            tol = self.value_tol(real, gs[1], gs[2:], real.dtype, grad=True, extra=extra)
            if tol is not None:
                snap["tol"] = tol
        return snap

    def final(self):
        """Every name again; values (and their tol) left out where unchanged since recorded."""
        snaps = {}
        for n in self.names:
            snap = self.snapshot(n, None)
            if self.last.get(n) is not None and json.dumps(snap["v"]) == json.dumps(self.last[n]):
                del snap["v"]  # compared with the values (and tol) recorded last
                snap.pop("tol", None)
            snaps[n] = snap
        return snaps


# ------------------------------------------------------------------------------------------------ drawing steps

def rand_shape(rng, base):
    """A shape related to the program's base shape: a suffix of it, some dims set to 1 (so they broadcast)."""
    k = rng.int(0, len(base))
    shape = list(base[len(base) - k:])
    for i in range(len(shape)):
        if rng.chance(0.25):
            shape[i] = 1
    return shape


def shape_for(rng, base):
    if rng.chance(0.1):
        return [rng.int(1, 3) for _ in range(rng.int(0, 3))]
    return rand_shape(rng, base)


class Drawer:
    """Draws candidate steps for a program."""

    def __init__(self, p):
        self.p = p
        self.rng = p.rng
        r = self.rng
        self.base = [r.int(1, 4) for _ in range(r.int(1, 3))]
        while numel(self.base) > 24:
            self.base[r.int(0, len(self.base) - 1)] = 1

    # --- helpers

    def live(self, pred=lambda t: True):
        real = self.p.ctxs[0].t
        return [n for n in self.p.names if n in real and n not in self.p.hidden and _holds(pred, real[n])]

    def pick(self, pred=lambda t: True, recent=True):
        c = self.live(pred)
        if not c:
            raise Reject("no argument")
        if recent and self.rng.chance(0.5):
            return c[-1 - self.rng.int(0, min(2, len(c) - 1))]
        return self.rng.choice(c)

    def t(self, n):
        return self.p.ctxs[0].t[n]

    def dim(self, t, allow_bad=True):
        d = t.dim()
        if allow_bad and self.rng.chance(0.03):
            return self.rng.choice([d, -d - 1, d + 1])
        if d == 0:
            return self.rng.choice([0, -1])
        i = self.rng.int(0, d - 1)
        return i - d if self.rng.chance(0.3) else i

    def dims(self, t):
        d = t.dim()
        if d == 0:
            return self.rng.choice([[], [0], [-1]])
        ks = self.rng.shuffled(range(d))[:self.rng.int(1, d)]
        out = [k - d if self.rng.chance(0.3) else k for k in ks]
        if self.rng.chance(0.03):
            out.append(out[0])  # a repeated dim: torch's error
        return out

    def scalar(self):
        return self.rng.choice([0.5, -1.5, 2.0, 0.25, 3.0, -0.125, 0.1, 1.0 / 3.0, -2.0, 0.0])

    def lit(self, dtype, shape, rg=None, values=None, lo=-5, hi=5):
        if rg is None:
            rg = dtype in (F32, F64) and self.rng.chance(0.7)
        if values is None:
            values = rand_values(self.rng, dtype, shape, lo=lo, hi=hi)
        return {"op": "lit", "args": [], "out": self.p.fresh(), "dtype": dtype, "shape": shape, "values": values,
                "rg": rg}

    def float_dtype(self):
        return self.rng.weighted([(F32, 6), (F64, 3)])

    def any_dtype(self):
        return self.rng.weighted([(F32, 6), (F64, 3), (I64, 2), (B, 1)])

    # --- the step kinds

    def draw(self):
        r = self.rng
        kind = r.weighted([("create", 6), ("unary", 14), ("binary", 16), ("reduce", 12), ("view", 16),
                           ("index", 8), ("inplace", 10), ("matmul", 3), ("autograd", 7), ("hook", 5), ("str", 3)])
        s = getattr(self, "draw_" + kind)()
        if s is not None and "no_grad" not in s and s["op"] not in ("lit", "backward", "str", "retain_grad") \
                and r.chance(0.08):
            s["no_grad"] = True
        return s

    def draw_create(self):
        r = self.rng
        op = r.weighted([("lit", 8), ("zeros", 1), ("ones", 1), ("full", 1), ("scalar", 1), ("arange", 1),
                         ("arange_float", 1), ("randn", 1), ("rand", 1), ("randint", 1), ("randperm", 1)])
        shape = shape_for(r, self.base)
        out = self.p.fresh()
        if op == "lit":
            return self.lit(self.any_dtype(), shape)
        if op in ("zeros", "ones"):
            return {"op": op, "args": [], "out": out, "dtype": self.any_dtype(), "shape": shape}
        if op == "full":
            dt = self.any_dtype()
            v = r.int(0, 1) if dt == B else (r.int(-3, 3) if dt == I64 else r.float_value())
            return {"op": op, "args": [], "out": out, "dtype": dt, "shape": shape, "value": float(v)}
        if op == "scalar":
            return {"op": op, "args": [], "out": out, "value": r.float_value()}
        if op == "arange":
            start, end, step = r.int(-3, 3), r.int(-3, 9), r.choice([1, 1, 2, 3, -1, -2])
            return {"op": op, "args": [], "out": out, "start": start, "end": end, "step": step}
        if op == "arange_float":
            start, end, step = r.float_value(False), r.float_value(False), r.choice([0.5, 0.25, 1.0, -0.5, 0.75])
            return {"op": op, "args": [], "out": out, "start": start, "end": end, "step": step}
        if op in ("randn", "rand"):
            return {"op": op, "args": [], "out": out, "shape": shape, "seed": r.int(0, 10 ** 6)}
        if op == "randint":
            lo = r.int(-4, 2)
            return {"op": op, "args": [], "out": out, "shape": shape, "low": lo, "high": lo + r.int(1, 6),
                    "seed": r.int(0, 10 ** 6)}
        return {"op": op, "args": [], "out": out, "n": r.int(1, 6), "seed": r.int(0, 10 ** 6)}

    def draw_unary(self):
        r = self.rng
        op = r.choice(sorted(UNARY_METHODS) + ["nan_to_num", "clamp", "clamp_min", "clamp_max", "leaky_relu",
                                               "hardtanh", "elu", "gelu", "silu", "mish", "softplus"])
        x = self.pick(lambda t: r.chance(0.9) == (t.dtype in FLOATS))
        s = {"op": op, "args": [x], "out": self.p.fresh()}
        if op == "nan_to_num":
            s.update(nan=r.choice([0.0, 1.5]), posinf=r.choice([2.0, 100.0]), neginf=r.choice([-2.0, -100.0]))
        elif op == "clamp":
            lo = r.float_value(False)
            s.update(min=lo, max=lo + r.choice([0.0, 0.5, 1.0, 2.5, -0.5]))
        elif op == "clamp_min":
            s.update(min=r.float_value(False))
        elif op == "clamp_max":
            s.update(max=r.float_value(False))
        elif op == "leaky_relu":
            s.update(slope=r.choice([0.01, 0.2, 0.5]))
        elif op == "hardtanh":
            s.update(min=r.choice([-1.0, -0.5]), max=r.choice([1.0, 0.5, 2.0]))
        elif op == "elu":
            s.update(alpha=r.choice([1.0, 0.5]))
        elif op == "gelu":
            s.update(approximate=r.choice(["none", "tanh"]))
        if op in ("hardtanh", "clamp", "clamp_min", "clamp_max", "elu") and self.t(x).requires_grad and \
                self.t(x).dtype in FLOATS and bool(torch.isnan(self.t(x)).any()):
            # torch 1.13's hardtanh_backward at NaN is 1 on its scalar path and 0 on its vector path; elu_backward's
            # is the positive branch's (grad * scale) on its scalar path and NaN on its vector path
            raise Reject("torch bug")
        if op == "gelu" and self.t(x).dtype == torch.float32 and \
                bool(((self.t(x) == 0) & torch.signbit(self.t(x))).any()):
            # torch 1.13's float32 gelu of -0.0 is +0.0 on its vector path (any tensor of 2+ elements) and -0.0 on
            # its scalar path (one element); IEEE's x * 0.5 * (1 + erf(x / sqrt 2)) is -0.0, which vectorgrad gives
            raise Reject("torch: sign of gelu(-0.0)")
        elif op == "softplus":
            s.update(beta=r.choice([1.0, 2.0]), threshold=r.choice([20.0, 1.0]))
        return s

    def partner(self, x, pred=lambda t: True):
        """A second operand: broadcastable with x (mostly), of any dtype by pred."""
        r = self.rng
        xs = list(self.t(x).shape)
        if r.chance(0.3):
            return None
        cands = self.live(lambda t: pred(t) and (r.chance(0.05) or _broadcastable(xs, list(t.shape))))
        return r.choice(cands) if cands else None

    def draw_binary(self):
        r = self.rng
        form = r.weighted([("tensor", 10), ("scalar", 3), ("int", 2), ("pow_base", 1), ("where", 2), ("ternary", 2)])
        if form == "scalar":
            op = r.choice(sorted(SCALAR_METHODS))
            x = self.pick()
            value = self.scalar()
            if op == "pow_scalar":
                value = r.choice([2.0, 0.5, 3.0, -1.0, 1.5, 0.0])
            return {"op": op, "args": [x], "out": self.p.fresh(), "value": value}
        if form == "int":
            op = r.choice(sorted(INT_METHODS))
            return {"op": op, "args": [self.pick()], "out": self.p.fresh(), "int": r.choice([2, -3, 0, 1, 5])}
        if form == "pow_base":
            return {"op": "pow_base", "args": [self.pick()], "out": self.p.fresh(), "base": r.choice([2.0, 0.5, 3.0])}
        x = self.pick()
        if form == "where":
            c = self.pick(lambda t: t.dtype == torch.bool or r.chance(0.03))
            y = self.partner(x)
            if y is None:
                raise Reject("no partner")
            return {"op": "where", "args": [c, x, y], "out": self.p.fresh()}
        if form == "ternary":
            op = r.choice(["lerp", "addcmul", "addcdiv"])
            y = self.partner(x, lambda t: t.dtype in FLOATS)
            z = self.partner(x, lambda t: t.dtype in FLOATS)
            if y is None or z is None:
                raise Reject("no partner")
            if op == "lerp":
                return {"op": op, "args": [x, y], "out": self.p.fresh(), "weight": r.choice([0.25, 0.5, 0.75])}
            return {"op": op, "args": [x, y, z], "out": self.p.fresh(), "value": r.choice([1.0, 0.5, -2.0])}
        op = r.choice(sorted(BINARY_METHODS) + ["add", "sub", "mul", "div"] * 2)
        y = self.partner(x)
        if y is None:
            y_step = self.lit(self.any_dtype() if r.chance(0.3) else NAMES[self.t(x).dtype],
                              rand_shape(r, list(self.t(x).shape)) if r.chance(0.8) else shape_for(r, self.base))
            self.p.try_step(y_step)
            y = y_step["out"]
        return {"op": op, "args": [x, y] if r.chance(0.8) else [y, x], "out": self.p.fresh()}

    def draw_reduce(self):
        r = self.rng
        x = self.pick(lambda t: r.chance(0.85) == (t.dtype in FLOATS))
        t = self.t(x)
        op = r.choice(["sum", "mean", "max", "min", "argmax", "argmin", "prod", "var", "std", "norm", "all", "any",
                       "count_nonzero", "sum_dims", "mean_dims", "amax", "amin", "max_dim", "min_dim", "argmax_dim",
                       "argmin_dim", "var_dims", "std_dims", "logsumexp", "norm_p", "cumsum", "count_nonzero_dims",
                       "softmax", "log_softmax", "sum_dims", "mean_dims"])
        s = {"op": op, "args": [x]}
        if op in ("max_dim", "min_dim"):
            s["outs"] = [self.p.fresh(), self.p.fresh()]
        else:
            s["out"] = self.p.fresh()
        if op in ("sum_dims", "mean_dims", "amax", "amin", "var_dims", "std_dims", "logsumexp", "norm_p",
                  "count_nonzero_dims"):
            s["dims"] = self.dims(t)
            if op != "count_nonzero_dims":
                s["keepdim"] = r.chance(0.4)
        if op in ("max_dim", "min_dim", "argmax_dim", "argmin_dim", "cumsum", "softmax", "log_softmax"):
            s["dim"] = self.dim(t)
            if op not in ("cumsum", "softmax", "log_softmax"):
                s["keepdim"] = r.chance(0.4)
        if op in ("var_dims", "std_dims"):
            s["correction"] = r.choice([0, 1, 1])
        if op in ("softmax", "log_softmax") and t.dtype not in FLOATS and t.numel() == 0:
            raise Reject("torch quirk: no kernel runs for an empty tensor, so no dtype check")
        if op in ("argmax_dim", "argmin_dim") and t.dtype == torch.bool and \
                (t.dim() == 0 or (-t.dim() <= s["dim"] < t.dim() and t.shape[s["dim"]] == 1)):
            # torch 1.13 returns zeros without calling its kernel (which refuses bool) when the dim has size 1
            raise Reject("torch quirk")
        if op in ("var", "std", "var_dims", "std_dims") and (t.numel() <= 1 or s.get("dims") == []):
            # torch 1.13's var/std backward is broken there (an invalid gradient shape; see gen_math.py)
            raise Reject("torch bug")
        if op == "norm_p":
            s["p"] = r.choice([1.0, 2.0, 3.0])
        return s

    def draw_view(self):
        r = self.rng
        x = self.pick()
        t = self.t(x)
        d = t.dim()
        shape = list(t.shape)
        op = r.choice(["view", "reshape", "flatten", "unflatten", "transpose", "t", "mT", "permute", "expand",
                       "expand_as", "squeeze", "squeeze_dim", "unsqueeze", "narrow", "select", "slice", "split",
                       "chunk", "unbind", "contiguous", "clone", "detach", "to", "cat", "stack", "select", "slice",
                       "transpose", "permute", "expand"])
        s = {"op": op, "args": [x], "out": self.p.fresh()}
        if op in LAYOUT_SENSITIVE and not faithful(t):
            # torch keeps a permuted layout for some op results where vectorgrad's are contiguous: view() may then
            # fail, reshape() copy, contiguous() copy in torch only
            raise Reject("layout differs by design")
        if op == "mT" and d == 0:
            # torch 1.13 returns a 0-dim tensor itself; later versions (and vectorgrad) reject it
            raise Reject("torch quirk")
        if op in ("view", "reshape"):
            n = numel(shape)
            divs = [k for k in range(1, n + 1) if n % k == 0] or [1]
            k = r.choice(divs)
            new = [k, n // k] if n else [0]
            if r.chance(0.3):
                new = [-1] + new[1:]
            if r.chance(0.2):
                new = [n]
            if r.chance(0.05):
                new = [n + 1]
            if r.chance(0.2) and n:
                new = new + [1]
            s["shape"] = new
        elif op == "flatten":
            if d == 0:
                s.update(start=0, end=-1)
            else:
                a, b = sorted([r.int(0, d - 1), r.int(0, d - 1)])
                s.update(start=a, end=b)
        elif op == "unflatten":
            if d == 0:
                raise Reject("0-dim")
            k = r.int(0, d - 1)
            n = shape[k]
            f = r.choice([f for f in range(1, n + 1) if n % f == 0] or [1])
            s.update(dim=k, sizes=[f, -1] if r.chance(0.3) else [f, n // f if f else 0])
        elif op == "transpose":
            s.update(dim0=self.dim(t), dim1=self.dim(t))
        elif op == "permute":
            dims = r.shuffled(range(d))
            s["dims"] = [k - d if r.chance(0.2) else k for k in dims]
        elif op == "expand":
            new = [(r.int(2, 3) if sz == 1 and r.chance(0.5) else (-1 if r.chance(0.3) else sz)) for sz in shape]
            if r.chance(0.4):
                new = [r.int(1, 3)] + new
            s["shape"] = new
        elif op == "expand_as":
            y = self.pick(lambda u: _expandable(shape, list(u.shape)) or r.chance(0.05), recent=False)
            s["args"] = [x, y]
        elif op == "squeeze_dim":
            s["dim"] = self.dim(t)
        elif op == "unsqueeze":
            s["dim"] = r.int(-d - 1, d)
        elif op in ("narrow", "slice", "select", "split", "chunk", "unbind"):
            if d == 0 and op != "select":
                raise Reject("0-dim")
            k = self.dim(t, allow_bad=True) if d else 0
            n = shape[k] if -d <= k < d else 1
            if op == "narrow":
                st = r.int(-n, n - 1) if n else 0
                s.update(dim=k, start=st, length=r.int(0, n - (st % n if n else 0)) if not r.chance(0.03) else n + 1)
            elif op == "slice":
                st = r.int(-n, n)
                end = r.choice([r.int(-n, n), 2 ** 63 - 1])
                s.update(dim=k, start=st, end=end, step=r.choice([1, 1, 2, 3]))
            elif op == "select":
                s.update(dim=k, index=r.int(-n, n - 1) if not r.chance(0.03) else n)
            elif op == "split":
                s.pop("out")
                size = r.int(1, max(1, n))
                s.update(dim=k, size=size, outs=[self.p.fresh() for _ in range(max(1, -(-n // size)))])
            elif op == "chunk":
                s.pop("out")
                c = r.int(1, 3)
                parts = len(torch.empty(n).chunk(c)) if n else 1
                s.update(dim=k, chunks=c, outs=[self.p.fresh() for _ in range(parts)])
            else:
                s.pop("out")
                s.update(dim=k, outs=[self.p.fresh() for _ in range(n)])
                if n == 0:
                    raise Reject("empty unbind")
        elif op == "to":
            s["dtype"] = self.any_dtype()
            if s["dtype"] == I64 and t.dtype in FLOATS and t.numel() and \
                    not bool((t.detach().double().abs() < 2.0 ** 62).all()):
                raise Reject("float to int64 of NaN, infinities or huge values is undefined in C++")
        elif op in ("cat", "stack"):
            k = r.int(-d - (1 if op == "stack" else 0), d - (0 if op == "stack" else 1)) if d else 0
            others = self.live(lambda u: u.dtype == t.dtype or r.chance(0.2))
            others = [o for o in others if _catable(op, shape, list(self.t(o).shape), k) or r.chance(0.03)]
            args = [x] + r.shuffled(others)[:r.int(0, 2)]
            s.update(dim=k, args=r.shuffled(args))
        return s

    def draw_index(self):
        r = self.rng
        op = r.choice(["index_select", "gather", "scatter_add", "masked_fill", "masked_select", "nonzero",
                       "one_hot", "index_select", "masked_fill"])
        if op == "one_hot":
            x = self.pick(lambda t: t.dtype == torch.int64 or r.chance(0.05))
            return {"op": op, "args": [x], "out": self.p.fresh(), "num_classes": r.choice([-1, 6, 8])}
        if op == "nonzero":
            return {"op": op, "args": [self.pick()], "out": self.p.fresh()}
        # not on 0-dim tensors: torch 1.13's index_select of one returns garbage for an empty index and its backward
        # raises "Dimension specified as 0 but tensor has no dimensions"
        x = self.pick(lambda t: t.dim() > 0)
        t = self.t(x)
        shape = list(t.shape)
        d = t.dim()
        if op in ("masked_fill", "masked_select"):
            m = self.pick(lambda u: u.dtype == torch.bool and _broadcastable(shape, list(u.shape)), recent=False) \
                if r.chance(0.5) and self.live(lambda u: u.dtype == torch.bool) else None
            if m is None:
                ms = self.lit(B, rand_shape(r, shape) if d else [])
                self.p.try_step(ms)
                m = ms["out"]
            s = {"op": op, "args": [x, m], "out": self.p.fresh()}
            if op == "masked_fill":
                s["value"] = self.scalar()
            return s
        k = self.dim(t) if d else 0
        n = shape[k] if -d <= k < d else 1
        bad = r.chance(0.03)
        if op == "index_select":
            idx = self.lit(I64, [r.int(0, 4)], lo=0, hi=max(0, n - 1) + (2 if bad else 0))
        else:
            ishape = [max(1, min(sz, r.int(1, sz + 1))) for sz in shape]
            idx = self.lit(I64, ishape, lo=0, hi=max(0, n - 1) + (2 if bad else 0))
        if n == 0 and not bad:
            raise Reject("empty dim")
        self.p.try_step(idx)
        s = {"op": op, "args": [x, idx["out"]], "out": self.p.fresh(), "dim": k}
        if op == "scatter_add":
            src = self.lit(NAMES[t.dtype], list(self.t(idx["out"]).shape))
            src["rg"] = t.dtype in FLOATS and r.chance(0.5)
            self.p.try_step(src)
            s["args"].append(src["out"])
        return s

    def draw_inplace(self):
        r = self.rng
        op = r.choice(["add_", "sub_", "mul_", "div_", "copy_", "add_scalar_", "sub_scalar_", "mul_scalar_",
                       "div_scalar_", "zero_", "fill_", "clamp_", "exp_", "relu_", "sigmoid_", "tanh_",
                       "masked_fill_", "add_", "mul_", "copy_"])
        # mostly views and results (legal), sometimes leaves that require grad (torch's error)
        x = self.pick(lambda t: (not (t.is_leaf and t.requires_grad)) or r.chance(0.15))
        t = self.t(x)
        s = {"op": op, "args": [x], "out": x}
        if op in ("add_", "sub_", "mul_", "div_", "copy_"):
            y = self.partner(x)
            if y is None:
                st = self.lit(NAMES[t.dtype] if r.chance(0.8) else self.any_dtype(), rand_shape(r, list(t.shape)))
                self.p.try_step(st)
                y = st["out"]
            s["args"].append(y)
        elif op.endswith("scalar_"):
            s["value"] = self.scalar()
        elif op == "fill_":
            s["value"] = self.scalar()
        elif op == "clamp_":
            lo = r.float_value(False)
            s.update(min=lo, max=lo + r.choice([0.5, 1.0, 2.0]))
        elif op == "masked_fill_":
            ms = self.lit(B, rand_shape(r, list(t.shape)))
            self.p.try_step(ms)
            s["args"].append(ms["out"])
            s["value"] = self.scalar()
        return s

    def draw_matmul(self):
        r = self.rng
        op = r.choice(["matmul", "mm", "bmm", "mv", "dot", "outer", "matmul"])
        dt = self.float_dtype()
        m, k, n, b = r.int(1, 3), r.int(1, 4), r.int(1, 3), r.int(1, 2)
        shapes = {"mm": ([m, k], [k, n]), "bmm": ([b, m, k], [b, k, n]), "mv": ([m, k], [k]), "dot": ([k], [k]),
                  "outer": ([m], [n])}
        if op == "matmul":
            a = r.choice([[k], [m, k], [b, m, k]])
            c = r.choice([[k], [k, n], [b, k, n], [1, k, n]])
            shapes[op] = (a, c)
        sa, sb = shapes[op]
        if r.chance(0.03):
            sb = [d + 1 for d in sb]
        args = []
        for sh in (sa, sb):
            ex = self.live(lambda t: list(t.shape) == sh and t.dtype in FLOATS)
            if ex and r.chance(0.5):
                args.append(r.choice(ex))
            else:
                st = self.lit(dt, sh)
                self.p.try_step(st)
                args.append(st["out"])
        return {"op": op, "args": args, "out": self.p.fresh()}

    def draw_autograd(self):
        r = self.rng
        op = r.weighted([("backward", 10), ("retain_grad", 2), ("requires_grad_", 2), ("grad_zero_", 1)])
        if op == "backward":
            x = self.pick(lambda t: t.requires_grad or r.chance(0.05))
            t = self.t(x)
            s = {"op": "backward", "args": [x], "retain_graph": r.chance(0.5)}
            if t.numel() != 1 or r.chance(0.3):
                shape = list(t.shape) if not r.chance(0.03) else list(t.shape) + [2]
                dt = NAMES[t.dtype] if t.dtype in FLOATS else F32
                s["gradient"] = {"dtype": dt, "shape": shape, "values": rand_values(r, dt, shape, special=False)}
            return s
        if op == "retain_grad":
            # not on views: torch 1.13 crashes (SIGSEGV) in retain_grad() of a view of a leaf that was modified in
            # place under no_grad
            x = self.pick(lambda t: t.requires_grad and not t._is_view())
            return {"op": op, "args": [x], "no_grad": False}
        if op == "grad_zero_":
            x = self.pick(lambda t: t.grad is not None if t.is_leaf else False)
            return {"op": op, "args": [x]}
        real = self.p.ctxs[0].t
        x = self.pick(lambda t: not any(real[n]._is_view() and real[n]._base is t for n in self.p.names if n in real))
        return {"op": op, "args": [x], "out": x, "flag": r.chance(0.7)}

    def draw_hook(self):
        """register_hook (on leaves, results and views; now and then on a tensor that does not require grad: torch's
        error), or remove() of an earlier hook's handle."""
        r = self.rng
        if r.chance(0.2):
            handles = [rec["handle"] for rec in self.p.records if rec["op"] == "hook" and "error" not in rec]
            if not handles:
                raise Reject("no hook")
            return {"op": "hook_remove", "args": [], "handle": r.choice(handles)}
        x = self.pick(lambda t: t.requires_grad or r.chance(0.03))
        kind = r.weighted([("scale", 3), ("add", 2), ("record", 3)])
        s = {"op": "hook", "args": [x], "kind": kind, "handle": f"h{len(self.p.steps)}"}
        if kind == "scale":
            s["value"] = r.choice([0.5, 2.0, -1.0, 0.25, 3.0])
        elif kind == "add":
            s["value"] = r.choice([0.5, -1.0, 0.125, 2.0])
        return s

    def draw_str(self):
        return {"op": "str", "args": [self.pick()]}


LAYOUT_SENSITIVE = {"view", "reshape", "flatten", "unflatten", "contiguous"}


def faithful(t):
    """Whether vectorgrad has t's strides too: a contiguous non-view, or a view of one."""
    return (t._base if t._is_view() else t).is_contiguous()


def _holds(pred, t):
    """pred(t), False where torch refuses to tell (autograd state of a no_grad view whose base was modified)."""
    try:
        return bool(pred(t))
    except RuntimeError:
        return False


def _broadcastable(a, b):
    for x, y in zip(reversed(a), reversed(b)):
        if x != y and x != 1 and y != 1:
            return False
    return True


def _expandable(src, dst):
    if len(src) > len(dst):
        return False
    for x, y in zip(reversed(src), reversed(dst)):
        if x != y and x != 1:
            return False
    return True


def _catable(op, a, b, k):
    if len(a) != len(b):
        return False
    if op == "stack":
        return a == b
    d = len(a)
    k = k % d if d else 0
    return all(x == y for i, (x, y) in enumerate(zip(a, b)) if i != k)


# --------------------------------------------------------------------------------------------------- generation

def generate(seed):
    """One program: its record for the corpus (None if it came out empty)."""
    p = Program(seed)
    dr = Drawer(p)
    r = p.rng
    n_inputs = r.int(1, 3)
    for _ in range(n_inputs):
        s = dr.lit(dr.any_dtype() if r.chance(0.3) else dr.float_dtype(), rand_shape(r, dr.base))
        p.try_step(s)
    target = r.int(4, 12)
    attempts = 0
    while len(p.steps) < target + n_inputs and attempts < 80 and not p.ended:
        attempts += 1
        try:
            s = dr.draw()
            if s is None:
                continue
            p.try_step(s)
        except Reject:
            continue
    # end most programs with a backward of a scalar (the common case), if something requires grad
    if r.chance(0.6):
        try:
            cands = dr.live(lambda t: t.requires_grad and t.dtype in FLOATS)
            if cands:
                x = cands[-1]
                if r.chance(0.3):  # a hook that this backward runs, now and then
                    try:
                        p.try_step(dr.draw_hook())
                    except Reject:
                        pass
                s = {"op": "sum", "args": [x], "out": p.fresh()}
                p.try_step(s)
                p.try_step({"op": "backward", "args": [s["out"]], "retain_graph": r.chance(0.3)})
        except Reject:
            pass
    try:
        final = p.final()
    except Reject:
        final = None
    rec = {"seed": seed, "steps": p.records}
    if final is not None:
        rec["final"] = final
    return rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(HERE, "corpus.jsonl.gz"))
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only", type=int, default=None, help="print the one program with this seed")
    args = ap.parse_args()
    if args.only is not None:
        print(json.dumps(generate(args.only), indent=1))
        return
    seeds = [args.seed * 1000003 + i for i in range(args.count)]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    n_steps = 0
    ops = {}
    # spawned workers: torch's thread pools do not survive fork()
    with gzip.GzipFile(args.out, "wb", mtime=0) as gz, multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        gz.write((json.dumps({"generator": "gen_fuzz.py", "torch": torch.__version__, "seed": args.seed,
                              "count": args.count}) + "\n").encode())
        for rec in pool.imap(generate, seeds, chunksize=16):
            gz.write((json.dumps(rec, separators=(",", ":")) + "\n").encode())
            for s in rec["steps"]:
                n_steps += 1
                ops[s["op"]] = ops.get(s["op"], 0) + 1
    print(f"{args.count} programs, {n_steps} steps, {len(ops)} ops -> {args.out}", file=sys.stderr)
    print(" ".join(f"{k}:{v}" for k, v in sorted(ops.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
