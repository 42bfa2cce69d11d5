#!/usr/bin/python3
"""Writes the PyTorch goldens for the math ops of issue 7: unary math, activations, clamp, pointwise binary math,
comparisons and logical ops, in-place arithmetic, reductions (max/min/arg*/prod/var/std/logsumexp/norm/cumsum/all/any/
count_nonzero) and softmax / log_softmax.

    /usr/bin/python3 src/test/resources/golden/math/gen_math.py    (PyTorch 1.13; writes math.json beside this file)

math.json holds "cases", replayed by PyTorchGoldenMathTest through the Java API, and "tolerances", the per-op table
below. The program format is the one of golden/views/views.json (gen_views.py):

  inputs    leaves: name, dtype ("float32", "float64", "int64", "bool"), shape, exact row-major values (floats:
            Python's repr of a float64, exact; "NaN"/"Infinity"/"-Infinity" as strings; int64: JSON integers, exact
            over the whole int64 range; bool: true/false), requires_grad.
  steps     one op each: {"op", "args": [names], "out"} or, for max(dim)/min(dim), "outs": [values, indices]; plus the
            op's parameters (value, base, min, max, dim, dims, keepdim, correction, p, weight, slope, alpha, beta,
            threshold, approximate, nan, posinf, neginf, ...) and "no_grad" when run under torch.no_grad().
            "expect" is a snapshot of the result right after the step (a list of them for "outs"): shape, dtype,
            values, requires_grad, is_leaf, grad_fn (the node's class name as str(t) prints it), version (_version),
            is_view, stride, storage_offset, is_contiguous, and "same_as": the argument name when torch returned that
            very tensor (in-place ops). Stride/offset are compared for views only (a copy is contiguous in Java).
            "tol": how close a float result must be: |actual - expected| <= ulp * ulp(expected) + max(atol,
            atol_each[i]), where ulp(expected) is the spacing of the result's dtype at |expected| (Math.ulp((float) e)
            for float32) and atol = eps(dtype) * abs * ref, with ref the largest finite |value| of the op's float inputs
            ("input"), of its expected result ("output"), their sum ("sum": for reductions), or 1 ("one"); the
            (ulp, abs, ref) of each op and dtype are in the "tolerances" table. "atol_each", element by element, is
            (a) for a step that reads values which may already differ from torch's (results of earlier rounding steps,
            in a chain or after an in-place op), the first-order propagation sum_j |d y_i / d x_j| * allowed_j of
            those inputs' allowed differences (the float64 Jacobian at torch's input values; a view passes them on),
            plus (b) for float32 results of reductions and of such chained steps, twice torch's own error,
            |torch's float32 result - the same program replayed in float64|: Java may be as far on the other side of
            the exact value. NaN must be NaN and an infinity the same infinity;
            "signed_zeros": true where the sign of a zero result is pinned down (C99/IEEE, and torch's vector and
            scalar paths agree) and must match too. int64 and bool values are always compared exactly.
            A step that torch rejects carries "error": {torch_type, message, fragment (the message's first sentence,
            which the Java message must contain), java_type (the exception class the Java API promises:
            IllegalArgumentException for bad dims/shapes/dtypes, IndexOutOfBoundsException for index values,
            IllegalStateException for autograd/state errors, ArithmeticException for an integer division by zero)};
            it is the case's last step.
  final     a snapshot of every name after the last step (values left out where unchanged since recorded);
            "final_tol" is the loosest step tolerance of the case.
  backward  the backward calls, in order: {"of", "gradient": tensor or null (implicit), "retain_graph"}, or with
            "error" as for steps (the second backward through a node whose saved tensors were freed).
  grads     .grad of every name after the backward calls: a tensor, or null where torch has None; "grad_tol" per name:
            {ulp, atol, atol_each}: the sum of the ulp of the differentiable steps' gradient tolerances;
            atol = eps(dtype) * (sum of their abs) * max(largest finite |upstream gradient|, largest finite |grad|);
            atol_each (float32 grads of cases with reductions or chained steps) twice torch's own error against the
            float64 replay, plus, for a leaf that the one step reading it broadcasts (its gradient a sum of n terms),
            (n + 1) * eps * sum |term| (the float64 terms, from the replay with that leaf expanded).

Float32 transcendental results differ in their last bits between implementations (torch: Sleef / glibc; Java:
StrictMath-like Math.* rounded to float, or the Vector API's intrinsics), so they get 2-4 ulp; erf and gelu in float32
use a 1.2e-7-relative erfc fit (kernels/ScalarMath.java) and get more. Ops that IEEE arithmetic pins down (abs, neg,
sqrt, reciprocal, floor, clamp, maximum, comparisons, ...) get 0 ulp: bit-for-bit.

Where torch 1.13 itself is wrong the case says so: log1p(3.4e38f), log1p(1.7e308), sinh(710) and cosh(710) overflow to
inf in torch (its Sleef kernels), so those elements expect Python's math module instead; var/std of one element and
var/std over dims=[] have broken gradients in torch (a shape error, infinities), so those cases check the forward only.

Every case is seeded from the crc32 of its id, so adding a case leaves the others' numbers as they were.
"""
import json
import math
import os
import warnings
import zlib

import torch
import torch.nn.functional as F

assert torch.__version__.startswith("1.13"), torch.__version__

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "bool": torch.bool}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}
FLOATS = {"float32", "float64"}
F32, F64, I64, B = "float32", "float64", "int64", "bool"
IAE, ISE, IOOBE = "IllegalArgumentException", "IllegalStateException", "IndexOutOfBoundsException"
AE = "ArithmeticException"
MAYBE_ISE = "whatever torch does (IllegalStateException if it raises)"
EPS = {F32: 2.0 ** -23, F64: 2.0 ** -52}
INF, NAN = float("inf"), float("nan")

# ----------------------------------------------------------------------------------------------------------- encoding


def enc_value(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v  # json writes repr(float64): exact, and exact for a float32 too


def enc_values(t, dtype_name):
    flat = t.detach().reshape(-1)
    if dtype_name in FLOATS:
        return [enc_value(v) for v in flat.double().tolist()]
    if dtype_name == "int64":
        return [int(v) for v in flat.tolist()]
    return [bool(v) for v in flat.tolist()]


def enc_tensor(t):
    name = DTYPE_NAMES[t.dtype]
    return {"shape": list(t.shape), "dtype": name, "values": enc_values(t, name)}


def grad_fn_name(t):
    return type(t.grad_fn).__name__ if t.grad_fn is not None else None


def snapshot(t, args=None, env=None):
    s = enc_tensor(t)
    s.update({
        "requires_grad": t.requires_grad,
        "is_leaf": t.is_leaf,
        "grad_fn": grad_fn_name(t),
        "version": t._version,
        "is_view": t._is_view(),
        "stride": list(t.stride()),
        "storage_offset": t.storage_offset(),
        "is_contiguous": t.is_contiguous(),
    })
    if args is not None:
        for n in args:
            if env[n] is t:
                s["same_as"] = n
                break
    return s


def first_sentence(msg):
    line = msg.split("\n")[0]
    i = line.find(". ")
    return line if i < 0 else line[:i + 1]


def max_finite_abs(tensors):
    m = 0.0
    for t in tensors:
        if t is None or t.dtype not in (torch.float32, torch.float64) or t.numel() == 0:
            continue
        d = t.detach().double()
        d = d[torch.isfinite(d)]
        if d.numel():
            m = max(m, float(d.abs().max()))
    return m


def sum_finite_abs(tensors):
    m = 0.0
    for t in tensors:
        if t is None or t.dtype not in (torch.float32, torch.float64) or t.numel() == 0:
            continue
        d = t.detach().double()
        m += float(d[torch.isfinite(d)].abs().sum())
    return m


# ------------------------------------------------------------------------------------------------------- tolerances

class Tol:
    """Forward: ulp per dtype, abs per dtype (times eps(dtype) * ref); gradient: ulp and abs per dtype."""

    def __init__(self, ulp32=0, ulp64=0, abs32=0.0, abs64=0.0, ref="input", gulp32=None, gulp64=None, gabs32=0.0,
                 gabs64=0.0, signed_zeros=False):
        self.ulp = {F32: ulp32, F64: ulp64}
        self.abs = {F32: abs32, F64: abs64}
        self.ref = ref
        self.gulp = {F32: ulp32 + 2 if gulp32 is None else gulp32, F64: ulp64 + 2 if gulp64 is None else gulp64}
        self.gabs = {F32: gabs32, F64: gabs64}
        self.signed_zeros = signed_zeros

    def table(self):
        return {"float32": {"ulp": self.ulp[F32], "abs": self.abs[F32], "ref": self.ref,
                            "grad_ulp": self.gulp[F32], "grad_abs": self.gabs[F32]},
                "float64": {"ulp": self.ulp[F64], "abs": self.abs[F64], "ref": self.ref,
                            "grad_ulp": self.gulp[F64], "grad_abs": self.gabs[F64]},
                "signed_zeros": self.signed_zeros}


EXACT = Tol(0, 0, gulp32=0, gulp64=0, signed_zeros=True)          # results IEEE pins down; derivative 0, g or g*c
EXACT_G1 = Tol(0, 0, gulp32=1, gulp64=1, signed_zeros=True)       # exact forward, derivative one rounding
TRANS = Tol(2, 2, gulp32=4, gulp64=4, signed_zeros=True)          # one libm function
TRANS4 = Tol(4, 4, gulp32=6, gulp64=6, signed_zeros=True)         # sinh/cosh/tanh (Java's Math: 2.5 ulp in double)
TOL = {}


def tol(ops, t):
    for o in ops.split():
        TOL[o] = t


tol("abs neg sign floor ceil round trunc relu F.relu clamp clamp_min clamp_max clamp_ hardtanh relu_", EXACT)
tol("frac", Tol(0, 0, gulp32=0, gulp64=0, signed_zeros=True))
tol("square reciprocal sqrt", Tol(0, 0, gulp32=2, gulp64=2, signed_zeros=True))
tol("rsqrt", Tol(1, 1, gulp32=4, gulp64=4, signed_zeros=True))
tol("exp exp_ exp2 expm1 log log2 log10 log1p sin cos atan", TRANS)
tol("tan", Tol(2, 2, gulp32=6, gulp64=6, signed_zeros=True))
tol("asin acos", Tol(2, 2, gulp32=4, gulp64=4, gabs32=2, gabs64=2, signed_zeros=True))
tol("sinh cosh", TRANS4)
# tanh' = 1 - y^2 and sigmoid' = y (1 - y): torch rounds y*y / 1 - y in float, a cancellation worth a few eps * |g|
tol("tanh tanh_ F.tanh", Tol(4, 4, gulp32=4, gulp64=6, gabs32=4, gabs64=4, signed_zeros=True))
tol("sigmoid sigmoid_ F.sigmoid", Tol(4, 4, gulp32=6, gulp64=6, gabs32=2, gabs64=2, signed_zeros=True))
# float32 erf: 1.2e-7-relative erfc fit (ScalarMath.erf): an absolute error of ~2 eps around erf = +-1
tol("erf", Tol(3, 4, abs32=1, ref="one", gulp32=6, gulp64=6, signed_zeros=True))
tol("leaky_relu", Tol(0, 0, gulp32=1, gulp64=1, signed_zeros=True))
tol("elu", Tol(3, 3, gulp32=4, gulp64=4, signed_zeros=True))
# gelu(x) = x/2 (1 + erf(x/sqrt 2)): 1 + erf cancels for x < 0 (erf's float error is ~eps absolute near -1), and
# torch's vector path gives +0.0 for -0.0 where its scalar path gives -0.0: no signed zeros
tol("gelu", Tol(4, 4, abs32=2, abs64=2, ref="input", gulp32=8, gulp64=8, gabs32=4, gabs64=4))
tol("silu mish", Tol(4, 4, abs32=1, abs64=1, ref="input", gulp32=8, gulp64=8, gabs32=4, gabs64=4, signed_zeros=True))
tol("softplus", Tol(3, 3, gulp32=6, gulp64=6, gabs32=2, gabs64=2, signed_zeros=True))
tol("nan_to_num isnan isinf isfinite", EXACT)
# pointwise binary
tol("maximum minimum", Tol(0, 0, gulp32=0, gulp64=0))
tol("pow_scalar", Tol(2, 2, gulp32=6, gulp64=6, signed_zeros=True))
tol("pow pow_base", Tol(2, 2, gulp32=6, gulp64=6, gabs32=2, gabs64=2))
tol("atan2", Tol(2, 2, gulp32=6, gulp64=6, signed_zeros=True))
tol("fmod fmod_scalar remainder remainder_scalar", Tol(0, 0, gulp32=0, gulp64=0))
tol("eq ne lt le gt ge eq_scalar ne_scalar lt_scalar le_scalar gt_scalar ge_scalar logical_and logical_or "
    "logical_xor logical_not", EXACT)
# lerp: torch computes self + w * (end - self) for |w| < 0.5, else end - (end - self) * (1 - w): a few roundings
tol("lerp", Tol(2, 2, abs32=2, abs64=2, gulp32=2, gulp64=2))
tol("addcmul addcdiv", Tol(2, 2, abs32=2, abs64=2, gulp32=4, gulp64=4, gabs32=2, gabs64=2))
tol("add_ sub_ add_scalar_ sub_scalar_", Tol(0, 0, gulp32=0, gulp64=0))
tol("mul_ div_ mul_scalar_ div_scalar_", Tol(0, 0, gulp32=2, gulp64=2))
# round-1 helpers used in chains
tol("add sub mul add_scalar sub_scalar mul_scalar t slice select transpose expand narrow detach", Tol(0, 0, gulp32=1, gulp64=1))
tol("div div_scalar", Tol(0, 0, gulp32=3, gulp64=3))
tol("sum", Tol(4, 4, abs32=8, abs64=8, ref="sum", gulp32=0, gulp64=0))
# reductions
tol("max min max_dim min_dim amax amin argmax argmin argmax_dim argmin_dim", Tol(0, 0, gulp32=1, gulp64=1))
tol("all any count_nonzero count_nonzero_dims", EXACT)
tol("prod", Tol(8, 8, gulp32=8, gulp64=8, gabs32=4, gabs64=4))
tol("cumsum", Tol(4, 4, abs32=4, abs64=4, ref="sum", gulp32=4, gulp64=4, gabs32=8, gabs64=8))
tol("var std var_dims std_dims", Tol(8, 8, gulp32=8, gulp64=8, gabs32=8, gabs64=8))
tol("norm norm_p", Tol(8, 8, gulp32=8, gulp64=8, gabs32=4, gabs64=4))
tol("logsumexp", Tol(4, 4, abs32=4, abs64=4, ref="output", gulp32=8, gulp64=8, gabs32=4, gabs64=4))
# softmax: exp(x - max) / sum: a few ulp each; its derivative y * (g - sum(g * y)) cancels (it sums to 0)
tol("softmax F.softmax", Tol(4, 4, gulp32=8, gulp64=8, gabs32=8, gabs64=8, signed_zeros=False))
# log_softmax: x - max - log(sum): an absolute error of a few eps * |result|
tol("log_softmax F.log_softmax", Tol(4, 4, abs32=4, abs64=4, ref="output", gulp32=8, gulp64=8, gabs32=8, gabs64=8))


# ----------------------------------------------------------------------------------------------------------- inputs

class Gen:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def normal(self, shape, dtype, scale=1.0):
        return (torch.randn(tuple(shape), generator=self.g, dtype=torch.float64) * scale).to(dtype)

    def uniform(self, shape, dtype, lo, hi):
        return (lo + (hi - lo) * torch.rand(tuple(shape), generator=self.g, dtype=torch.float64)).to(dtype)

    def away_from_zero(self, shape, dtype, lo=0.5, hi=2.0):
        mag = lo + (hi - lo) * torch.rand(tuple(shape), generator=self.g, dtype=torch.float64)
        sign = torch.where(torch.rand(tuple(shape), generator=self.g) < 0.5, -1.0, 1.0).double()
        return (mag * sign).to(dtype)

    def ints(self, shape, lo, hi):
        return torch.randint(lo, hi, tuple(shape), generator=self.g, dtype=torch.int64)

    def bools(self, shape):
        return torch.rand(tuple(shape), generator=self.g) < 0.5


def inp(name, shape, dtype=F32, rg=None, kind=None, values=None, lo=-9, hi=10, scale=1.0):
    """A leaf. kind: normal (times scale) / uniform (in [lo, hi)) / away (|x| in [lo, hi], either sign) /
    int (uniform in [lo, hi)) / bool / values."""
    if rg is None:
        rg = dtype in FLOATS
    if kind is None:
        kind = "values" if values is not None else {"int64": "int", "bool": "bool"}.get(dtype, "normal")
    return {"name": name, "shape": list(shape), "dtype": dtype, "requires_grad": rg, "kind": kind,
            "given": values, "lo": lo, "hi": hi, "scale": scale}


def make_input(gen, i):
    dtype, shape = DTYPES[i["dtype"]], i["shape"]
    k = i["kind"]
    if k == "values":
        return torch.tensor(i["given"], dtype=dtype).reshape(shape)
    if k == "int":
        return gen.ints(shape, i["lo"], i["hi"]).to(dtype)
    if k == "bool":
        return gen.bools(shape).to(dtype)
    if k == "uniform":
        return gen.uniform(shape, dtype, i["lo"], i["hi"])
    if k == "away":
        return gen.away_from_zero(shape, dtype, i["lo"], i["hi"])
    return gen.normal(shape, dtype, i["scale"])


def step(op, args, out=None, **kw):
    s = {"op": op, "args": list(args)}
    if out is not None:
        if isinstance(out, (list, tuple)):
            s["outs"] = list(out)
        else:
            s["out"] = out
    s.update(kw)
    return s


def raises(java_type, op, args, out=None, **kw):
    return step(op, args, out, raises=java_type, **kw)


# ------------------------------------------------------------------------------------------------------ interpreter

UNARY = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "abs", "sign", "neg", "reciprocal",
         "square", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "relu", "erf",
         "floor", "ceil", "round", "trunc", "frac", "isnan", "isinf", "isfinite"]
COMPARE = ["eq", "ne", "lt", "le", "gt", "ge"]


def run_step(env, s):
    op, a = s["op"], [env[n] for n in s["args"]]
    x = a[0] if a else None
    if op in UNARY:
        return getattr(torch, op)(x)
    if op == "nan_to_num":
        if "nan" in s:
            return torch.nan_to_num(x, nan=s["nan"], posinf=s["posinf"], neginf=s["neginf"])
        return torch.nan_to_num(x)
    if op in ("exp_", "relu_", "sigmoid_", "tanh_"):
        return getattr(x, op)()
    if op == "clamp":
        return x.clamp(s["min"], s["max"])
    # Tensor.clampMin/clampMax are torch's clamp_min/clamp_max (the values of clamp(min=)/clamp(max=), whose node
    # torch 1.13 names ClampBackward1)
    if op == "clamp_min":
        return x.clamp_min(s["min"])
    if op == "clamp_max":
        return x.clamp_max(s["max"])
    if op == "clamp_":
        return x.clamp_(s["min"], s["max"])
    # activations (torch.nn.functional)
    # (without their parameters: torch's defaults)
    if op == "leaky_relu":
        return F.leaky_relu(x, s["slope"]) if "slope" in s else F.leaky_relu(x)
    if op == "elu":
        return F.elu(x, s["alpha"]) if "alpha" in s else F.elu(x)
    if op == "gelu":
        return F.gelu(x, approximate=s["approximate"]) if "approximate" in s else F.gelu(x)
    if op == "silu":
        return F.silu(x)
    if op == "mish":
        return F.mish(x)
    if op == "softplus":
        return F.softplus(x, s["beta"], s["threshold"]) if "beta" in s else F.softplus(x)
    if op == "hardtanh":
        return F.hardtanh(x, s["min"], s["max"]) if "min" in s else F.hardtanh(x)
    if op == "F.relu":
        return F.relu(x)
    if op == "F.sigmoid":
        return torch.sigmoid(x)  # F.sigmoid is torch.sigmoid (deprecated alias)
    if op == "F.tanh":
        return torch.tanh(x)
    if op == "F.softmax":
        return F.softmax(x, s["dim"])
    if op == "F.log_softmax":
        return F.log_softmax(x, s["dim"])
    # pointwise binary
    if op == "pow_scalar":
        return x.pow(float(s["value"]))
    if op == "pow":
        return x.pow(a[1])
    if op == "pow_base":
        return torch.pow(float(s["base"]), x)
    if op == "maximum":
        return torch.maximum(a[0], a[1])
    if op == "minimum":
        return torch.minimum(a[0], a[1])
    if op == "atan2":
        return torch.atan2(a[0], a[1])
    if op == "fmod_scalar":
        return x.fmod(float(s["value"]))
    if op == "fmod":
        return x.fmod(a[1])
    if op == "remainder_scalar":
        return x.remainder(float(s["value"]))
    if op == "remainder":
        return x.remainder(a[1])
    if op in COMPARE:
        return getattr(x, op)(a[1])
    if op.endswith("_scalar") and op[:-7] in COMPARE:
        return getattr(x, op[:-7])(float(s["value"]))
    if op in ("logical_and", "logical_or", "logical_xor"):
        return getattr(x, op)(a[1])
    if op == "logical_not":
        return x.logical_not()
    if op == "lerp":
        return x.lerp(a[1], float(s["weight"]))
    if op == "addcmul":
        return x.addcmul(a[1], a[2], value=float(s["value"]))
    if op == "addcdiv":
        return x.addcdiv(a[1], a[2], value=float(s["value"]))
    if op in ("add_", "sub_", "mul_", "div_"):
        return getattr(x, op)(a[1])
    if op in ("add_scalar_", "sub_scalar_", "mul_scalar_", "div_scalar_"):
        return getattr(x, op[:3] + "_")(float(s["value"]))
    # reductions
    if op in ("max", "min"):
        return getattr(x, op)()
    if op in ("max_dim", "min_dim"):
        r = getattr(x, op[:3])(s["dim"], s["keepdim"])
        return [r.values, r.indices]
    if op in ("amax", "amin"):
        return getattr(x, op)(s["dims"], s["keepdim"])
    if op in ("argmax", "argmin"):
        return getattr(x, op)()
    if op in ("argmax_dim", "argmin_dim"):
        return getattr(x, op[:6])(s["dim"], s["keepdim"])
    if op == "prod":
        return x.prod()
    if op in ("var", "std"):
        return getattr(x, op)()
    if op in ("var_dims", "std_dims"):
        return getattr(x, op[:3])(s["dims"], correction=s["correction"], keepdim=s["keepdim"])
    if op == "logsumexp":
        return x.logsumexp(s["dims"], s["keepdim"])
    if op == "norm":
        return x.norm()
    if op == "norm_p":
        return x.norm(float(s["p"]), s["dims"], s["keepdim"])
    if op == "cumsum":
        return x.cumsum(s["dim"])
    if op in ("all", "any"):
        return getattr(x, op)()
    if op == "count_nonzero":
        return x.count_nonzero()
    if op == "count_nonzero_dims":
        return x.count_nonzero(s["dims"])
    if op in ("softmax", "log_softmax"):
        return getattr(x, op)(s["dim"])
    # round-1 and view helpers
    if op == "add":
        return a[0] + a[1]
    if op == "sub":
        return a[0] - a[1]
    if op == "mul":
        return a[0] * a[1]
    if op == "div":
        return a[0] / a[1]
    if op == "add_scalar":
        return x + float(s["value"])
    if op == "sub_scalar":
        return x - float(s["value"])
    if op == "mul_scalar":
        return x * float(s["value"])
    if op == "div_scalar":
        return x / float(s["value"])
    if op == "sum":
        return x.sum()
    if op == "t":
        return x.t()
    if op == "transpose":
        return x.transpose(s["dim0"], s["dim1"])
    if op == "slice":
        return torch.ops.aten.slice(x, s["dim"], s["start"], s["end"], s["step"])
    if op == "select":
        return x.select(s["dim"], s["index"])
    if op == "narrow":
        return x.narrow(s["dim"], s["start"], s["length"])
    if op == "expand":
        return x.expand(tuple(s["shape"]))
    if op == "detach":
        return x.detach()
    raise ValueError(op)


NOT_DIFFERENTIABLE = {"isnan", "isinf", "isfinite", "eq", "ne", "lt", "le", "gt", "ge", "eq_scalar", "ne_scalar",
                      "lt_scalar", "le_scalar", "gt_scalar", "ge_scalar", "logical_and", "logical_or", "logical_xor",
                      "logical_not", "argmax", "argmin", "argmax_dim", "argmin_dim", "all", "any", "count_nonzero",
                      "count_nonzero_dims", "detach"}


def step_tol(s, env_before_args, result):
    """The step's stated tolerance, with atol made concrete for its inputs / expected result."""
    t = TOL[s["op"]]
    rs = result if isinstance(result, list) else [result]
    dt = DTYPE_NAMES[rs[0].dtype]
    if dt not in FLOATS:
        return {"ulp": 0, "atol": 0.0, "signed_zeros": True}
    a = t.abs[dt]
    atol = 0.0
    if a:
        ref = {"input": lambda: max_finite_abs(env_before_args), "output": lambda: max_finite_abs(rs),
               "sum": lambda: sum_finite_abs(env_before_args), "one": lambda: 1.0}[t.ref]()
        atol = EPS[dt] * a * ref
    return {"ulp": t.ulp[dt], "atol": atol, "signed_zeros": t.signed_zeros}


def step_expectation(env, s, r):
    if isinstance(r, list):
        return [snapshot(t) for t in r]
    return snapshot(r, s["args"], env)


def torch_error(e, java_type):
    return {"torch_type": type(e).__name__, "message": str(e), "fragment": first_sentence(str(e)),
            "java_type": java_type}


# ops whose results sum many rounded terms (or whose inputs' last bits are amplified): their float32 results may also
# differ from torch's by twice torch's own error, measured against a float64 replay of the case
REDUCING = {"sum", "prod", "var", "std", "var_dims", "std_dims", "logsumexp", "norm", "norm_p", "cumsum", "softmax",
            "log_softmax", "F.softmax", "F.log_softmax", "addcmul", "addcdiv", "lerp"}
VIEWS = {"t", "transpose", "slice", "select", "narrow", "expand", "detach"}


def run_program(spec, datas, gradients, cast, replace=None):
    """Replays a case's steps and backward calls with the float32 leaves cast to float64 (cast=True), optionally with
    one leaf replaced by a given tensor; returns (results of the steps, grads of the names) or None if torch refuses
    something the float32 run did not."""
    env = {}
    for i in spec["inputs"]:
        d = datas[i["name"]]
        if replace is not None and i["name"] == replace[0]:
            env[i["name"]] = replace[1]
            continue
        d = d.double() if cast and d.dtype == torch.float32 else d.clone()
        env[i["name"]] = d.requires_grad_(True) if i["requires_grad"] else d
    results = []
    try:
        for s in spec["steps"]:
            with torch.no_grad() if s.get("no_grad") else torch.enable_grad():
                r = run_step(env, s)
            results.append([t.detach().clone() for t in r] if isinstance(r, list) else r.detach().clone())
            if isinstance(r, list):
                env.update(zip(s["outs"], r))
            else:
                env[s["out"]] = r
        for b, g in zip(spec.get("backward", []), gradients):
            if g is not None and cast and g.dtype == torch.float32:
                g = g.double()
            env[b["of"]].backward(g, retain_graph=b["retain_graph"])
    except RuntimeError:
        pass  # a backward that torch refuses in the float32 run too (the grads are then not compared past it)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return results, {n: (None if t.grad is None else t.grad.detach().clone()) for n, t in env.items()}


def deviation(t32, t64):
    """|t32 - t64| elementwise, as float64, 0 where either is not finite."""
    d = (t32.detach().double() - t64.detach().double()).abs()
    ok = torch.isfinite(t32.detach().double()) & torch.isfinite(t64.detach().double())
    return torch.where(ok, d, torch.zeros_like(d))


def add_each(tol, extra):
    """tol["atol_each"] = max(tol's atol_each, extra) elementwise (row-major list), left out where all zero."""
    flat = extra.reshape(-1)
    if "atol_each" in tol:
        flat = torch.maximum(flat, torch.tensor(tol["atol_each"], dtype=torch.float64))
    if flat.numel() and float(flat.max()) > 0:
        tol["atol_each"] = [float(v) for v in flat.tolist()]


def spacing(t):
    """The ulp of each element in t's dtype, as float64 (0 where not finite)."""
    a = t.detach().abs()
    u = (torch.nextafter(a, torch.full_like(a, math.inf)) - a).double()
    return torch.where(torch.isfinite(u), u, torch.zeros_like(u))


def allowance(tol, t):
    """The |Java - torch| a step's tolerance allows, element by element (float64; zeros for int64/bool)."""
    if t.dtype not in (torch.float32, torch.float64):
        return torch.zeros(t.shape, dtype=torch.float64)
    a = tol["ulp"] * spacing(t) + tol["atol"]
    if "atol_each" in tol:
        a = a + torch.tensor(tol["atol_each"], dtype=torch.float64).reshape(t.shape)
    return a


def propagated(s, before, allow_in):
    """First-order propagation of the inputs' allowed errors through the step: sum_j |d y_i / d x_j| * allow_j, from
    the float64 Jacobian at torch's input values; None where the op has no Jacobian (or nothing to propagate)."""
    idx = [k for k, (t, a) in enumerate(zip(before, allow_in))
           if a is not None and t.dtype in (torch.float32, torch.float64) and t.numel() and float(a.max()) > 0]
    if not idx:
        return None

    def f(*xs):
        env = {}
        for k, n in enumerate(s["args"]):
            env[n] = before[k].clone()
        for k, x in zip(idx, xs):
            env[s["args"][k]] = x.clone()
        r = run_step(env, s)
        r = r[0] if isinstance(r, list) else r
        return r.double() if r.dtype == torch.float32 else r
    try:
        with torch.enable_grad():
            xs = tuple(before[k].detach().double() for k in idx)
            out = f(*xs)
            if out.dtype != torch.float64 or out.numel() == 0:
                return None
            jac = torch.autograd.functional.jacobian(f, xs)
    except RuntimeError:
        return None
    if not isinstance(jac, tuple):
        jac = (jac,)
    prop = torch.zeros(out.numel(), dtype=torch.float64)
    for k, j in zip(idx, jac):
        j = j.reshape(out.numel(), -1).abs()
        j = torch.where(torch.isfinite(j), j, torch.zeros_like(j))
        prop += j @ allow_in[k].reshape(-1)
    return prop.reshape(out.shape)


def realize(spec):
    case = {k: v for k, v in spec.items() if k not in ("extra_grad_tol", "oracle")}
    gen = Gen(zlib.crc32(case["id"].encode()))
    env, names, datas = {}, [], {}
    inputs = []
    for i in spec["inputs"]:
        data = make_input(gen, i)
        if i["dtype"] == "int64" and data.dim() == 0:
            assert abs(int(data)) < 2 ** 53, "0-dim int64 inputs are built through a double in Java"
        datas[i["name"]] = data.clone()
        t = data.clone().requires_grad_(True) if i["requires_grad"] else data.clone()
        env[i["name"]] = t
        names.append(i["name"])
        inputs.append({"name": i["name"], "shape": i["shape"], "dtype": i["dtype"],
                       "requires_grad": i["requires_grad"], "values": enc_values(data, i["dtype"])})
    case["inputs"] = inputs
    steps, results, failed = [], [], False
    gulp = {F32: 0, F64: 0}
    gabs = {F32: 0.0, F64: 0.0}
    allow = {n: None for n in names}   # the |Java - torch| each name's values may have (None: none, exact)
    chained = False                      # some step reads values that may differ: the difference propagates
    reducing = False
    for s in spec["steps"]:
        s = dict(s)
        java_type = s.pop("raises", None)
        fragment = s.pop("fragment", None)
        before = [env[n].detach().clone() for n in s["args"]]
        try:
            with torch.no_grad() if s.get("no_grad") else torch.enable_grad():
                r = run_step(env, s)
                expect = step_expectation(env, s, r)
        except (RuntimeError, IndexError, ValueError) as e:
            if java_type is None:
                raise AssertionError(f"{case['id']}: step {s} raised {e!r}")
            s["error"] = torch_error(e, java_type)
            if fragment is not None:  # a part of torch's first sentence, where the rest is a quirk of torch's
                assert fragment in s["error"]["fragment"], (fragment, s["error"])
                s["error"]["fragment"] = fragment
            steps.append(s)
            failed = True
            break
        if java_type is not None:
            raise AssertionError(f"{case['id']}: step {s} did not raise")
        s["expect"] = expect
        s["tol"] = step_tol(s, before, r)
        r0 = r[0] if isinstance(r, list) else r
        allow_in = [allow.get(n) for n in s["args"]]
        if s["op"] in VIEWS:
            a_in = allow_in[0]
            a_out = None if a_in is None else run_step({"x": a_in}, dict(s, args=["x"])).clone()
            s["_chained"] = False
            if a_out is not None and r0.dtype in (torch.float32, torch.float64):
                add_each(s["tol"], a_out)
        else:
            prop = propagated(s, before, allow_in)
            s["_chained"] = any(a is not None and a.numel() and float(a.max()) > 0 for a in allow_in)
            if prop is not None and r0.dtype in (torch.float32, torch.float64):
                add_each(s["tol"], prop)
            a_out = allowance(s["tol"], r0)
            if s["_chained"] and r0.dtype in (torch.float32, torch.float64) and prop is None:
                # no Jacobian (e.g. a piecewise op that torch does not differentiate there): the largest input one
                a_out = a_out + max(float(a.max()) for a in allow_in if a is not None and a.numel())
                add_each(s["tol"], torch.full(r0.shape, max(float(a.max()) for a in allow_in
                                                            if a is not None and a.numel()), dtype=torch.float64))
        chained |= s["_chained"]
        reducing |= s["op"] in REDUCING
        t = TOL[s["op"]]
        outs = s["outs"] if "outs" in s else [s["out"]]
        allow[outs[0]] = a_out
        for n in outs[1:]:
            allow[n] = None
        if "same_as" in (expect if isinstance(expect, dict) else {}) and a_out is not None:
            # written in place: the tensors sharing its storage may now differ anywhere by as much
            m = float(a_out.max()) if a_out.numel() else 0.0
            for n2, t2 in env.items():
                if n2 not in outs and t2.numel() and t2.storage().data_ptr() == r0.storage().data_ptr():
                    prev = allow.get(n2)
                    allow[n2] = torch.full(t2.shape, m, dtype=torch.float64) + (0 if prev is None else prev)
        if s["op"] not in NOT_DIFFERENTIABLE:
            for d in (F32, F64):
                gulp[d] += t.gulp[d]
                gabs[d] += t.gabs[d]
        if isinstance(r, list):
            results.append([v.detach().clone() for v in r])
            for n, v in zip(s["outs"], r):
                env[n] = v
                if n not in names:
                    names.append(n)
        else:
            results.append(r.detach().clone())
            env[s["out"]] = r
            if s["out"] not in names:
                names.append(s["out"])
        steps.append(s)
    backward, gmax, gradients = [], 0.0, []
    for b in ([] if failed else spec.get("backward", [])):
        b = dict(b)
        java_type = b.pop("raises", None)
        out = env[b["of"]]
        gradient = None
        if b["gradient"] == "random" or (b["gradient"] == "auto" and out.dim() > 0):
            gradient = gen.normal(list(out.shape), out.dtype)
            gmax = max(gmax, max_finite_abs([gradient]))
        else:
            gmax = max(gmax, 1.0)
        gradients.append(gradient)
        entry = {"of": b["of"], "gradient": None if gradient is None else enc_tensor(gradient),
                 "retain_graph": b["retain_graph"]}
        try:
            out.backward(gradient, retain_graph=b["retain_graph"])
        except (RuntimeError, IndexError, ValueError) as e:
            if java_type is None:
                raise AssertionError(f"{case['id']}: backward {b} raised {e!r}")
            entry["error"] = torch_error(e, ISE if java_type == MAYBE_ISE else java_type)
            backward.append(entry)
            break
        if java_type is not None and java_type != MAYBE_ISE:
            raise AssertionError(f"{case['id']}: backward {b} did not raise")
        backward.append(entry)
    case["backward"] = backward

    # float32 results that sum many terms or read rounded values: allow twice torch's own error on top
    shadow = None
    if not failed and any(i["dtype"] == F32 for i in spec["inputs"]) and (chained or reducing):
        shadow = run_program(spec, datas, gradients, cast=True)
        for k, s in enumerate(steps):
            if not (s.pop("_chained") or s["op"] in REDUCING):
                continue
            r32 = results[k][0] if isinstance(results[k], list) else results[k]
            r64 = shadow[0][k][0] if isinstance(shadow[0][k], list) else shadow[0][k]
            if r32.dtype == torch.float32 and r32.shape == r64.shape:
                dev = 2 * deviation(r32, r64)
                if "atol_each" in s["tol"]:
                    dev = dev + torch.tensor(s["tol"]["atol_each"], dtype=torch.float64).reshape(dev.shape)
                add_each(s["tol"], dev)
    for s in steps:
        s.pop("_chained", None)
    for s in steps:
        for k, v in list(s.items()):
            if isinstance(v, float):
                s[k] = enc_value(v)
    case["steps"] = steps
    final_tol = {"ulp": max([s["tol"]["ulp"] for s in steps if "tol" in s] + [0]),
                 "atol": max([s["tol"]["atol"] for s in steps if "tol" in s] + [0.0])}
    each = [max(s["tol"].get("atol_each", [0.0])) for s in steps if "tol" in s]
    final_tol["atol"] = max([final_tol["atol"]] + each)
    recorded = {i["name"]: i["values"] for i in inputs}
    for s in steps:
        if "expect" in s:
            if "outs" in s:
                recorded.update({n: e["values"] for n, e in zip(s["outs"], s["expect"])})
            else:
                recorded[s["out"]] = s["expect"]["values"]
    case["final"] = {}
    for n in names:
        snap = snapshot(env[n])
        if json.dumps(snap["values"]) == json.dumps(recorded[n]):
            del snap["values"]
        case["final"][n] = snap
    case["final_tol"] = final_tol
    oracle = spec.get("oracle")
    if oracle is not None:
        oracle(case)

    extra = spec.get("extra_grad_tol", (0, 0.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # .grad of a non-leaf: None, with a warning
        case["grads"] = {n: (None if env[n].grad is None else enc_tensor(env[n].grad)) for n in names}
        grad_tol = {}
        for n in names:
            g = env[n].grad
            if g is None:
                continue
            d = DTYPE_NAMES[g.dtype]
            ref = max(gmax, max_finite_abs([g]))
            grad_tol[n] = {"ulp": gulp[d] + extra[0], "atol": EPS[d] * (gabs[d] + extra[1]) * ref}
            if shadow is not None and g.dtype == torch.float32 and shadow[1].get(n) is not None:
                add_each(grad_tol[n], 2 * deviation(g, shadow[1][n]))
        # a leaf broadcast by the one step that reads it: its gradient sums n terms; allow (n + 1) eps * sum |term|
        if not failed:
            for k, s in enumerate(steps):
                out = results[k][0] if isinstance(results[k], list) else results[k]
                for n in set(s["args"]):
                    leaf = datas.get(n)
                    if (leaf is None or n not in grad_tol or env[n].grad is None or leaf.numel() == 0
                            or leaf.numel() >= out.numel()
                            or sum(n in s2["args"] for s2 in steps) != 1 or s["args"].count(n) != 1):
                        continue
                    full = leaf.double().expand(out.shape).clone().requires_grad_(True)
                    _, g_full = run_program(spec, datas, gradients, cast=True, replace=(n, full))
                    if g_full.get(n) is None:
                        continue
                    terms = g_full[n].abs()
                    while terms.dim() > leaf.dim():
                        terms = terms.sum(0)
                    for dd in range(leaf.dim()):
                        if leaf.shape[dd] == 1 and terms.shape[dd] != 1:
                            terms = terms.sum(dd, keepdim=True)
                    count = out.numel() // leaf.numel()
                    add_each(grad_tol[n], (count + 1) * EPS[DTYPE_NAMES[env[n].grad.dtype]] * terms)
        case["grad_tol"] = grad_tol
    return case


# ------------------------------------------------------------------------------------------------------------ cases

CASES = []


def case(id, category, description, inputs, steps, backward=None, extra_grad_tol=None):
    c = {"id": f"{category}/{id}", "category": category, "description": description, "inputs": inputs,
         "steps": steps, "backward": backward if backward is not None else []}
    if extra_grad_tol is not None:
        c["extra_grad_tol"] = extra_grad_tol
    CASES.append(c)


def bw(of="y", gradient="auto", retain_graph=False, raises=None):
    b = {"of": of, "gradient": gradient, "retain_graph": retain_graph}
    if raises is not None:
        b["raises"] = raises
    return b


def fmt_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def params_text(kw):
    return ", ".join(f"{k}={v}" for k, v in kw.items())


def call_text(op, kw):
    return f"{op}({params_text(kw)})"


def one(category, label, op, x, pre=None, backward=True, desc=None, **kw):
    """y = op(x or its view made by `pre`, **kw); backward with a random gradient when x requires grad."""
    steps = list(pre or [])
    src = steps[-1]["out"] if steps else "x"
    steps.append(step(op, [src], "y", **kw))
    pre_text = "".join("." + p["op"] + "(" + params_text({k: v for k, v in p.items() if k not in ("op", "args", "out")})
                       + ")" for p in (pre or []))
    if desc is None:
        desc = f"{call_text(op, kw)} of x{pre_text}, x: {x['dtype']}{fmt_shape(x['shape'])} ({x['kind']})" + \
               (" requires_grad" if x["requires_grad"] else "")
    kwtext = "" if not kw else "/" + params_text(kw)
    case(f"{op}{kwtext}/{label}", category, desc, [x], steps,
         [bw("y")] if backward and x["requires_grad"] and op not in NOT_DIFFERENTIABLE else [])


def pre_t():
    return [step("t", ["x"], "v")]


def pre_stepped():
    return [step("slice", ["x"], "v", dim=1, start=1, end=2 ** 63 - 1, step=2)]


SPECIALS32 = [NAN, INF, -INF, 0.0, -0.0, 1e-40, -1e-40, 1e-45, 3e-8, -3e-8, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 3.0,
              -7.25, 20.0, -20.0, 88.0, 89.0, -88.0, -104.0, 1e4, -1e4, 1e30, -1e30, 3.4e38, -3.4e38]
SPECIALS64 = [NAN, INF, -INF, 0.0, -0.0, 5e-324, -1e-310, 1e-300, 3e-17, -3e-17, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 3.0,
              -7.25, 20.0, -20.0, 709.0, 710.0, -709.0, -746.0, 1e4, -1e4, 1e300, -1e300, 1.7e308, -1.7e308]
KINKS = [0.0, -0.0, 1.0, -1.0, INF, -INF, NAN, 0.5, -2.0]

# domain of random inputs per op (away from poles, branch points and kinks)
DOMAIN = {
    "log": dict(kind="uniform", lo=0.05, hi=6.0), "log2": dict(kind="uniform", lo=0.05, hi=6.0),
    "log10": dict(kind="uniform", lo=0.05, hi=6.0), "sqrt": dict(kind="uniform", lo=0.05, hi=6.0),
    "rsqrt": dict(kind="uniform", lo=0.05, hi=6.0), "log1p": dict(kind="uniform", lo=-0.9, hi=5.0),
    "asin": dict(kind="uniform", lo=-0.95, hi=0.95), "acos": dict(kind="uniform", lo=-0.95, hi=0.95),
    "reciprocal": dict(kind="away", lo=0.3, hi=3.0), "tan": dict(kind="uniform", lo=-1.4, hi=1.4),
    "exp": dict(kind="normal", scale=3.0), "exp2": dict(kind="normal", scale=3.0), "expm1": dict(kind="normal", scale=2.0),
    "sinh": dict(kind="normal", scale=3.0), "cosh": dict(kind="normal", scale=3.0), "sin": dict(kind="normal", scale=4.0),
    "cos": dict(kind="normal", scale=4.0), "atan": dict(kind="normal", scale=3.0), "tanh": dict(kind="normal", scale=2.0),
    "sigmoid": dict(kind="normal", scale=4.0), "erf": dict(kind="normal", scale=1.5),
    "floor": dict(kind="normal", scale=3.0), "ceil": dict(kind="normal", scale=3.0), "round": dict(kind="normal", scale=3.0),
    "trunc": dict(kind="normal", scale=3.0), "frac": dict(kind="normal", scale=3.0),
}

DIFF_UNARY = [u for u in UNARY if u not in ("isnan", "isinf", "isfinite")]

# ---------------------------------------------------------------- unary math
for op in DIFF_UNARY:
    d = DOMAIN.get(op, dict(kind="normal", scale=2.0))
    one("unary", "float32[3, 5]", op, inp("x", (3, 5), F32, **d))
    one("unary", "float64[3, 5]", op, inp("x", (3, 5), F64, **d))
    one("unary", "float32[5, 13]", op, inp("x", (5, 13), F32, **d))
    one("unary", "float32[4, 6].t()", op, inp("x", (4, 6), F32, **d), pre=pre_t())
    one("unary", "float64[3, 7][:, 1::2]", op, inp("x", (3, 7), F64, **d), pre=pre_stepped())
    one("unary", "float32[]", op, inp("x", (), F32, **d))
    one("unary", "float32[0, 3]", op, inp("x", (0, 3), F32))
    one("unary", "float32/specials", op, inp("x", (len(SPECIALS32),), F32, rg=False, values=SPECIALS32))
    one("unary", "float64/specials", op, inp("x", (len(SPECIALS64),), F64, rg=False, values=SPECIALS64))
    one("unary", "float32/special_grads", op, inp("x", (len(KINKS),), F32, rg=True, values=KINKS))
    one("unary", "float64/special_grads", op, inp("x", (len(KINKS),), F64, rg=True, values=KINKS))
    # promotion: int64 and bool inputs (float32 results where torch computes in the default dtype; some refuse)
    for dt, x in [(I64, inp("x", (2, 4), I64, lo=-5, hi=6)), (B, inp("x", (2, 3), B))]:
        try:
            run_step({"x": make_input(Gen(0), x)}, step(op, ["x"], "y"))
            one("promotion", dt, op, x)
        except RuntimeError:
            case(f"{op}/{dt}", "errors", f"{op}(x), x: {dt}: torch refuses the dtype", [x],
                 [raises(IAE, op, ["x"], "y")])

# an int64 input holding the float32/64-exact extremes
one("promotion", "int64/large", "abs", inp("x", (4,), I64, values=[-(2 ** 63) + 1, 2 ** 62, -5, 0]))
one("promotion", "int64/large", "neg", inp("x", (4,), I64, values=[-(2 ** 63) + 1, 2 ** 62, -5, 0]))
one("promotion", "int64/large", "sign", inp("x", (4,), I64, values=[-(2 ** 63), 2 ** 62, -5, 0]))
one("promotion", "int64/large", "square", inp("x", (4,), I64, values=[3037000499, -7, 2 ** 31, 0]))
one("promotion", "int64/large", "exp", inp("x", (4,), I64, values=[2 ** 53 + 1, -3, 100, 0]))

for op in ["isnan", "isinf", "isfinite"]:
    one("unary", "float32/specials", op, inp("x", (len(SPECIALS32),), F32, rg=False, values=SPECIALS32))
    one("unary", "float64/specials", op, inp("x", (len(SPECIALS64),), F64, rg=False, values=SPECIALS64))
    one("unary", "float32[4, 6].t()", op, inp("x", (4, 6), F32, rg=False, values=[NAN, INF, 1.0, -INF] * 6),
        pre=pre_t())
    one("unary", "requires_grad", op, inp("x", (2, 3), F32, values=[NAN, INF, 1.0, -INF, 0.0, -2.0]))
    one("unary", "int64", op, inp("x", (5,), I64))
    one("unary", "bool", op, inp("x", (3,), B))
    one("unary", "float32[0]", op, inp("x", (0,), F32, rg=False))

# nan_to_num: defaults (the dtype's extremes) and given replacements
for dt, specials in [(F32, SPECIALS32), (F64, SPECIALS64)]:
    one("unary", f"{dt}/specials", "nan_to_num", inp("x", (len(specials),), dt, values=specials))
    one("unary", f"{dt}/specials", "nan_to_num", inp("x", (len(specials),), dt, values=specials), nan=0.5,
        posinf=100.0, neginf=-1e3)
one("unary", "float32[4, 6].t()", "nan_to_num", inp("x", (4, 6), F32, values=[NAN, INF, 1.5, -INF] * 6), pre=pre_t(),
    nan=-1.0, posinf=2.0, neginf=-2.0)
one("unary", "int64", "nan_to_num", inp("x", (4,), I64))
one("unary", "bool", "nan_to_num", inp("x", (4,), B))

# ---------------------------------------------------------------- activations (torch.nn.functional)
ACT = [("leaky_relu", dict(slope=0.01)), ("leaky_relu", dict(slope=0.2)), ("leaky_relu", dict(slope=-0.5)),
       ("elu", dict(alpha=1.0)), ("elu", dict(alpha=0.5)),
       ("gelu", dict(approximate="none")), ("gelu", dict(approximate="tanh")),
       ("silu", {}), ("mish", {}),
       ("softplus", dict(beta=1.0, threshold=20.0)), ("softplus", dict(beta=2.0, threshold=5.0)),
       ("softplus", dict(beta=0.5, threshold=1.0)),
       ("hardtanh", dict(min=-1.0, max=1.0)), ("hardtanh", dict(min=-2.0, max=0.5)),
       ("F.relu", {}), ("F.sigmoid", {}), ("F.tanh", {})]
for op, kw in ACT:
    one("activation", "float32[3, 5]", op, inp("x", (3, 5), F32, scale=3.0), **kw)
    one("activation", "float64[3, 5]", op, inp("x", (3, 5), F64, scale=3.0), **kw)
    one("activation", "float32[5, 13]", op, inp("x", (5, 13), F32, scale=3.0), **kw)
    one("activation", "float32[4, 6].t()", op, inp("x", (4, 6), F32, scale=3.0), pre=pre_t(), **kw)
    one("activation", "float64[3, 7][:, 1::2]", op, inp("x", (3, 7), F64, scale=3.0), pre=pre_stepped(), **kw)
    one("activation", "float32[]", op, inp("x", (), F32, scale=3.0), **kw)
    one("activation", "float32/specials", op, inp("x", (len(SPECIALS32),), F32, rg=False, values=SPECIALS32), **kw)
    one("activation", "float64/specials", op, inp("x", (len(SPECIALS64),), F64, rg=False, values=SPECIALS64), **kw)
    one("activation", "float32/special_grads", op, inp("x", (len(KINKS),), F32, values=KINKS), **kw)
    for dt, x in [(I64, inp("x", (2, 3), I64, lo=-5, hi=6)), (B, inp("x", (2, 3), B))]:
        try:
            run_step({"x": make_input(Gen(0), x)}, step(op, ["x"], "y", **kw))
            one("promotion", dt, op, x, **kw)
        except RuntimeError:
            case(f"{op}/" + (f"{params_text(kw)}/" if kw else "") + dt, "errors",
                 f"{op}(x" + (f", {params_text(kw)}" if kw else "") + f"), x: {dt}: torch refuses", [x],
                 [raises(IAE, op, ["x"], "y", **kw)])

# torch's default parameters (F.leaky_relu(x): 0.01, F.elu(x): 1, F.gelu(x): erf, F.softplus(x): 1, 20,
# F.hardtanh(x): -1, 1)
for op in ["leaky_relu", "elu", "gelu", "softplus", "hardtanh"]:
    one("activation", "float32[3, 5]/defaults", op, inp("x", (3, 5), F32, scale=3.0))
    one("activation", "float32/specials/defaults", op, inp("x", (len(SPECIALS32),), F32, rg=False, values=SPECIALS32))
case("gelu/approximate_foo", "errors", "F.gelu(x, approximate='foo')", [inp("x", (3,), rg=False)],
     [raises(IAE, "gelu", ["x"], "y", approximate="foo")])

# kinks and boundaries: the gradient's convention exactly at the kink
KINK_CASES = [
    ("relu", {}, [0.0, -0.0, 1e-30, -1e-30, 2.0, -2.0]),                # relu'(0) = 0
    ("F.relu", {}, [0.0, -0.0, 1e-30, -1e-30]),
    ("abs", {}, [0.0, -0.0, 1e-30, -1e-30, 2.0, -2.0]),                 # abs'(0) = 0
    ("sqrt", {}, [0.0, -0.0, 1e-30, 4.0]),                              # sqrt'(0) = inf
    ("rsqrt", {}, [0.0, -0.0, 4.0]),
    ("log", {}, [0.0, -0.0, -1.0, 1.0]),
    ("reciprocal", {}, [0.0, -0.0, 2.0]),
    ("asin", {}, [1.0, -1.0, 0.0, 1.5]), ("acos", {}, [1.0, -1.0, 0.0, 1.5]),
    ("sign", {}, [0.0, -0.0, 3.0, -3.0]),
    ("clamp", dict(min=-1.0, max=1.0), [-1.0, 1.0, -1.5, 1.5, 0.0]),      # clamp at the bound passes the gradient
    ("clamp", dict(min=0.5, max=0.5), [0.5, 0.0, 1.0]),
    ("clamp", dict(min=2.0, max=1.0), [0.0, 1.5, 3.0]),                   # min > max: every element is max
    ("clamp_min", dict(min=0.0), [0.0, -0.0, -1.0, 1.0]),
    ("clamp_max", dict(max=0.0), [0.0, -0.0, -1.0, 1.0]),
    ("hardtanh", dict(min=-1.0, max=1.0), [-1.0, 1.0, -1.5, 1.5, 0.0]),   # hardtanh at the bound does not
    ("leaky_relu", dict(slope=0.1), [0.0, -0.0, 1e-30, -1e-30]),
    ("elu", dict(alpha=1.5), [0.0, -0.0, 1e-30, -1e-30]),
    ("softplus", dict(beta=2.0, threshold=4.0), [2.0, 1.9999998807907104, 2.000000238418579, -2.0]),  # x beta = thr
    ("softplus", dict(beta=1.0, threshold=20.0), [20.0, 19.999998092651367, 20.000001907348633, -90.0, 90.0]),
    ("gelu", dict(approximate="none"), [0.0, -0.7517916, -10.0, 10.0, -40.0]),
    ("gelu", dict(approximate="tanh"), [0.0, -0.7517916, -10.0, 10.0, -40.0]),
    ("silu", {}, [0.0, -1.2784645, -100.0, 100.0]), ("mish", {}, [0.0, -1.1915, -100.0, 100.0, 25.0]),
    ("sigmoid", {}, [0.0, -50.0, 50.0, -100.0]), ("tanh", {}, [0.0, 10.0, -10.0, 20.0]),
    ("exp", {}, [-INF, 0.0, -104.0, 88.0]),
    ("floor", {}, [1.0, -1.0, 0.5]), ("round", {}, [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997]),  # half to even
    ("round", {}, [8388609.0, -8388609.0, 16777216.0, 1e30]),
    ("frac", {}, [1.0, -1.5, 2.75, -0.0]), ("trunc", {}, [1.5, -1.5, -0.5]),
]
seen = {}
for op, kw, vals in KINK_CASES:
    key = op + params_text(kw)
    seen[key] = seen.get(key, 0) + 1
    for dt in (F32, F64):
        one("kink", dt + ("" if seen[key] == 1 else f"/{seen[key]}"), op, inp("x", (len(vals),), dt, values=vals), **kw)

# clamp family: random values, strided, int64 (torch: float bounds make a float32 result), NaN
for op, kw in [("clamp", dict(min=-0.5, max=0.8)), ("clamp_min", dict(min=-0.25)), ("clamp_max", dict(max=0.3)),
               ("clamp", dict(min=-INF, max=0.0)), ("clamp", dict(min=-1.0, max=INF))]:
    one("clamp", "float32[3, 5]", op, inp("x", (3, 5)), **kw)
    one("clamp", "float64[3, 5]", op, inp("x", (3, 5), F64), **kw)
    one("clamp", "float32[4, 6].t()", op, inp("x", (4, 6)), pre=pre_t(), **kw)
    one("clamp", "float32/specials", op, inp("x", (len(SPECIALS32),), F32, rg=False, values=SPECIALS32), **kw)
    one("clamp", "int64", op, inp("x", (2, 4), I64, lo=-3, hi=4), **kw)
one("clamp", "int64/integral_bounds", "clamp", inp("x", (2, 4), I64, lo=-3, hi=4), min=-1.0, max=2.0)
one("clamp", "bool", "clamp", inp("x", (4,), B), min=0.0, max=1.0)
one("clamp", "bool", "clamp_min", inp("x", (4,), B), min=0.5)

# ---------------------------------------------------------------- softmax / log_softmax (methods and F.)
for op in ["softmax", "log_softmax", "F.softmax", "F.log_softmax"]:
    for shape, dim in [((3, 5), 1), ((3, 5), 0), ((3, 5), -1), ((2, 3, 4), 1), ((2, 3, 4), -3), ((7,), 0), ((), 0),
                       ((4, 33), -1)]:
        one("softmax", f"float32{list(shape)}", op, inp("x", shape, scale=3.0), dim=dim)
    one("softmax", "float64[3, 5]", op, inp("x", (3, 5), F64, scale=3.0), dim=1)
    one("softmax", "float64[2, 3, 4]", op, inp("x", (2, 3, 4), F64, scale=3.0), dim=0)
    one("softmax", "float32[4, 6].t()", op, inp("x", (4, 6), scale=3.0), pre=pre_t(), dim=1)
    one("softmax", "float32[4, 6].t()/dim0", op, inp("x", (4, 6), scale=3.0), pre=pre_t(), dim=0)
    one("softmax", "float32[3, 7][:, 1::2]", op, inp("x", (3, 7), scale=3.0), pre=pre_stepped(), dim=-1)
    # large logits: no overflow, float32 rounding of torch
    one("softmax", "float32/1e4", op, inp("x", (2, 4), values=[1e4, 1e4 + 1, 1e4 - 2, 1e4 + 3, -1e4, 0.0, 1e4, 5e3]),
        dim=1)
    one("softmax", "float32/1e4_dim0", op, inp("x", (2, 4), values=[1e4, 1e4 + 1, 1e4 - 2, 1e4 + 3, -1e4, 0.0, 1e4,
                                                                       5e3]), dim=0)
    one("softmax", "float64/1e4", op, inp("x", (2, 4), F64, values=[1e4, 1e4 + 1, 1e4 - 2, 1e4 + 3, -1e4, 0.0, 1e4,
                                                                       5e3]), dim=1)
    one("softmax", "float32/-1e4", op, inp("x", (3,), values=[-1e4, -1e4 - 0.5, -1e4 + 7]), dim=0)
    one("softmax", "float32/mixed_1e30", op, inp("x", (4,), values=[1e30, -1e30, 0.0, 1e30]), dim=0)
    one("softmax", "float32/-inf", op, inp("x", (2, 3), values=[-INF, 0.0, 1.0, -INF, -INF, -INF]), dim=1)
    one("softmax", "float32/inf_nan", op, inp("x", (3, 2), rg=False, values=[INF, 0.0, NAN, 1.0, 2.0, 3.0]), dim=1)
    one("softmax", "float32[0, 3]", op, inp("x", (0, 3)), dim=1)
    one("softmax", "float32/denormals", op, inp("x", (4,), values=[1e-40, -1e-40, 0.0, -0.0]), dim=0)
    case(f"{op}/float32/second_backward", "second_backward", f"y = {op}(x, 1); y.backward(g); y.backward(g)",
         [inp("x", (2, 3))], [step(op, ["x"], "y", dim=1)], [bw("y"), bw("y", raises=ISE)])
    for dim in [2, -3]:
        case(f"{op}/dim{dim}", "errors", f"{op}(x (2, 3), {dim})", [inp("x", (2, 3), rg=False)],
             [raises(IAE, op, ["x"], "y", dim=dim)])
    case(f"{op}/int64", "errors", f"{op}(int64)", [inp("x", (2, 3), I64)], [raises(IAE, op, ["x"], "y", dim=1)])
    case(f"{op}/bool", "errors", f"{op}(bool)", [inp("x", (2, 3), B)], [raises(IAE, op, ["x"], "y", dim=1)])
case("softmax/0dim_dim1", "errors", "softmax(0-dim x, 1)", [inp("x", (), rg=False)],
     [raises(IAE, "softmax", ["x"], "y", dim=1)])
case("softmax/then_log", "chain", "log(softmax(x)) vs log_softmax: y = softmax(x, 1).log()",
     [inp("x", (3, 4), scale=2.0)], [step("softmax", ["x"], "s", dim=1), step("log", ["s"], "y")], [bw()])
case("softmax/weighted_sum", "chain", "(softmax(x, -1) * w).sum()",
     [inp("x", (3, 4), scale=2.0), inp("w", (4,))],
     [step("softmax", ["x"], "s", dim=-1), step("mul", ["s", "w"], "p"), step("sum", ["p"], "y")], [bw()])


# ---------------------------------------------------------------- pointwise binary math
def binary(category, op, xa, xb, label, **kw):
    case(f"{op}/{label}" + (f"/{params_text(kw)}" if kw else ""), category,
         f"{op}(a {xa['dtype']}{fmt_shape(xa['shape'])}, b {xb['dtype']}{fmt_shape(xb['shape'])}"
         + (f", {params_text(kw)}" if kw else "") + ")",
         [xa, xb], [step(op, ["a", "b"], "y", **kw)],
         [bw()] if (xa["requires_grad"] or xb["requires_grad"]) and op not in NOT_DIFFERENTIABLE else [])


def a_(shape, dt=F32, **k):
    return inp("a", shape, dt, **k)


def b_(shape, dt=F32, **k):
    return inp("b", shape, dt, **k)


# pow with a scalar exponent (Python float: int64 inputs give float32)
for e in [2.0, 3.0, 0.5, -1.0, -0.5, 0.0, 1.0, 2.5, -2.0]:
    kind = dict(kind="uniform", lo=0.1, hi=3.0) if e != int(e) else dict(kind="normal", scale=1.5)
    one("pow", "float32[3, 5]", "pow_scalar", inp("x", (3, 5), **kind), value=e)
    one("pow", "float64[3, 5]", "pow_scalar", inp("x", (3, 5), F64, **kind), value=e)
one("pow", "float32[4, 6].t()", "pow_scalar", inp("x", (4, 6)), pre=pre_t(), value=3.0)
one("pow", "float32/specials", "pow_scalar", inp("x", (len(SPECIALS32),), F32, rg=False, values=SPECIALS32), value=2.0)
one("pow", "float32/specials", "pow_scalar", inp("x", (len(SPECIALS32),), F32, rg=False, values=SPECIALS32), value=0.5)
one("pow", "float32/specials", "pow_scalar", inp("x", (len(SPECIALS32),), F32, rg=False, values=SPECIALS32), value=-1.0)
one("pow", "float32/specials", "pow_scalar", inp("x", (len(SPECIALS32),), F32, rg=False, values=SPECIALS32), value=0.0)
one("pow", "float32/kinks", "pow_scalar", inp("x", (5,), values=[0.0, -0.0, -1.0, 1.0, 2.0]), value=2.0)
one("pow", "float32/kinks", "pow_scalar", inp("x", (4,), values=[0.0, -1.0, 1.0, 4.0]), value=0.5)
one("pow", "float32/kinks", "pow_scalar", inp("x", (4,), values=[0.0, -1.0, 1.0, 4.0]), value=0.0)
one("pow", "float32/kinks", "pow_scalar", inp("x", (4,), values=[0.0, -2.0, 1.0, 4.0]), value=-2.0)
one("pow", "int64", "pow_scalar", inp("x", (5,), I64, lo=-3, hi=4), value=2.0)
one("pow", "int64", "pow_scalar", inp("x", (5,), I64, lo=1, hi=4), value=-1.0)
one("pow", "bool", "pow_scalar", inp("x", (4,), B), value=2.0)
binary("pow", "pow", a_((3, 4), kind="uniform", lo=0.2, hi=3.0), b_((3, 4), scale=1.5), "float32")
binary("pow", "pow", a_((3, 4), F64, kind="uniform", lo=0.2, hi=3.0), b_((3, 4), F64, scale=1.5), "float64")
binary("pow", "pow", a_((3, 4), kind="uniform", lo=0.2, hi=3.0), b_((4,), scale=1.5), "broadcast")
binary("pow", "pow", a_((3, 1), kind="uniform", lo=0.2, hi=3.0), b_((), scale=1.5), "0dim_exponent")
binary("pow", "pow", a_((6,), values=[0.0, 0.0, -2.0, -2.0, 4.0, 0.0]), b_((6,), values=[0.0, 2.0, 2.0, 0.5, -0.5,
                                                                                         -1.0]), "kinks")
binary("pow", "pow", a_((5,), I64, lo=-3, hi=4), b_((5,), I64, lo=0, hi=4), "int64")
binary("pow", "pow", a_((5,), I64, lo=-3, hi=4), b_((5,), kind="uniform", lo=0, hi=3), "int64_float32")
binary("pow", "pow", a_((4,), kind="uniform", lo=0.2, hi=3.0), b_((4,), I64, lo=-2, hi=3), "float32_int64")
binary("pow", "pow", a_((4,), F32, kind="uniform", lo=0.2, hi=3.0), b_((4,), F64), "float32_float64")
binary("pow", "pow", a_((6,), I64, values=[1, 2, 3, -1, 1, -2]), b_((6,), I64, values=[1, -1, 2, -3, -5, -1]),
       "int64_negative_exponent")
case("pow/not_broadcastable", "errors", "a (2, 3) ** b (4,)", [a_((2, 3), rg=False), b_((4,), rg=False)],
     [raises(IAE, "pow", ["a", "b"], "y")])
for base in [2.0, 0.5, 10.0, 1.0, 0.0, -2.0]:
    one("pow", "float32[3, 4]", "pow_base", inp("x", (3, 4), scale=2.0), base=base)
one("pow", "float64[3, 4]", "pow_base", inp("x", (3, 4), F64, scale=2.0), base=2.0)
one("pow", "float32[4, 6].t()", "pow_base", inp("x", (4, 6)), pre=pre_t(), base=3.0)
one("pow", "int64", "pow_base", inp("x", (5,), I64, lo=-3, hi=4), base=2.0)
one("pow", "float32/specials", "pow_base", inp("x", (len(SPECIALS32),), F32, rg=False, values=SPECIALS32), base=2.0)

# maximum / minimum: NaN propagated; ties split the gradient
for op in ["maximum", "minimum"]:
    binary("maxmin", op, a_((3, 4)), b_((3, 4)), "float32")
    binary("maxmin", op, a_((3, 4), F64), b_((3, 4), F64), "float64")
    binary("maxmin", op, a_((3, 4)), b_((4,)), "broadcast")
    binary("maxmin", op, a_((2, 1, 3)), b_((4, 1)), "broadcast_both")
    binary("maxmin", op, a_((6,), values=[1.0, NAN, 2.0, NAN, -0.0, INF]),
           b_((6,), values=[1.0, 3.0, NAN, NAN, 0.0, -INF]), "ties_nan")
    binary("maxmin", op, a_((4,), values=[1.0, 2.0, -3.0, 0.5]), b_((4,), values=[1.0, 2.0, -3.0, 0.25]), "ties")
    binary("maxmin", op, a_((3,), I64, values=[1, -5, 2 ** 62]), b_((3,), I64, values=[0, -4, 2 ** 62 + 1]), "int64")
    binary("maxmin", op, a_((3,), I64, values=[1, -5, 7]), b_((3,), values=[0.5, -4.5, 7.0]), "int64_float32")
    binary("maxmin", op, a_((3,), B, values=[True, False, False]), b_((3,), B, values=[False, False, True]), "bool")
    binary("maxmin", op, a_((3,), B, values=[True, False, False]), b_((3,), I64, values=[0, -1, 2]), "bool_int64")
    binary("maxmin", op, a_((3,), F32), b_((3,), F64), "float32_float64")
    case(f"{op}/strided", "maxmin", f"{op}(a (4, 3).t(), b (3, 4)[:, ::1])", [a_((4, 3)), b_((3, 4))],
         [step("t", ["a"], "at"), step(op, ["at", "b"], "y")], [bw()])
    case(f"{op}/not_broadcastable", "errors", f"{op}(a (2, 3), b (4,))", [a_((2, 3), rg=False), b_((4,), rg=False)],
         [raises(IAE, op, ["a", "b"], "y")])

# atan2
binary("atan2", "atan2", a_((3, 4)), b_((3, 4)), "float32")
binary("atan2", "atan2", a_((3, 4), F64), b_((3, 4), F64), "float64")
binary("atan2", "atan2", a_((3, 4)), b_((4,)), "broadcast")
binary("atan2", "atan2", a_((8,), rg=False, values=[0.0, -0.0, 0.0, -0.0, 1.0, INF, -INF, NAN]),
       b_((8,), rg=False, values=[0.0, 0.0, -0.0, -1.0, INF, INF, -1.0, 1.0]), "specials")
binary("atan2", "atan2", a_((3,), I64, values=[1, -1, 0]), b_((3,), I64, values=[0, -1, 1]), "int64")
binary("atan2", "atan2", a_((3,), values=[1.0, 0.0, -2.0]), b_((3,), values=[0.0, 2.0, 0.0]), "axes")

# fmod / remainder: the C remainder (sign of the dividend) and Python's (sign of the divisor)
for op in ["fmod", "remainder"]:
    for v in [1.5, -1.5, 2.0, 0.0, INF]:
        one("mod", "float32[3, 5]", op + "_scalar", inp("x", (3, 5), scale=4.0), value=v)
    one("mod", "float64[3, 5]", op + "_scalar", inp("x", (3, 5), F64, scale=4.0), value=0.75)
    one("mod", "float32[4, 6].t()", op + "_scalar", inp("x", (4, 6), scale=4.0), pre=pre_t(), value=-1.25)
    one("mod", "int64", op + "_scalar", inp("x", (6,), I64, values=[7, -7, 6, -6, 0, 2 ** 60 + 1]), value=3.0)
    one("mod", "int64/by_float", op + "_scalar", inp("x", (4,), I64, values=[7, -7, 6, -6]), value=2.5)
    one("mod", "float32/specials", op + "_scalar", inp("x", (len(SPECIALS32),), F32, rg=False, values=SPECIALS32),
        value=2.5)
    binary("mod", op, a_((3, 4), scale=4.0), b_((3, 4), kind="away", lo=0.5, hi=2.0), "float32")
    binary("mod", op, a_((3, 4), F64, scale=4.0), b_((4,), F64, kind="away", lo=0.5, hi=2.0), "float64_broadcast")
    binary("mod", op, a_((6,), I64, values=[7, -7, 7, -7, 0, -(2 ** 62)]),
           b_((6,), I64, values=[3, 3, -3, -3, 5, 7]), "int64")
    binary("mod", op, a_((5,), values=[5.0, -5.0, INF, 1.0, -0.0]), b_((5,), values=[0.0, 3.0, 2.0, INF, 2.0]),
           "specials")
    binary("mod", op, a_((3,), I64, values=[7, -7, 1]), b_((3,), values=[2.5, 2.5, -0.5]), "int64_float32")
    # integer division by zero: torch's "ZeroDivisionError"; in Java the ArithmeticException of 1 / 0 (a bad value,
    # neither a bad dim/shape/dtype nor an index)
    case(f"{op}/int64_by_zero", "errors", f"{op}(int64 a, int64 zero)",
         [a_((3,), I64, values=[1, 2, 3]), b_((3,), I64, values=[1, 0, 2])], [raises(AE, op, ["a", "b"], "y")])
    case(f"{op}/bool", "errors", f"{op}(bool, bool)",
         [a_((2,), B, values=[True, False]), b_((2,), B, values=[True, True])], [raises(IAE, op, ["a", "b"], "y")])

# comparisons: tensor and scalar, broadcasting, NaN, promotion
for op in COMPARE:
    binary("compare", op, a_((3, 4), kind="int", lo=-2, hi=3), b_((3, 4), kind="int", lo=-2, hi=3), "float32")
    binary("compare", op, a_((3, 4), F64, kind="int", lo=-2, hi=3), b_((4,), F64, kind="int", lo=-2, hi=3),
           "float64_broadcast")
    binary("compare", op, a_((5,), values=[NAN, 1.0, NAN, INF, -0.0]), b_((5,), values=[NAN, NAN, 1.0, INF, 0.0]),
           "nan")
    binary("compare", op, a_((4,), I64, values=[2 ** 53 + 1, -3, 5, 0]), b_((4,), I64, values=[2 ** 53, -3, 4, 1]),
           "int64")
    binary("compare", op, a_((3,), I64, values=[1, 2, 3]), b_((3,), values=[1.5, 2.0, 2.5]), "int64_float32")
    binary("compare", op, a_((3,), B, values=[True, False, True]), b_((3,), B, values=[True, True, False]), "bool")
    binary("compare", op, a_((3,), B, values=[True, False, True]), b_((3,), I64, values=[1, 0, 2]), "bool_int64")
    binary("compare", op, a_((3,)), b_((), kind="values", values=0.0), "0dim")
    case(f"{op}/strided", "compare", f"{op}(a.t(), b)", [a_((4, 3), kind="int", lo=-1, hi=2),
                                                         b_((3, 4), kind="int", lo=-1, hi=2)],
         [step("t", ["a"], "at"), step(op, ["at", "b"], "y")])
    for v in [0.0, 1.5, NAN, INF]:
        one("compare", "float32[3, 4]", op + "_scalar", inp("x", (3, 4), kind="int", lo=-2, hi=3), value=v)
    one("compare", "float32/specials", op + "_scalar", inp("x", (len(SPECIALS32),), F32, rg=False, values=SPECIALS32),
        value=-0.0)
    one("compare", "int64", op + "_scalar", inp("x", (5,), I64, lo=-2, hi=3), value=1.0)
    one("compare", "int64/half", op + "_scalar", inp("x", (5,), I64, lo=-2, hi=3), value=0.5)
    one("compare", "int64/large", op + "_scalar", inp("x", (3,), I64, values=[2 ** 53 + 1, 2 ** 53, -(2 ** 62)]),
        value=float(2 ** 53))
    one("compare", "bool", op + "_scalar", inp("x", (4,), B), value=0.5)
    one("compare", "float32[4, 6].t()", op + "_scalar", inp("x", (4, 6), kind="int", lo=-2, hi=3), pre=pre_t(),
        value=0.0)
    case(f"{op}/not_broadcastable", "errors", f"{op}(a (2, 3), b (4,))", [a_((2, 3), rg=False), b_((4,), rg=False)],
         [raises(IAE, op, ["a", "b"], "y")])

# logical ops: truth values of any dtype, result bool
for op in ["logical_and", "logical_or", "logical_xor"]:
    binary("logical", op, a_((2, 2), B, values=[True, True, False, False]),
           b_((2, 2), B, values=[True, False, True, False]), "bool")
    binary("logical", op, a_((4,), values=[0.0, -0.0, NAN, 2.0]), b_((4,), values=[1.0, 1.0, 1.0, 0.0]), "float32")
    binary("logical", op, a_((3, 4), I64, lo=-1, hi=2), b_((4,), F64, kind="int", lo=-1, hi=2), "int64_float64")
    binary("logical", op, a_((3, 1), B), b_((1, 4), B), "broadcast")
    case(f"{op}/strided", "logical", f"{op}(a.t(), b)", [a_((4, 3), B), b_((3, 4), B)],
         [step("t", ["a"], "at"), step(op, ["at", "b"], "y")])
    case(f"{op}/not_broadcastable", "errors", f"{op}(a (2, 3), b (4,))", [a_((2, 3), B), b_((4,), B)],
         [raises(IAE, op, ["a", "b"], "y")])
one("logical", "float32/specials", "logical_not", inp("x", (len(SPECIALS32),), F32, rg=False, values=SPECIALS32))
one("logical", "bool", "logical_not", inp("x", (5,), B))
one("logical", "int64", "logical_not", inp("x", (5,), I64, lo=-1, hi=2))
one("logical", "float32/requires_grad", "logical_not", inp("x", (3,), values=[0.0, 1.0, -2.0]))
one("logical", "bool[4, 3].t()", "logical_not", inp("x", (4, 3), B), pre=pre_t())

# lerp, addcmul, addcdiv
for w in [0.3, 0.75, 0.0, 1.0, -0.5, 1.5]:
    binary("lerp", "lerp", a_((3, 4)), b_((3, 4)), "float32", weight=w)
binary("lerp", "lerp", a_((3, 4), F64), b_((3, 4), F64), "float64", weight=0.3)
binary("lerp", "lerp", a_((3, 4)), b_((4,)), "broadcast_end", weight=0.6)
binary("lerp", "lerp", a_((4,)), b_((3, 4)), "broadcast_self", weight=0.6)
binary("lerp", "lerp", a_((3,), rg=False, values=[INF, NAN, 1.0]), b_((3,), rg=False, values=[1.0, 2.0, -INF]),
       "specials", weight=0.5)
case("lerp/int64", "errors", "lerp(int64, int64, 0.5)", [a_((3,), I64), b_((3,), I64)],
     [raises(IAE, "lerp", ["a", "b"], "y", weight=0.5)])
case("lerp/float32_float64", "errors", "lerp(float32 a, float64 end, 0.5)", [a_((3,), rg=False), b_((3,), F64, rg=False)],
     [raises(IAE, "lerp", ["a", "b"], "y", weight=0.5)])
case("lerp/not_broadcastable", "errors", "lerp(a (2, 3), b (4,), 0.5)", [a_((2, 3), rg=False), b_((4,), rg=False)],
     [raises(IAE, "lerp", ["a", "b"], "y", weight=0.5)])
for op in ["addcmul", "addcdiv"]:
    for v in [1.0, 0.5, -2.0]:
        case(f"{op}/float32/value={v}", "addc", f"{op}(x, t1, t2, value={v})",
             [inp("x", (3, 4)), inp("t1", (3, 4)), inp("t2", (3, 4), kind="away")],
             [step(op, ["x", "t1", "t2"], "y", value=v)], [bw()])
    case(f"{op}/float64", "addc", f"{op}(x, t1, t2, value=0.1) float64",
         [inp("x", (3, 4), F64), inp("t1", (3, 4), F64), inp("t2", (3, 4), F64, kind="away")],
         [step(op, ["x", "t1", "t2"], "y", value=0.1)], [bw()])
    case(f"{op}/broadcast", "addc", f"{op}(x (3, 4), t1 (4,), t2 (3, 1), value=0.5)",
         [inp("x", (3, 4)), inp("t1", (4,)), inp("t2", (3, 1), kind="away")],
         [step(op, ["x", "t1", "t2"], "y", value=0.5)], [bw()])
    case(f"{op}/broadcast_up", "addc", f"{op}(x (4,), t1 (3, 4), t2 (4,), value=2.0): the result is (3, 4)",
         [inp("x", (4,)), inp("t1", (3, 4)), inp("t2", (4,), kind="away")],
         [step(op, ["x", "t1", "t2"], "y", value=2.0)], [bw()])
    case(f"{op}/strided", "addc", f"{op}(x.t(), t1, t2, value=-1.0)",
         [inp("x", (4, 3)), inp("t1", (3, 4)), inp("t2", (3, 4), kind="away")],
         [step("t", ["x"], "xt"), step(op, ["xt", "t1", "t2"], "y", value=-1.0)], [bw()])
    case(f"{op}/specials", "addc", f"{op} with zeros, infinities and NaN",
         [inp("x", (4,), rg=False, values=[1.0, INF, NAN, 0.0]), inp("t1", (4,), rg=False, values=[0.0, 1.0, 1.0, INF]),
          inp("t2", (4,), rg=False, values=[0.0, 2.0, 2.0, 0.0])],
         [step(op, ["x", "t1", "t2"], "y", value=1.0)])
case("addcmul/int64", "addc", "addcmul(int64, int64, int64, value=2.0)",
     [inp("x", (3,), I64), inp("t1", (3,), I64), inp("t2", (3,), I64)], [step("addcmul", ["x", "t1", "t2"], "y",
                                                                             value=2.0)])
case("addcdiv/int64", "errors", "addcdiv(int64, int64, int64)", [inp("x", (3,), I64), inp("t1", (3,), I64),
                                                                  inp("t2", (3,), I64, lo=1, hi=5)],
     [raises(IAE, "addcdiv", ["x", "t1", "t2"], "y", value=1.0)])
case("addcmul/not_broadcastable", "errors", "addcmul(x (2, 3), t1 (4,), t2 (2, 3))",
     [inp("x", (2, 3), rg=False), inp("t1", (4,), rg=False), inp("t2", (2, 3), rg=False)],
     [raises(IAE, "addcmul", ["x", "t1", "t2"], "y", value=1.0)])


# ---------------------------------------------------------------- in-place ops: values, nodes, versions, grads
def inplace(id, desc, inputs, steps, backward=None, category="inplace", **kw):
    case(id, category, desc, inputs, steps, backward if backward is not None else [bw()], **kw)


for op in ["exp_", "relu_", "sigmoid_", "tanh_"]:
    inplace(f"{op}/nonleaf", f"t = x * 1.0; t.{op}(); y = t; backward",
            [inp("x", (3, 4), scale=2.0)], [step("mul_scalar", ["x"], "y", value=1.0), step(op, ["y"], "y")])
    inplace(f"{op}/float64_nonleaf_twice", f"t = x * 2; t.{op}().{op}(): version 2; the first node's saved result "
            "was overwritten by the second: backward refuses",
            [inp("x", (3, 4), F64)], [step("mul_scalar", ["x"], "y", value=2.0), step(op, ["y"], "y"),
                                      step(op, ["y"], "y")], [bw(raises=ISE)])
    inplace(f"{op}/no_grad_tensor", f"x.{op}() on a tensor that needs no grad", [inp("x", (2, 5), rg=False)],
            [step(op, ["x"], "x")], [])
    inplace(f"{op}/specials", f"x.{op}() at NaN, +-inf, -0.0",
            [inp("x", (len(SPECIALS32),), rg=False, values=SPECIALS32)], [step(op, ["x"], "x")], [])
    inplace(f"{op}/view_of_nonleaf", f"t = x * 1.0; t.t().{op}(): CopySlices on t",
            [inp("x", (3, 4))], [step("mul_scalar", ["x"], "t", value=1.0), step("t", ["t"], "v"), step(op, ["v"], "v"),
                                 step("mul_scalar", ["t"], "y", value=1.0)])
    inplace(f"{op}/strided_no_grad", f"x[:, 1::2].{op}() of a tensor without grad",
            [inp("x", (3, 7), rg=False)], [step("slice", ["x"], "v", dim=1, start=1, end=2 ** 63 - 1, step=2),
                                           step(op, ["v"], "v")], [])
    inplace(f"{op}/leaf", f"x.{op}() on a leaf requiring grad", [inp("x", (3,))], [raises(ISE, op, ["x"], "x")], [],
            category="errors")
    inplace(f"{op}/int64", f"int64 x.{op}()", [inp("x", (3,), I64)],
            [raises(IAE, op, ["x"], "x")] if op != "relu_" else [step(op, ["x"], "x")], [],
            category="errors" if op != "relu_" else "inplace")
    inplace(f"{op}/no_grad_leaf", f"x.{op}() under no_grad on a leaf requiring grad",
            [inp("x", (4,))], [step(op, ["x"], "x", no_grad=True)], [])
for op in ["exp_", "sigmoid_", "tanh_", "relu_"]:
    # the result is saved by the node of an earlier op, then modified: backward refuses
    inplace(f"{op}/modifies_saved", f"s = x.exp(); y = s.{op}() ... s was saved by ExpBackward0",
            [inp("x", (3,))], [step("exp", ["x"], "s"), step("mul_scalar", ["s"], "m", value=1.0), step(op, ["s"], "s"),
                               step("add", ["m", "s"], "y")], [bw(raises=ISE)])
    inplace(f"{op}/modifies_input_of_mul", f"t = x * 1.0; y = t * w; t.{op}(); backward: MulBackward0 saved t",
            [inp("x", (3,)), inp("w", (3,))], [step("mul_scalar", ["x"], "t", value=1.0), step("mul", ["t", "w"], "y"),
                                                step(op, ["t"], "t")], [bw(raises=ISE)])
inplace("clamp_/nonleaf", "t = x * 1.0; t.clamp_(-0.5, 0.5)", [inp("x", (3, 4))],
        [step("mul_scalar", ["x"], "y", value=1.0), step("clamp_", ["y"], "y", min=-0.5, max=0.5)])
inplace("clamp_/at_bounds", "t = x * 1.0; t.clamp_(-1, 1) with elements at the bounds",
        [inp("x", (5,), values=[-1.0, 1.0, 0.0, -2.0, 2.0])],
        [step("mul_scalar", ["x"], "y", value=1.0), step("clamp_", ["y"], "y", min=-1.0, max=1.0)])
inplace("clamp_/float64_twice", "t.clamp_(-1, 1).clamp_(-0.5, 2)", [inp("x", (3, 4), F64, scale=2.0)],
        [step("mul_scalar", ["x"], "y", value=1.0), step("clamp_", ["y"], "y", min=-1.0, max=1.0),
         step("clamp_", ["y"], "y", min=-0.5, max=2.0)])
inplace("clamp_/specials", "x.clamp_(-1, 2) at NaN and infinities", [inp("x", (len(SPECIALS32),), rg=False,
                                                                         values=SPECIALS32)],
        [step("clamp_", ["x"], "x", min=-1.0, max=2.0)], [])
# (torch names the int64 type "long int" here, from a C++ type name, where its other messages say "Long": only the
# common part is required)
inplace("clamp_/int64_integral", "int64 x.clamp_(-1.0, 2.0)", [inp("x", (5,), I64, lo=-4, hi=5)],
        [raises(IAE, "clamp_", ["x"], "x", min=-1.0, max=2.0,
                fragment="result type Float can't be cast to the desired output type")], [], category="errors")
inplace("clamp_/leaf", "x.clamp_(0, 1) on a leaf requiring grad", [inp("x", (3,))],
        [raises(ISE, "clamp_", ["x"], "x", min=0.0, max=1.0)], [], category="errors")
inplace("clamp_/view", "t = x * 1; t[1].clamp_(0, 1)", [inp("x", (3, 4))],
        [step("mul_scalar", ["x"], "t", value=1.0), step("select", ["t"], "v", dim=0, index=1),
         step("clamp_", ["v"], "v", min=0.0, max=1.0), step("mul_scalar", ["t"], "y", value=1.0)])

for op in ["add", "sub", "mul", "div"]:
    s_op, t_op = op + "_scalar_", op + "_"
    for v in [2.5, -0.5, 0.0] if op != "div" else [2.5, -0.5, 0.0]:
        inplace(f"{s_op}/nonleaf/{v}", f"t = x * 1.0; t.{op}_({v})", [inp("x", (3, 4))],
                [step("mul_scalar", ["x"], "y", value=1.0), step(s_op, ["y"], "y", value=v)])
    inplace(f"{s_op}/float64", f"t = x * 1.0; t.{op}_(0.1).{op}_(3.0): version 2", [inp("x", (3, 4), F64)],
            [step("mul_scalar", ["x"], "y", value=1.0), step(s_op, ["y"], "y", value=0.1),
             step(s_op, ["y"], "y", value=3.0)])
    inplace(f"{s_op}/no_grad", f"x.{op}_(1.5) without grad", [inp("x", (2, 3), rg=False)],
            [step(s_op, ["x"], "x", value=1.5)], [])
    inplace(f"{s_op}/specials", f"x.{op}_(2.0) at specials", [inp("x", (len(SPECIALS32),), rg=False,
                                                                  values=SPECIALS32)],
            [step(s_op, ["x"], "x", value=2.0)], [])
    inplace(f"{s_op}/strided", f"x[:, 1::2].{op}_(3.0)", [inp("x", (3, 7), rg=False)],
            [step("slice", ["x"], "v", dim=1, start=1, end=2 ** 63 - 1, step=2), step(s_op, ["v"], "v", value=3.0)], [])
    inplace(f"{s_op}/view_of_nonleaf", f"t = x * 1.0; t.t().{op}_(2.0)", [inp("x", (3, 4))],
            [step("mul_scalar", ["x"], "t", value=1.0), step("t", ["t"], "v"), step(s_op, ["v"], "v", value=2.0),
             step("mul_scalar", ["t"], "y", value=1.0)])
    inplace(f"{s_op}/int64_integral", f"int64 x.{op}_(2.0): a Python float makes a float result",
            [inp("x", (3,), I64)], [raises(IAE, s_op, ["x"], "x", value=2.0)], [], category="errors")
    inplace(f"{s_op}/leaf", f"x.{op}_(1.0) on a leaf requiring grad", [inp("x", (3,))],
            [raises(ISE, s_op, ["x"], "x", value=1.0)], [], category="errors")
    inplace(f"{s_op}/no_grad_leaf", f"x.{op}_(2.0) under no_grad on a leaf requiring grad (an optimizer step)",
            [inp("x", (4,))], [step(s_op, ["x"], "x", value=2.0, no_grad=True)], [])
    other = dict(kind="away") if op == "div" else {}
    inplace(f"{t_op}/nonleaf", f"t = x * 1.0; t.{op}_(o)", [inp("x", (3, 4)), inp("o", (3, 4), **other)],
            [step("mul_scalar", ["x"], "y", value=1.0), step(t_op, ["y", "o"], "y")])
    inplace(f"{t_op}/broadcast", f"t = x * 1.0; t.{op}_(o (4,))", [inp("x", (3, 4)), inp("o", (4,), **other)],
            [step("mul_scalar", ["x"], "y", value=1.0), step(t_op, ["y", "o"], "y")])
    inplace(f"{t_op}/0dim_other", f"t = x * 1.0; t.{op}_(o 0-dim)", [inp("x", (3, 4)), inp("o", (), **other)],
            [step("mul_scalar", ["x"], "y", value=1.0), step(t_op, ["y", "o"], "y")])
    inplace(f"{t_op}/float64", f"t = x * 1.0; t.{op}_(o).{op}_(o) float64", [inp("x", (2, 3), F64),
                                                                             inp("o", (2, 3), F64, **other)],
            [step("mul_scalar", ["x"], "y", value=1.0), step(t_op, ["y", "o"], "y"), step(t_op, ["y", "o"], "y")])
    inplace(f"{t_op}/float32_by_float64", f"float32 t.{op}_(float64 o): stays float32",
            [inp("x", (2, 3)), inp("o", (2, 3), F64, **other)],
            [step("mul_scalar", ["x"], "y", value=1.0), step(t_op, ["y", "o"], "y")])
    inplace(f"{t_op}/float32_by_int64", f"float32 t.{op}_(int64 o)",
            [inp("x", (2, 3)), inp("o", (2, 3), I64, lo=1, hi=4)],
            [step("mul_scalar", ["x"], "y", value=1.0), step(t_op, ["y", "o"], "y")])
    inplace(f"{t_op}/self", f"t = x * 1.0; t.{op}_(t): raises where the node saved t",
            [inp("x", (2, 3), kind="away")],
            [step("mul_scalar", ["x"], "y", value=1.0), step(t_op, ["y", "y"], "y")], [bw(raises=MAYBE_ISE)])
    inplace(f"{t_op}/strided_self", f"x.t().{op}_(o) without grad", [inp("x", (4, 3), rg=False),
                                                                     inp("o", (3, 4), rg=False, **other)],
            [step("t", ["x"], "v"), step(t_op, ["v", "o"], "v")], [])
    inplace(f"{t_op}/other_requires_grad", f"plain x.{op}_(w), w requiring grad: x gets a node",
            [inp("x", (2, 3), rg=False), inp("w", (2, 3), **other)], [step(t_op, ["x", "w"], "x")], [bw("x")])
    inplace(f"{t_op}/not_broadcastable_to_self", f"x (3,).{op}_(o (2, 3))", [inp("x", (3,), rg=False),
                                                                             inp("o", (2, 3), rg=False)],
            [raises(IAE, t_op, ["x", "o"], "x")], [], category="errors")
    inplace(f"{t_op}/int64_by_float", f"int64 x.{op}_(float32 o)", [inp("x", (3,), I64), inp("o", (3,), rg=False)],
            [raises(IAE, t_op, ["x", "o"], "x")], [], category="errors")
    inplace(f"{t_op}/leaf", f"x.{op}_(o) on a leaf requiring grad", [inp("x", (3,)), inp("o", (3,), rg=False)],
            [raises(ISE, t_op, ["x", "o"], "x")], [], category="errors")
inplace("add_/int64", "int64 x.add_(int64 o)", [inp("x", (3,), I64), inp("o", (3,), I64)], [step("add_", ["x", "o"], "x")], [])
inplace("mul_/int64", "int64 x.mul_(int64 o)", [inp("x", (3,), I64), inp("o", (3,), I64)], [step("mul_", ["x", "o"], "x")], [])
inplace("sub_/int64_bool", "int64 x.sub_(bool o)", [inp("x", (3,), I64), inp("o", (3,), B)],
        [raises(IAE, "sub_", ["x", "o"], "x")], [], category="errors")
inplace("add_/int64_bool", "int64 x.add_(bool o)", [inp("x", (3,), I64), inp("o", (3,), B)], [step("add_", ["x", "o"], "x")], [])
inplace("div_/int64", "int64 x.div_(int64 o): true division can't be stored", [inp("x", (3,), I64),
                                                                              inp("o", (3,), I64, lo=1, hi=3)],
        [raises(IAE, "div_", ["x", "o"], "x")], [], category="errors")
inplace("mul_/bool", "bool x.mul_(bool o)", [inp("x", (4,), B), inp("o", (4,), B)], [step("mul_", ["x", "o"], "x")], [])
inplace("sub_/bool", "bool x.sub_(bool o)", [inp("x", (2,), B), inp("o", (2,), B)],
        [raises(IAE, "sub_", ["x", "o"], "x")], [], category="errors")
inplace("chain/optimizer_step", "SGD step with momentum: buf.mul_(0.9).add_(g); p.sub_(buf * lr) under no_grad",
        [inp("p", (3, 4)), inp("buf", (3, 4), rg=False), inp("g", (3, 4), rg=False)],
        [step("mul_scalar_", ["buf"], "buf", value=0.9), step("add_", ["buf", "g"], "buf"),
         step("mul_scalar", ["buf"], "d", value=0.01, no_grad=True), step("sub_", ["p", "d"], "p", no_grad=True),
         step("mul_scalar", ["p"], "y", value=2.0)])
inplace("chain/adam_like", "m.mul_(0.9).add_(g * 0.1); v.mul_(0.999).addcmul_-like; p.addcdiv under no_grad",
        [inp("p", (2, 3)), inp("m", (2, 3), rg=False), inp("v", (2, 3), rg=False, kind="uniform", lo=0.1, hi=1.0),
         inp("g", (2, 3), rg=False)],
        [step("mul_scalar_", ["m"], "m", value=0.9), step("mul_scalar", ["g"], "g1", value=0.1),
         step("add_", ["m", "g1"], "m"), step("mul_scalar_", ["v"], "v", value=0.999),
         step("addcmul", ["v", "g", "g"], "v2", value=0.001), step("sqrt", ["v2"], "den"),
         step("add_scalar_", ["den"], "den", value=1e-8),
         step("addcdiv", ["p", "m", "den"], "p2", value=-0.001, no_grad=True), step("sum", ["p"], "y")])
inplace("versions/mixed", "t = x * 1; t.add_(1).mul_(2).exp_().clamp_(0, 5).sub_(o).div_(3): version 6",
        [inp("x", (2, 3)), inp("o", (2, 3))],
        [step("mul_scalar", ["x"], "y", value=1.0), step("add_scalar_", ["y"], "y", value=1.0),
         step("mul_scalar_", ["y"], "y", value=2.0), step("exp_", ["y"], "y"),
         step("clamp_", ["y"], "y", min=0.0, max=5.0), step("sub_", ["y", "o"], "y"),
         step("div_scalar_", ["y"], "y", value=3.0)], [bw(raises=ISE)])
inplace("versions/mixed_without_exp", "t = x * 1; t.add_(1).mul_(2).clamp_(0, 5).sub_(o).div_(3).mul_(o): version 6",
        [inp("x", (2, 3)), inp("o", (2, 3))],
        [step("mul_scalar", ["x"], "y", value=1.0), step("add_scalar_", ["y"], "y", value=1.0),
         step("mul_scalar_", ["y"], "y", value=2.0), step("clamp_", ["y"], "y", min=0.0, max=5.0),
         step("sub_", ["y", "o"], "y"), step("div_scalar_", ["y"], "y", value=3.0), step("mul_", ["y", "o"], "y")],
        [bw(raises=MAYBE_ISE)])
inplace("versions/detach_shares", "d = t.detach(); d.mul_(2) bumps t's version and breaks t's saved use",
        [inp("x", (3,))], [step("exp", ["x"], "t"), step("detach", ["t"], "d"), step("mul_scalar_", ["d"], "d", value=2.0)],
        [bw("t", raises=ISE)])


# ---------------------------------------------------------------- second backward: where torch's node saves tensors
def second_backward(names, op, kw, make):
    """bw of the second backward: raising where torch freed saved tensors (probed here with torch itself)."""
    try:
        env = {n: make() for n in names}
        y = run_step(env, step(op, names, "y", **kw))
        y.backward(torch.ones_like(y))
        y.backward(torch.ones_like(y))
        return bw("y")
    except RuntimeError as e:
        assert "second time" in str(e), e
        return bw("y", raises=ISE)


def pos():
    return (torch.rand(2, 3, dtype=torch.float64) * 0.5 + 0.25).requires_grad_(True)


for op in DIFF_UNARY:
    d = DOMAIN.get(op, dict(kind="normal", scale=2.0))
    case(f"{op}/twice", "second_backward", f"y = {op}(x); y.backward(g1); y.backward(g2)",
         [inp("x", (2, 3), **d)], [step(op, ["x"], "y")], [bw("y"), second_backward(["x"], op, {}, pos)])
    case(f"{op}/twice_retained", "second_backward", f"y = {op}(x); y.backward(g1, retain_graph); y.backward(g2)",
         [inp("x", (2, 3), **d)], [step(op, ["x"], "y")], [bw("y", retain_graph=True), bw("y")])
for op, kw in ACT + [("clamp", dict(min=-0.5, max=0.5)), ("clamp_min", dict(min=0.0)), ("clamp_max", dict(max=0.0)),
                     ("nan_to_num", {}), ("pow_scalar", dict(value=2.0)), ("pow_base", dict(base=2.0)),
                     ("fmod_scalar", dict(value=1.5)), ("remainder_scalar", dict(value=1.5)),
                     ("max", {}), ("min", {}), ("amax", dict(dims=[1], keepdim=False)), ("prod", {}), ("var", {}),
                     ("std", {}), ("logsumexp", dict(dims=[1], keepdim=False)), ("norm", {}),
                     ("norm_p", dict(p=1.0, dims=[1], keepdim=False)), ("cumsum", dict(dim=1))]:
    case(f"{op}/" + (f"{params_text(kw)}/" if kw else "") + "twice", "second_backward",
         f"y = {call_text(op, kw)} of x; backward twice",
         [inp("x", (2, 3))], [step(op, ["x"], "y", **kw)], [bw("y"), second_backward(["x"], op, kw, pos)])
for op in ["pow", "maximum", "minimum", "atan2", "fmod", "remainder", "lerp", "addcmul", "addcdiv"]:
    kw = dict(weight=0.25) if op == "lerp" else dict(value=0.5) if op.startswith("addc") else {}
    names = ["a", "b", "c"] if op.startswith("addc") else ["a", "b"]
    case(f"{op}/twice", "second_backward", f"y = {call_text(op, kw)} of {names}; backward twice",
         [inp(n, (3,), kind="uniform", lo=0.5, hi=1.5) for n in names],
         [step(op, names, "y", **kw)], [bw("y"), second_backward(names, op, kw, pos)])


# ---------------------------------------------------------------- reductions
def red(op, label, x, pre=None, **kw):
    one("reduction", label, op, x, pre=pre, **kw)


for op in ["max", "min"]:
    red(op, "float32[3, 5]", inp("x", (3, 5)))
    red(op, "float64[3, 5]", inp("x", (3, 5), F64))
    red(op, "float32[4, 6].t()", inp("x", (4, 6)), pre=pre_t())
    red(op, "float32[]", inp("x", ()))
    red(op, "float32/ties", inp("x", (2, 3), values=[1.0, 3.0, 3.0, -2.0, 3.0, -2.0]))   # the gradient is split
    red(op, "float32/ties_min", inp("x", (2, 3), values=[1.0, -3.0, 3.0, -3.0, 3.0, -3.0]))
    red(op, "float32/nan", inp("x", (5,), values=[1.0, NAN, 2.0, NAN, INF]))
    red(op, "float32/inf", inp("x", (4,), values=[-INF, 1.0, INF, 0.0]))
    red(op, "float32/signed_zeros", inp("x", (2,), rg=False, values=[-0.0, 0.0]))
    red(op, "float32[67]", inp("x", (67,)))
    red(op, "int64", inp("x", (5,), I64, values=[3, -(2 ** 62), 2 ** 62 + 1, 0, 7]))
    red(op, "bool", inp("x", (4,), B, values=[False, True, False, False]))
    case(f"{op}/empty", "errors", f"{op}() of an empty tensor", [inp("x", (0, 3), rg=False)],
         [raises(IAE, op, ["x"], "y")])
for op in ["max_dim", "min_dim"]:
    def md(label, x, pre=None, **kw):
        steps = list(pre or [])
        src = steps[-1]["out"] if steps else "x"
        steps.append(step(op, [src], ["y", "i"], **kw))
        case(f"{op}/{params_text(kw)}/{label}", "reduction", f"{op[:3]}(x, {params_text(kw)}) -> (values, indices), "
             f"x: {x['dtype']}{fmt_shape(x['shape'])}", [x], steps, [bw("y")] if x["requires_grad"] else [])
    for dim, keep in [(0, False), (1, False), (1, True), (-1, False), (-2, True)]:
        md("float32[3, 5]", inp("x", (3, 5)), dim=dim, keepdim=keep)
    md("float64[2, 3, 4]", inp("x", (2, 3, 4), F64), dim=1, keepdim=False)
    md("float64[2, 3, 4]", inp("x", (2, 3, 4), F64), dim=2, keepdim=True)
    md("float32[4, 6].t()", inp("x", (4, 6)), pre=pre_t(), dim=1, keepdim=False)
    md("float32[4, 6].t()", inp("x", (4, 6)), pre=pre_t(), dim=0, keepdim=True)
    md("float32/ties", inp("x", (2, 4), values=[1.0, 3.0, 3.0, 3.0, -2.0, -2.0, 5.0, -2.0]), dim=1, keepdim=False)
    md("float32/ties_dim0", inp("x", (3, 2), values=[1.0, 2.0, 1.0, 2.0, 0.0, 2.0]), dim=0, keepdim=False)
    md("float32/nan", inp("x", (2, 4), values=[1.0, NAN, 3.0, NAN, INF, -INF, 2.0, 1.0]), dim=1, keepdim=False)
    md("float32[]", inp("x", ()), dim=0, keepdim=False)
    md("float32[]", inp("x", ()), dim=-1, keepdim=True)
    md("float32[1, 5]", inp("x", (1, 5)), dim=0, keepdim=False)
    md("float32[3, 40]", inp("x", (3, 40)), dim=1, keepdim=False)
    md("int64", inp("x", (2, 3), I64, values=[5, -1, 5, 2 ** 62, -(2 ** 62), 0]), dim=1, keepdim=False)
    md("bool", inp("x", (2, 3), B, values=[False, True, True, False, False, False]), dim=1, keepdim=True)
    md("float32[0, 3]", inp("x", (0, 3)), dim=1, keepdim=False)
    for dim in [2, -3]:
        case(f"{op}/dim{dim}", "errors", f"{op[:3]}(x (2, 3), {dim})", [inp("x", (2, 3), rg=False)],
             [raises(IAE, op, ["x"], ["y", "i"], dim=dim, keepdim=False)])
    case(f"{op}/empty_dim", "errors", f"{op[:3]}(x (0, 3), 0): no elements along the dim", [inp("x", (0, 3), rg=False)],
         [raises(IAE, op, ["x"], ["y", "i"], dim=0, keepdim=False)])
for op in ["amax", "amin"]:
    for dims, keep in [([1], False), ([0], True), ([0, 1], False), ([-1, 0], True), ([], False)]:
        red(op, "float32[3, 5]", inp("x", (3, 5)), dims=dims, keepdim=keep)
    red(op, "float64[2, 3, 4]", inp("x", (2, 3, 4), F64), dims=[0, 2], keepdim=False)
    red(op, "float32[4, 6].t()", inp("x", (4, 6)), pre=pre_t(), dims=[1], keepdim=False)
    red(op, "float32/ties", inp("x", (2, 4), values=[3.0, 1.0, 3.0, 3.0, -2.0, -2.0, 5.0, -2.0]), dims=[1],
        keepdim=False)  # amax/amin split the gradient among ties
    red(op, "float32/nan", inp("x", (2, 3), values=[1.0, NAN, 3.0, INF, -INF, 2.0]), dims=[1], keepdim=False)
    red(op, "float32[]", inp("x", ()), dims=[0], keepdim=False)
    red(op, "int64", inp("x", (2, 3), I64), dims=[0], keepdim=False)
    red(op, "bool", inp("x", (2, 3), B), dims=[1], keepdim=False)
    red(op, "float32[0, 3]", inp("x", (0, 3)), dims=[1], keepdim=False)
    case(f"{op}/dim2", "errors", f"{op}(x (2, 3), [2])", [inp("x", (2, 3), rg=False)],
         [raises(IAE, op, ["x"], "y", dims=[2], keepdim=False)])
    case(f"{op}/repeated_dim", "errors", f"{op}(x (2, 3), [0, 0])", [inp("x", (2, 3), rg=False)],
         [raises(IAE, op, ["x"], "y", dims=[0, 0], keepdim=False)])
    case(f"{op}/empty_dim", "errors", f"{op}(x (0, 3), [0])", [inp("x", (0, 3), rg=False)],
         [raises(IAE, op, ["x"], "y", dims=[0], keepdim=False)])
for op in ["argmax", "argmin"]:
    red(op, "float32[3, 5]", inp("x", (3, 5)))
    red(op, "float32[4, 6].t()", inp("x", (4, 6)), pre=pre_t())
    red(op, "float32/ties", inp("x", (6,), values=[1.0, 3.0, -3.0, 3.0, -3.0, 0.0]))
    red(op, "float32/nan", inp("x", (5,), values=[1.0, 5.0, NAN, -5.0, NAN]))
    red(op, "float64", inp("x", (7,), F64))
    red(op, "int64", inp("x", (5,), I64, values=[3, -(2 ** 62), 2 ** 62 + 1, 0, 2 ** 62 + 1]))
    red(op, "float32[]", inp("x", ()))
    case(f"{op}/empty", "errors", f"{op}() of an empty tensor", [inp("x", (0,), rg=False)],
         [raises(IAE, op, ["x"], "y")])
    case(f"{op}/bool", "errors", f"{op}() of a bool tensor", [inp("x", (3,), B)], [raises(IAE, op, ["x"], "y")])
    for dim, keep in [(0, False), (1, True), (-1, False)]:
        red(op + "_dim", "float32[3, 5]", inp("x", (3, 5)), dim=dim, keepdim=keep)
    red(op + "_dim", "float32[4, 6].t()", inp("x", (4, 6)), pre=pre_t(), dim=1, keepdim=False)
    red(op + "_dim", "float32/ties", inp("x", (2, 4), values=[1.0, 3.0, 3.0, 3.0, -2.0, -2.0, 5.0, -2.0]), dim=1,
        keepdim=False)
    red(op + "_dim", "float32/nan", inp("x", (2, 3), values=[NAN, 1.0, NAN, 2.0, NAN, 3.0]), dim=1, keepdim=False)
    red(op + "_dim", "int64", inp("x", (2, 3), I64), dim=0, keepdim=True)
    case(f"{op}_dim/dim2", "errors", f"{op}(x (2, 3), 2)", [inp("x", (2, 3), rg=False)],
         [raises(IAE, op + "_dim", ["x"], "y", dim=2, keepdim=False)])

# prod: the gradient with one and with several zeros
red("prod", "float32[3, 4]", inp("x", (3, 4), kind="uniform", lo=0.5, hi=1.5))
red("prod", "float64[2, 5]", inp("x", (2, 5), F64))
red("prod", "float32[4, 3].t()", inp("x", (4, 3), kind="uniform", lo=0.5, hi=1.5), pre=pre_t())
red("prod", "float32/one_zero", inp("x", (5,), values=[2.0, 0.0, -1.5, 3.0, 0.5]))
red("prod", "float32/two_zeros", inp("x", (5,), values=[2.0, 0.0, -1.5, 0.0, 0.5]))
red("prod", "float64/one_zero", inp("x", (2, 2), F64, values=[0.0, 2.0, 3.0, -4.0]))
red("prod", "float32/specials", inp("x", (4,), rg=False, values=[INF, 0.0, 2.0, 1.0]))
red("prod", "float32/nan", inp("x", (3,), rg=False, values=[NAN, 0.0, 2.0]))
red("prod", "float32/overflow", inp("x", (4,), rg=False, values=[1e20, 1e20, 1e-20, 1e-20]))
red("prod", "float32[]", inp("x", ()))
red("prod", "float32[0]", inp("x", (0,)))
red("prod", "int64", inp("x", (5,), I64, lo=-4, hi=5))
red("prod", "int64/wraps", inp("x", (3,), I64, values=[2 ** 40, 2 ** 30, 3]))
red("prod", "bool", inp("x", (4,), B))

# var / std (PyTorch 2's correction signature)
for op in ["var", "std"]:
    red(op, "float32[3, 5]", inp("x", (3, 5)))
    red(op, "float64[3, 5]", inp("x", (3, 5), F64))
    red(op, "float32[4, 6].t()", inp("x", (4, 6)), pre=pre_t())
    red(op, "float32/offset_1e4", inp("x", (8,), kind="uniform", lo=1e4, hi=1e4 + 1.0))
    red(op, "float32/constant", inp("x", (4,), values=[2.5, 2.5, 2.5, 2.5]))   # std'(0): NaN (0/0)
    # N - 1 = 0: NaN (torch 1.13's VarBackward0 then fails on its own shapes, "got [] but expected shape compatible
    # with [1]", a torch bug: forward only)
    red(op, "float32/one", inp("x", (1,), rg=False))
    red(op, "float32[]", inp("x", ()))
    red(op, "float32/nan", inp("x", (3,), rg=False, values=[1.0, NAN, 2.0]))
    red(op, "float32[0]", inp("x", (0,)))
    dop = op + "_dims"
    for dims, corr, keep in [([1], 1, False), ([0], 0, True), ([0, 1], 1, False), ([-1], 2, False),
                             ([1], 5, False), ([1], 0, False)]:
        red(dop, "float32[3, 5]", inp("x", (3, 5)), dims=dims, correction=corr, keepdim=keep)
    # dims=[]: all of them (torch 1.13's VarBackward0/StdBackward0 then divide by N - correction with N = 1, giving
    # infinite gradients, a torch bug: forward only)
    red(dop, "float32[3, 5]", inp("x", (3, 5), rg=False), dims=[], correction=1, keepdim=False)
    red(dop, "float64[2, 3, 4]", inp("x", (2, 3, 4), F64), dims=[0, 2], correction=1, keepdim=True)
    red(dop, "float32[4, 6].t()", inp("x", (4, 6)), pre=pre_t(), dims=[0], correction=1, keepdim=False)
    red(dop, "float32/constant_rows", inp("x", (2, 3), values=[1.0, 1.0, 1.0, 1.0, 2.0, 3.0]), dims=[1], correction=1,
        keepdim=False)
    red(dop, "float32[3, 1]", inp("x", (3, 1)), dims=[1], correction=1, keepdim=False)
    case(f"{op}/int64", "errors", f"{op}() of int64", [inp("x", (3,), I64)], [raises(IAE, op, ["x"], "y")])
    case(f"{op}/bool", "errors", f"{op}() of bool", [inp("x", (3,), B)], [raises(IAE, op, ["x"], "y")])
    case(f"{dop}/dim2", "errors", f"{op}(x (2, 3), [2])", [inp("x", (2, 3), rg=False)],
         [raises(IAE, dop, ["x"], "y", dims=[2], correction=1, keepdim=False)])
    case(f"{dop}/repeated", "errors", f"{op}(x (2, 3), [1, -1])", [inp("x", (2, 3), rg=False)],
         [raises(IAE, dop, ["x"], "y", dims=[1, -1], correction=1, keepdim=False)])

# logsumexp
for dims, keep in [([1], False), ([0], True), ([0, 1], False), ([-1], True)]:
    red("logsumexp", "float32[3, 5]", inp("x", (3, 5), scale=3.0), dims=dims, keepdim=keep)
red("logsumexp", "float64[2, 3, 4]", inp("x", (2, 3, 4), F64), dims=[1, 2], keepdim=False)
red("logsumexp", "float32[4, 6].t()", inp("x", (4, 6)), pre=pre_t(), dims=[1], keepdim=False)
red("logsumexp", "float32/1e4", inp("x", (2, 3), values=[1e4, 1e4 + 1, 1e4 - 3, -1e4, -1e4 + 2, 0.0]), dims=[1],
    keepdim=False)
red("logsumexp", "float32/-inf", inp("x", (2, 3), values=[-INF, -INF, -INF, -INF, 0.0, 1.0]), dims=[1], keepdim=False)
red("logsumexp", "float32/inf", inp("x", (2, 2), rg=False, values=[INF, 1.0, INF, -INF]), dims=[1], keepdim=False)
red("logsumexp", "float32/nan", inp("x", (3,), rg=False, values=[NAN, 1.0, 2.0]), dims=[0], keepdim=False)
red("logsumexp", "float32[]", inp("x", ()), dims=[0], keepdim=False)
red("logsumexp", "int64", inp("x", (2, 3), I64, lo=-3, hi=4), dims=[1], keepdim=False)
red("logsumexp", "float32[0, 3]", inp("x", (0, 3)), dims=[0], keepdim=False)
case("logsumexp/dim2", "errors", "logsumexp(x (2, 3), [2])", [inp("x", (2, 3), rg=False)],
     [raises(IAE, "logsumexp", ["x"], "y", dims=[2], keepdim=False)])

# norm
red("norm", "float32[3, 5]", inp("x", (3, 5)))
red("norm", "float64[3, 5]", inp("x", (3, 5), F64))
red("norm", "float32[4, 6].t()", inp("x", (4, 6)), pre=pre_t())
red("norm", "float32/zeros", inp("x", (3,), values=[0.0, 0.0, -0.0]))       # the gradient at 0 is 0
red("norm", "float32/large", inp("x", (3,), values=[3e30, 4e30, 0.0]))      # no overflow of the squares
red("norm", "float32/tiny", inp("x", (2,), values=[3e-30, 4e-30]))          # no underflow
red("norm", "float32/inf_nan", inp("x", (3,), rg=False, values=[INF, NAN, 1.0]))
red("norm", "float32[]", inp("x", ()))
red("norm", "float32[0]", inp("x", (0,)))
for p in [2.0, 1.0, 3.0, 0.5, INF, -INF, 0.0]:
    red("norm_p", "float32[3, 5]", inp("x", (3, 5)), p=p, dims=[1], keepdim=False)
red("norm_p", "float32[3, 5]", inp("x", (3, 5)), p=2.0, dims=[0, 1], keepdim=True)
red("norm_p", "float32[3, 5]", inp("x", (3, 5)), p=1.0, dims=[-2], keepdim=False)
red("norm_p", "float64[2, 3, 4]", inp("x", (2, 3, 4), F64), p=3.0, dims=[0, 2], keepdim=False)
red("norm_p", "float32[4, 6].t()", inp("x", (4, 6)), pre=pre_t(), p=1.0, dims=[1], keepdim=False)
red("norm_p", "float32/zeros", inp("x", (2, 3), values=[0.0, 0.0, 0.0, 1.0, -2.0, 0.0]), p=2.0, dims=[1], keepdim=False)
red("norm_p", "float32/zeros", inp("x", (2, 3), values=[0.0, 0.0, 0.0, 1.0, -2.0, 0.0]), p=1.0, dims=[1], keepdim=False)
red("norm_p", "float32/ties", inp("x", (2, 3), values=[3.0, -3.0, 1.0, 2.0, 0.0, -2.0]), p=INF, dims=[1], keepdim=False)
red("norm_p", "float32[]", inp("x", ()), p=2.0, dims=[0], keepdim=False)
case("norm/int64", "errors", "norm() of int64", [inp("x", (3,), I64)], [raises(IAE, "norm", ["x"], "y")])
case("norm_p/dim2", "errors", "norm(x (2, 3), 2, [2])", [inp("x", (2, 3), rg=False)],
     [raises(IAE, "norm_p", ["x"], "y", p=2.0, dims=[2], keepdim=False)])

# cumsum
for dim in [0, 1, -1, -2]:
    red("cumsum", "float32[3, 5]", inp("x", (3, 5)), dim=dim)
red("cumsum", "float64[2, 3, 4]", inp("x", (2, 3, 4), F64), dim=1)
red("cumsum", "float32[4, 6].t()", inp("x", (4, 6)), pre=pre_t(), dim=1)
red("cumsum", "float32[4, 6].t()", inp("x", (4, 6)), pre=pre_t(), dim=0)
red("cumsum", "float32/specials", inp("x", (6,), rg=False, values=[1.0, INF, -INF, 2.0, NAN, 1.0]), dim=0)
red("cumsum", "float32[]", inp("x", ()), dim=0)
red("cumsum", "float32[0, 3]", inp("x", (0, 3)), dim=1)
red("cumsum", "float32[100]", inp("x", (100,)), dim=0)
red("cumsum", "int64", inp("x", (2, 4), I64, values=[2 ** 62, 2 ** 62, 1, -1, 3, 4, 5, 6]), dim=1)
red("cumsum", "bool", inp("x", (2, 3), B), dim=1)
case("cumsum/dim2", "errors", "cumsum(x (2, 3), 2)", [inp("x", (2, 3), rg=False)],
     [raises(IAE, "cumsum", ["x"], "y", dim=2)])
case("cumsum/dim-3", "errors", "cumsum(x (2, 3), -3)", [inp("x", (2, 3), rg=False)],
     [raises(IAE, "cumsum", ["x"], "y", dim=-3)])

# all / any / count_nonzero
for op in ["all", "any", "count_nonzero"]:
    red(op, "float32", inp("x", (2, 3), values=[1.0, 0.0, -0.0, NAN, 2.0, 3.0]))
    red(op, "float32/nonzero", inp("x", (3,), values=[1.0, NAN, -INF]))
    red(op, "float32/zeros", inp("x", (3,), values=[0.0, -0.0, 0.0]))
    red(op, "float64[4, 6].t()", inp("x", (4, 6), F64, kind="int", lo=0, hi=3), pre=pre_t())
    red(op, "int64", inp("x", (5,), I64, lo=0, hi=2))
    red(op, "bool", inp("x", (4,), B))
    red(op, "bool/all_true", inp("x", (4,), B, values=[True] * 4))
    red(op, "float32[0]", inp("x", (0,), rg=False))
    red(op, "float32[]", inp("x", (), values=0.5))
    red(op, "float32/denormal", inp("x", (2,), values=[0.0, 1e-45]))
for dims in [[0], [1], [0, 1], [-1]]:
    red("count_nonzero_dims", "float32[3, 4]", inp("x", (3, 4), kind="int", lo=0, hi=2), dims=dims)
red("count_nonzero_dims", "bool[2, 3, 4]", inp("x", (2, 3, 4), B), dims=[0, 2])
red("count_nonzero_dims", "float32[4, 3].t()", inp("x", (4, 3), kind="int", lo=0, hi=2), pre=pre_t(), dims=[1])
case("count_nonzero_dims/dim2", "errors", "count_nonzero(x (2, 3), [2])", [inp("x", (2, 3), rg=False)],
     [raises(IAE, "count_nonzero_dims", ["x"], "y", dims=[2])])
case("count_nonzero_dims/repeated", "errors", "count_nonzero(x (2, 3), [0, 0])", [inp("x", (2, 3), rg=False)],
     [raises(IAE, "count_nonzero_dims", ["x"], "y", dims=[0, 0])])

# ---------------------------------------------------------------- chains: a model's math end to end
case("chain/mlp_gelu_log_softmax", "chain", "h = gelu(x * w + b); y = log_softmax(h, -1)[target-like select].sum()",
     [inp("x", (4, 3)), inp("w", (3,)), inp("b", (3,))],
     [step("mul", ["x", "w"], "xw"), step("add", ["xw", "b"], "z"), step("gelu", ["z"], "h", approximate="none"),
      step("log_softmax", ["h"], "ls", dim=-1), step("select", ["ls"], "c", dim=1, index=2), step("sum", ["c"], "y")],
     [bw()], extra_grad_tol=(8, 8.0))
case("chain/tanh_sigmoid_mul", "chain", "y = tanh(a) * sigmoid(b) + relu(a - b)",
     [inp("a", (3, 4)), inp("b", (3, 4))],
     [step("tanh", ["a"], "ta"), step("sigmoid", ["b"], "sb"), step("mul", ["ta", "sb"], "p"),
      step("sub", ["a", "b"], "d"), step("relu", ["d"], "r"), step("add", ["p", "r"], "y")], [bw()])
case("chain/x_used_twice", "chain", "y = exp(x) * sin(x): x's gradient from two paths",
     [inp("x", (2, 5))], [step("exp", ["x"], "e"), step("sin", ["x"], "s"), step("mul", ["e", "s"], "y")], [bw()],
     extra_grad_tol=(4, 4.0))
case("chain/layernorm_like", "chain", "(x - mean) / sqrt(var(x, 1, keepdim, correction=0) + eps)",
     [inp("x", (3, 5), scale=2.0)],
     [step("var_dims", ["x"], "v", dims=[1], correction=0, keepdim=True), step("add_scalar", ["v"], "ve", value=1e-5),
      step("rsqrt", ["ve"], "r"), step("mul", ["x", "r"], "y")], [bw()], extra_grad_tol=(8, 16.0))
case("chain/logsumexp_minus_max", "chain", "logsumexp(x, 1) - amax(x, 1)",
     [inp("x", (3, 4), scale=3.0)],
     [step("logsumexp", ["x"], "l", dims=[1], keepdim=False), step("amax", ["x"], "m", dims=[1], keepdim=False),
      step("sub", ["l", "m"], "y")], [bw()], extra_grad_tol=(4, 8.0))
case("chain/norm_clip", "chain", "x * clamp_max(1 / norm(x), 2.0)", [inp("x", (6,))],
     [step("norm", ["x"], "n"), step("reciprocal", ["n"], "r"), step("clamp_max", ["r"], "c", max=2.0),
      step("mul", ["x", "c"], "y")], [bw()], extra_grad_tol=(8, 8.0))
case("chain/max_dim_values_indices", "chain", "values, indices = x.max(1); y = values * 2; indices unused",
     [inp("x", (3, 4))], [step("max_dim", ["x"], ["v", "i"], dim=1, keepdim=True), step("mul_scalar", ["v"], "y", value=2.0)],
     [bw()])
case("chain/cumsum_then_softplus", "chain", "softplus(cumsum(x, 0))", [inp("x", (5, 2))],
     [step("cumsum", ["x"], "c", dim=0), step("softplus", ["c"], "y", beta=1.0, threshold=20.0)], [bw()],
     extra_grad_tol=(4, 8.0))
case("chain/where_like_clamp_and_compare", "chain", "mask = x.gt(0); y = x.clamp_min(0) (mask has no grad)",
     [inp("x", (3, 4))], [step("gt_scalar", ["x"], "m", value=0.0), step("clamp_min", ["x"], "y", min=0.0)], [bw()])
case("chain/under_no_grad", "chain", "y = exp(x) under no_grad: no node, not requiring grad",
     [inp("x", (3,))], [step("exp", ["x"], "y", no_grad=True), step("softmax", ["x"], "s", dim=0, no_grad=True),
                        step("max", ["x"], "m", no_grad=True)])

# ---------------------------------------------------------------- more errors
case("exp_bool_inplace", "errors", "bool x.exp_()", [inp("x", (3,), B)], [raises(IAE, "exp_", ["x"], "x")])


# ---------------------------------------------------------------- where torch 1.13 itself is wrong
def oracle_fix(name, fn):
    """Where torch 1.13 overflows to an infinity although the true value is finite, expect the value of Python's math
    module (correctly rounded to float32 where the result is float32), and say so in the description."""
    def fix(case):
        s = case["steps"][0]
        xs, ys = case["inputs"][0]["values"], s["expect"]["values"]
        notes = []
        for i, (x, y) in enumerate(zip(xs, ys)):
            if isinstance(y, str) and y != "NaN" and not isinstance(x, str):
                try:
                    r = fn(x)
                except (ValueError, OverflowError):
                    continue
                if s["expect"]["dtype"] == F32:
                    r = float(torch.tensor(r, dtype=torch.float64).float())
                if math.isfinite(r):
                    ys[i] = r
                    notes.append(f"{name}({x!r}) = {r!r}, torch 1.13 gives {y}")
        assert notes, case["id"]
        case["description"] += " [torch 1.13 overflows: " + "; ".join(notes) + "; expected from Python's math." + \
            name + "]"
        case["final"][s["out"]].pop("values", None)  # unchanged since the step, whose values are now the oracle's
    return fix


for cid, name, fn in [("unary/log1p/float32/specials", "log1p", math.log1p),
                      ("unary/log1p/float64/specials", "log1p", math.log1p),
                      ("unary/sinh/float64/specials", "sinh", math.sinh),
                      ("unary/cosh/float64/specials", "cosh", math.cosh)]:
    [c] = [c for c in CASES if c["id"] == cid]
    c["oracle"] = oracle_fix(name, fn)


# ------------------------------------------------------------------------------------------------------------- main

def write(path, header, key, entries):
    """One entry a line: small diffs when the generator changes."""
    with open(path, "w") as f:
        f.write(json.dumps(header, allow_nan=False)[:-1] + f', "{key}": [\n')
        f.write(",\n".join(json.dumps(e, allow_nan=False) for e in entries))
        f.write("\n]}\n")


def main():
    cases = [realize(c) for c in CASES]
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    used = sorted({s["op"] for c in cases for s in c["steps"]})
    header = {"generator": "gen_math.py", "torch": torch.__version__,
              "tolerances": {op: TOL[op].table() for op in used}}
    write(os.path.join(HERE, "math.json"), header, "cases", cases)
    counts = {}
    for c in cases:
        counts[c["category"]] = counts.get(c["category"], 0) + 1
    errors = sum(1 for c in cases if any("error" in s for s in c["steps"] + c["backward"]))
    print("cases:", len(cases), "of which raising:", errors)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
