#!/usr/bin/python3
"""Writes the PyTorch goldens for the elementwise ops, reductions and autograd of vectorgrad.

    /usr/bin/python3 src/test/resources/golden/ops/gen_ops.py     (PyTorch 1.13; writes ops.json and errors.json beside this file)

ops.json holds "cases". A case is a tiny program over named tensors, run here by real torch and replayed by
PyTorchGoldenOpsTest through the Java API:

  inputs    leaves: name, dtype, shape, exact values (row-major JSON numbers: Python's repr of a float64, which
            round-trips exactly; "NaN"/"Infinity"/"-Infinity" as strings), requires_grad, and "variable" when the
            leaf is built with Variable(t, requires_grad=...).
  steps     one op each: {"op", "args": [names], "out", optional "scalar", "dims", "keepdim", "no_grad"} plus
            "expect", a snapshot of the step's result right after the step (shape, dtype, values, requires_grad,
            is_leaf, grad_fn name or null, _version). In-place steps ("add_", "zero_", "fill_") write "out" = args[0].
            "retain_grad" and "requires_grad_" steps return nothing new and have no snapshot.
  versions  _version of every name after the last step.
  backward  the backward calls, in order: {"of": name, "gradient": tensor or null (implicit), "retain_graph"}.
  grads     .grad of every name after the backward calls: a tensor, or null where torch has None.
  forward_exact / grads_exact
            true where IEEE arithmetic pins every value down (no reductions, no division in backward, no gradient
            accumulated from more than two terms): the Java results must then be bit-for-bit the same. Elsewhere
            the order of a summation is free, and the test allows rtol * max(|expected|, scale), where rtol is 1e-6
            if a float32 value takes part in the case and 1e-12 otherwise, and "scale" bounds the magnitude of the
            summands (1 + the sum of |x| over every input, times 1 + the largest |upstream gradient|).

errors.json holds "scenarios": each is run by torch, and its exception type and message recorded ("raises": false
when torch does not raise: those pin down that the engine must not raise either). "fragment" is the message's
first sentence, which the engine's message must contain; "java_type" is the exception class the Java API promises
(IllegalArgumentException for bad shapes/dims, IllegalStateException for autograd and state errors).
PyTorchGoldenErrorsTest holds the Java version of every scenario, keyed by "id".
"""
import json
import math
import os
import zlib

import torch

assert torch.__version__.startswith("1.13"), torch.__version__

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {"float32": torch.float32, "float64": torch.float64}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}


# ----------------------------------------------------------------------------------------------------------- encoding

def enc_value(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v  # json writes repr(float64): exact, and exact for a float32 too


def enc_tensor(t):
    t = t.detach()
    return {
        "shape": list(t.shape),
        "dtype": DTYPE_NAMES[t.dtype],
        "values": [enc_value(v) for v in t.reshape(-1).double().tolist()],
    }


def snapshot(t):
    s = enc_tensor(t)
    s.update({
        "requires_grad": t.requires_grad,
        "is_leaf": t.is_leaf,
        "grad_fn": t.grad_fn.name() if t.grad_fn is not None else None,
        "version": t._version,
    })
    return s


# ----------------------------------------------------------------------------------------------------------- inputs

class Gen:
    """Seeded per case (crc32 of its id), so adding a case leaves the others' numbers as they were."""

    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def normal(self, shape, dtype):
        return torch.randn(tuple(shape), generator=self.g, dtype=torch.float64).to(dtype)

    def away_from_zero(self, shape, dtype):
        """Magnitudes in [0.5, 2], either sign: safe denominators."""
        mag = 0.5 + 1.5 * torch.rand(tuple(shape), generator=self.g, dtype=torch.float64)
        sign = torch.where(torch.rand(tuple(shape), generator=self.g) < 0.5, -1.0, 1.0).double()
        return (mag * sign).to(dtype)


def inp(name, shape, dtype="float32", rg=True, kind="normal", variable=False):
    return {"name": name, "shape": list(shape), "dtype": dtype, "requires_grad": rg, "kind": kind,
            "variable": variable}


def step(op, args, out=None, **kw):
    s = {"op": op, "args": list(args)}
    if out is not None:
        s["out"] = out
    s.update(kw)
    return s


# ------------------------------------------------------------------------------------------------------ interpreter

def run_step(env, s):
    op, a = s["op"], [env[n] for n in s["args"]]
    if op == "add":
        return a[0] + a[1]
    if op == "sub":
        return a[0] - a[1]
    if op == "mul":
        return a[0] * a[1]
    if op == "div":
        return a[0] / a[1]
    if op == "add_scalar":
        return a[0] + s["scalar"]
    if op == "sub_scalar":
        return a[0] - s["scalar"]
    if op == "mul_scalar":
        return a[0] * s["scalar"]
    if op == "div_scalar":
        return a[0] / s["scalar"]
    if op == "neg":
        return a[0].neg()
    if op == "sum":
        return a[0].sum()
    if op == "mean":
        return a[0].mean()
    if op == "sum_dims":
        return a[0].sum(dim=tuple(s["dims"]), keepdim=s["keepdim"])
    if op == "mean_dims":
        return a[0].mean(dim=tuple(s["dims"]), keepdim=s["keepdim"])
    if op == "detach":
        return a[0].detach()
    if op == "data":
        return a[0].data
    if op == "add_":
        return a[0].add_(a[1])
    if op == "zero_":
        return a[0].zero_()
    if op == "fill_":
        return a[0].fill_(s["scalar"])
    if op == "retain_grad":
        a[0].retain_grad()
        return None
    if op == "requires_grad_":
        a[0].requires_grad_(s["flag"])
        return None
    raise ValueError(op)


REDUCTIONS = {"sum", "mean", "sum_dims", "mean_dims"}
INPLACE = {"add_", "zero_", "fill_"}
BINARY = {"add", "sub", "mul", "div"}


def exactness(case, env):
    """Whether forward values / grads are pinned down bit for bit by IEEE arithmetic (see the module doc)."""
    ops = [s["op"] for s in case["steps"]]
    forward_exact = not any(o in REDUCTIONS for o in ops)
    uses = {}
    for s in case["steps"]:
        for n in s["args"]:
            if s["op"] not in ("retain_grad", "requires_grad_", "detach", "data"):
                uses[n] = uses.get(n, 0) + 1
    broadcast_reduces = False
    for s in case["steps"]:
        if s["op"] in BINARY | {"add_"}:
            out_shape = torch.broadcast_shapes(*(tuple(env["__shape_" + n]) for n in s["args"]))
            for n in s["args"]:
                if math.prod(out_shape) > 2 * max(1, math.prod(env["__shape_" + n])):
                    broadcast_reduces = True  # sum_to over three or more terms: order is free
    grads_exact = (all(o not in ("div", "div_scalar", "mean", "mean_dims", "sum_dims") for o in ops)
                   and all(c <= 2 for c in uses.values())
                   and not broadcast_reduces
                   and len(case.get("backward", [])) <= 1)
    return forward_exact, grads_exact


def realize(case_spec):
    """Runs a case in torch and fills in inputs' values, snapshots, versions, backward gradients and grads."""
    case = dict(case_spec)
    gen = Gen(zlib.crc32(case["id"].encode()))
    env, scale = {}, 0.0
    inputs = []
    for i in case["inputs"]:
        dtype = DTYPES[i["dtype"]]
        data = gen.away_from_zero(i["shape"], dtype) if i["kind"] == "denominator" else gen.normal(i["shape"], dtype)
        if i["variable"]:
            from torch.autograd import Variable
            t = Variable(data, requires_grad=i["requires_grad"])
        else:
            t = data.clone().requires_grad_(i["requires_grad"])
        env[i["name"]] = t
        env["__shape_" + i["name"]] = list(t.shape)
        scale += float(data.double().abs().sum())
        j = {k: v for k, v in i.items() if k != "kind"}
        j["values"] = [enc_value(v) for v in data.reshape(-1).double().tolist()]
        inputs.append(j)
    case["inputs"] = inputs
    steps = []
    for s in case["steps"]:
        s = dict(s)
        if s.get("no_grad"):
            with torch.no_grad():
                r = run_step(env, s)
        else:
            r = run_step(env, s)
        if r is not None:
            env[s["out"]] = r
            env["__shape_" + s["out"]] = list(r.shape)
            s["expect"] = snapshot(r)
        steps.append(s)
    case["steps"] = steps
    names = [n for n in env if not n.startswith("__")]
    case["versions"] = {n: env[n]._version for n in names}
    backward = []
    gmax = 0.0
    for b in case.get("backward", []):
        out = env[b["of"]]
        gradient = None
        if b.get("gradient") == "random":
            gradient = gen.normal(list(out.shape), out.dtype)
            gmax = max([gmax] + [abs(v) for v in gradient.reshape(-1).tolist()])
        out.backward(gradient, retain_graph=b.get("retain_graph", False))
        backward.append({"of": b["of"], "gradient": None if gradient is None else enc_tensor(gradient),
                         "retain_graph": b.get("retain_graph", False)})
    case["backward"] = backward
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # .grad of a non-leaf: None, with a warning
        case["grads"] = {n: (None if env[n].grad is None else enc_tensor(env[n].grad)) for n in names}
    case["forward_exact"], case["grads_exact"] = exactness(case, env)
    case["scale"] = (1.0 + scale) * (1.0 + gmax)
    return case


# ------------------------------------------------------------------------------------------------------------ cases

CASES = []


def case(id, category, description, inputs, steps, backward=None):
    CASES.append({"id": id, "category": category, "description": description, "inputs": inputs,
                  "steps": steps, "backward": backward if backward is not None else []})


def bw(of, gradient="random", retain_graph=False):
    return {"of": of, "gradient": gradient, "retain_graph": retain_graph}


def auto_bw(out_shape, of="y"):
    """Implicit gradient for a 0-dim output, a seeded random one otherwise."""
    return [bw(of, None if len(out_shape) == 0 else "random")]


OP_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/"}


def binary_case(category, op, sa, sb, da="float32", db="float32", rga=True, rgb=True, suffix=""):
    out_shape = torch.broadcast_shapes(tuple(sa), tuple(sb))
    kind_b = "denominator" if op == "div" else "normal"
    id = f"{category}/{op}/{da[5:]}{list(sa)}{'~' if rga else ''}_{db[5:]}{list(sb)}{'~' if rgb else ''}{suffix}"
    desc = (f"{da}{tuple(sa)}{' requires_grad' if rga else ''} {OP_SYMBOL[op]} "
            f"{db}{tuple(sb)}{' requires_grad' if rgb else ''}")
    case(id, category, desc,
         [inp("a", sa, da, rga), inp("b", sb, db, rgb, kind_b)],
         [step(op, ["a", "b"], "y")],
         auto_bw(out_shape) if (rga or rgb) else [])


# elementwise: every op, both dtypes, same shapes; and with only one side requiring grad
for op in ["add", "sub", "mul", "div"]:
    for dt in ["float32", "float64"]:
        binary_case("elementwise", op, (2, 3), (2, 3), dt, dt)
        binary_case("elementwise", op, (2, 3), (2, 3), dt, dt, rga=True, rgb=False)
        binary_case("elementwise", op, (2, 3), (2, 3), dt, dt, rga=False, rgb=True)
    binary_case("elementwise", op, (2, 3), (2, 3), "float32", "float32", rga=False, rgb=False)
    binary_case("elementwise", op, (), (), "float32", "float32")
for dt in ["float32", "float64"]:
    for shape in [(2, 3), (), (0, 3)]:
        case(f"elementwise/neg/{dt[5:]}{list(shape)}", "elementwise", f"-a, a: {dt}{shape}",
             [inp("a", shape, dt)], [step("neg", ["a"], "y")], auto_bw(shape))
    case(f"elementwise/neg/{dt[5:]}[2, 3]_no_grad", "elementwise", f"-a, a: {dt}(2, 3), no requires_grad",
         [inp("a", (2, 3), dt, rg=False)], [step("neg", ["a"], "y")])

# broadcasting
BROADCAST_PAIRS = [((2, 3), (3,)), ((2, 1), (1, 3)), ((4, 1, 3), (2, 3)), ((), (2, 3)), ((1,), (5,)),
                   ((3, 1, 1), (1, 4, 1)), ((0, 3), (3,))]
for sa, sb in BROADCAST_PAIRS:
    for op in ["add", "sub", "mul", "div"]:
        for dt in ["float32", "float64"]:
            binary_case("broadcast", op, sa, sb, dt, dt)
        binary_case("broadcast", op, sb, sa, "float32", "float32")
    binary_case("broadcast", "mul", sa, sb, "float32", "float32", rga=True, rgb=False)

# type promotion: float32 op float64 is float64; each leaf's grad keeps the leaf's dtype.
# A 0-dim tensor does not promote a dimensioned one of the same category (float64 0-dim + float32 (2,3) is float32).
for op in ["add", "sub", "mul", "div"]:
    binary_case("promotion", op, (2, 3), (2, 3), "float32", "float64")
    binary_case("promotion", op, (2, 3), (2, 3), "float64", "float32")
    binary_case("promotion", op, (2, 3), (3,), "float32", "float64")
    binary_case("promotion", op, (2, 1), (1, 3), "float64", "float32")
    binary_case("promotion", op, (2, 3), (), "float32", "float64")
    binary_case("promotion", op, (), (2, 3), "float32", "float64")
    binary_case("promotion", op, (2, 3), (1,), "float32", "float64")
    binary_case("promotion", op, (), (), "float32", "float64")
binary_case("promotion", "mul", (2, 3), (2, 3), "float32", "float64", rga=True, rgb=False)
binary_case("promotion", "mul", (2, 3), (2, 3), "float32", "float64", rga=False, rgb=True)

# tensor op Python scalar: the scalar does not promote (it is converted to the tensor's dtype first)
for op, scalars in [("add", [2.0, 0.1, -1.5]), ("sub", [2.0, 0.1]), ("mul", [3.0, 0.1, -0.5]),
                    ("div", [4.0, 0.7, 3.0])]:
    for sc in scalars:
        for dt in ["float32", "float64"]:
            case(f"scalar/{op}/{dt[5:]}[2, 3]_{sc!r}", "scalar", f"a {OP_SYMBOL[op]} {sc!r}, a: {dt}(2, 3)",
                 [inp("a", (2, 3), dt)], [step(op + "_scalar", ["a"], "y", scalar=sc)], auto_bw((2, 3)))
    case(f"scalar/{op}/32[2, 3]_{scalars[0]!r}_no_grad", "scalar",
         f"a {OP_SYMBOL[op]} {scalars[0]!r}, a: float32(2, 3) without requires_grad",
         [inp("a", (2, 3), "float32", rg=False)], [step(op + "_scalar", ["a"], "y", scalar=scalars[0])])
    case(f"scalar/{op}/32[]_{scalars[0]!r}", "scalar", f"a {OP_SYMBOL[op]} {scalars[0]!r}, a: float32 0-dim",
         [inp("a", (), "float32")], [step(op + "_scalar", ["a"], "y", scalar=scalars[0])], auto_bw(()))
case("scalar/mixed/a_plus_2_times_b", "scalar", "(a + 2) * b, only b requires grad",
     [inp("a", (2, 3), rg=False), inp("b", (2, 3))],
     [step("add_scalar", ["a"], "t", scalar=2.0), step("mul", ["t", "b"], "y")], auto_bw((2, 3)))
case("scalar/mixed/a_div_4_minus_b", "scalar", "a / 4 - b, only a requires grad",
     [inp("a", (2, 3)), inp("b", (2, 3), rg=False)],
     [step("div_scalar", ["a"], "t", scalar=4.0), step("sub", ["t", "b"], "y")], auto_bw((2, 3)))


# reductions
def reduction(op, shape, dt="float32", dims=None, keepdim=False, rg=True):
    if dims is None:
        st = step(op, ["a"], "y")
        out_shape = ()
        desc = f"a.{op}(), a: {dt}{tuple(shape)}"
        id = f"reduction/{op}/{dt[5:]}{list(shape)}"
    else:
        st = step(op + "_dims", ["a"], "y", dims=list(dims), keepdim=keepdim)
        out_shape = tuple(getattr(torch.empty(shape), op)(dim=tuple(dims), keepdim=keepdim).shape)
        desc = f"a.{op}(dim={list(dims)}, keepdim={keepdim}), a: {dt}{tuple(shape)}"
        id = f"reduction/{op}/{dt[5:]}{list(shape)}_dims{list(dims)}{'_keepdim' if keepdim else ''}"
    if not rg:
        id += "_no_grad"
        desc += " without requires_grad"
    case(id, "reduction", desc, [inp("a", shape, dt, rg)], [st], auto_bw(out_shape) if rg else [])


for op in ["sum", "mean"]:
    for dt in ["float32", "float64"]:
        for shape in [(2, 3), (4, 1, 3), (), (5,), (0, 3), (3, 4, 5)]:
            reduction(op, shape, dt)
        for dims in [[0], [1], [-1], [-2], [0, 1], [1, 0], [-1, 0]]:
            for keepdim in [False, True]:
                reduction(op, (2, 3), dt, dims, keepdim)
        for dims in [[1], [0, 2], [-1, -3], [0, 1, 2]]:
            for keepdim in [False, True]:
                reduction(op, (4, 1, 3), dt, dims, keepdim)
        reduction(op, (0, 3), dt, [0])
        reduction(op, (0, 3), dt, [1], True)
        reduction(op, (), dt, [0])
        reduction(op, (), dt, [-1], True)
        reduction(op, (2, 3), dt, [])  # an empty dim list reduces every dim
        reduction(op, (3, 4, 5), dt, [1, -1])
    reduction(op, (2, 3), "float32", rg=False)
    reduction(op, (2, 3), "float32", [1], rg=False)

# chains
case("chain/seed_x_plus_temp_plus_2_mean", "chain",
     "x = Variable(randn(2, 2), requires_grad=True); (x + temp + 2).mean(), temp without requires_grad",
     [inp("x", (2, 2), variable=True), inp("temp", (2, 2), rg=False)],
     [step("add", ["x", "temp"], "t"), step("add_scalar", ["t"], "u", scalar=2.0), step("mean", ["u"], "y")],
     [bw("y", None)])
case("chain/seed_variable_without_grad", "chain",
     "x = Variable(randn(2, 2), requires_grad=False); x * 2",
     [inp("x", (2, 2), rg=False, variable=True)], [step("mul_scalar", ["x"], "y", scalar=2.0)])
for dt in ["float32", "float64"]:
    case(f"chain/a_mul_b_minus_a_div_b_sum/{dt[5:]}", "chain", f"(a*b - a/b).sum(), {dt}(2, 3)",
         [inp("a", (2, 3), dt), inp("b", (2, 3), dt, kind="denominator")],
         [step("mul", ["a", "b"], "p"), step("div", ["a", "b"], "q"), step("sub", ["p", "q"], "d"),
          step("sum", ["d"], "y")], [bw("y", None)])
    case(f"chain/a_times_a_plus_a/{dt[5:]}", "chain", f"a*a + a, {dt}(2, 3): a used three times",
         [inp("a", (2, 3), dt)], [step("mul", ["a", "a"], "p"), step("add", ["p", "a"], "y")], auto_bw((2, 3)))
    case(f"chain/a_div_a/{dt[5:]}", "chain", f"a / a, {dt}(2, 3)",
         [inp("a", (2, 3), dt, kind="denominator")], [step("div", ["a", "a"], "y")], auto_bw((2, 3)))
case("chain/a_times_a", "chain", "a * a, float32(2, 3)",
     [inp("a", (2, 3))], [step("mul", ["a", "a"], "y")], auto_bw((2, 3)))
case("chain/neg_sub_mean_dim", "chain", "(-(a - b)).mean(dim=1), float32(2, 3)",
     [inp("a", (2, 3)), inp("b", (2, 3))],
     [step("sub", ["a", "b"], "d"), step("neg", ["d"], "n"), step("mean_dims", ["n"], "y", dims=[1], keepdim=False)],
     auto_bw((2,)))
case("chain/linear_like", "chain", "((x * w) + bias).sum(dim=1).mean(): x (4, 3), w (3,), bias (1,)",
     [inp("x", (4, 3), rg=False), inp("w", (3,)), inp("bias", (1,))],
     [step("mul", ["x", "w"], "xw"), step("add", ["xw", "bias"], "z"),
      step("sum_dims", ["z"], "s", dims=[1], keepdim=False), step("mean", ["s"], "y")], [bw("y", None)])
case("chain/mixed_dtype", "chain", "((a32 * b64) / c32 - 1).sum(dim=0, keepdim=True): float64 result, grads keep dtypes",
     [inp("a", (2, 3), "float32"), inp("b", (3,), "float64"), inp("c", (2, 1), "float32", kind="denominator")],
     [step("mul", ["a", "b"], "p"), step("div", ["p", "c"], "q"), step("sub_scalar", ["q"], "r", scalar=1.0),
      step("sum_dims", ["r"], "y", dims=[0], keepdim=True)], auto_bw((1, 3)))
case("chain/shared_subexpression", "chain", "t = a + b; (t * t - t / b).mean(), b broadcast (3,)",
     [inp("a", (2, 3)), inp("b", (3,), kind="denominator")],
     [step("add", ["a", "b"], "t"), step("mul", ["t", "t"], "p"), step("div", ["t", "b"], "q"),
      step("sub", ["p", "q"], "d"), step("mean", ["d"], "y")], [bw("y", None)])
case("chain/detach_blocks_grad", "chain", "(a * a.detach()).sum(): grad is a, not 2a",
     [inp("a", (2, 3))],
     [step("detach", ["a"], "d"), step("mul", ["a", "d"], "p"), step("sum", ["p"], "y")], [bw("y", None)])
case("chain/data_blocks_grad", "chain", "(a * a.data).sum()",
     [inp("a", (2, 3))],
     [step("data", ["a"], "d"), step("mul", ["a", "d"], "p"), step("sum", ["p"], "y")], [bw("y", None)])
case("chain/no_grad_step", "chain", "with no_grad: t = a * 2; then (t + a).sum()",
     [inp("a", (2, 3))],
     [step("mul_scalar", ["a"], "t", scalar=2.0, no_grad=True), step("add", ["t", "a"], "u"),
      step("sum", ["u"], "y")], [bw("y", None)])
case("chain/no_grad_all", "chain", "with no_grad: (a * b).sum(): no graph",
     [inp("a", (2, 3)), inp("b", (2, 3))],
     [step("mul", ["a", "b"], "p", no_grad=True), step("sum", ["p"], "y", no_grad=True)])
case("chain/scalar_output_explicit_gradient", "chain", "(a * b).sum().backward(gradient) with a 0-dim gradient",
     [inp("a", (2, 3)), inp("b", (2, 3))],
     [step("mul", ["a", "b"], "p"), step("sum", ["p"], "y")], [bw("y", "random")])
case("chain/one_element_output_implicit", "chain", "a.sum(dim=[0, 1], keepdim=True) has shape (1, 1): implicit gradient",
     [inp("a", (2, 3))], [step("sum_dims", ["a"], "y", dims=[0, 1], keepdim=True)], [bw("y", None)])
case("chain/empty", "chain", "((a + b) * 2).sum() over an empty (0, 3) a",
     [inp("a", (0, 3)), inp("b", (3,))],
     [step("add", ["a", "b"], "t"), step("mul_scalar", ["t"], "u", scalar=2.0), step("sum", ["u"], "y")],
     [bw("y", None)])
case("chain/requires_grad_later", "chain", "a.requires_grad_(True) on a leaf, then (a * b).sum()",
     [inp("a", (2, 3), rg=False), inp("b", (2, 3), rg=False)],
     [step("requires_grad_", ["a"], flag=True), step("mul", ["a", "b"], "p"), step("sum", ["p"], "y")],
     [bw("y", None)])
case("chain/requires_grad_off_leaf", "chain", "a.requires_grad_(False) on a leaf, then a * b: only b's grad",
     [inp("a", (2, 3)), inp("b", (2, 3))],
     [step("requires_grad_", ["a"], flag=False), step("mul", ["a", "b"], "y")], auto_bw((2, 3)))

# gradient accumulation across backward calls
case("accumulate/mul_sum_retain_graph", "accumulate", "(a * b).sum().backward(retain_graph=True) twice: grads add up",
     [inp("a", (2, 3)), inp("b", (2, 3))],
     [step("mul", ["a", "b"], "p"), step("sum", ["p"], "y")],
     [bw("y", None, retain_graph=True), bw("y", None)])
case("accumulate/mul_broadcast_random_gradients", "accumulate",
     "(a * b) with b (3,), backward twice with different gradients, retain_graph=True first",
     [inp("a", (2, 3)), inp("b", (3,))], [step("mul", ["a", "b"], "y")],
     [bw("y", "random", retain_graph=True), bw("y", "random")])
case("accumulate/add_mean_twice_no_retain", "accumulate",
     "(a + 2).mean() backward twice without retain_graph: add and mean save no tensors, so torch does not raise",
     [inp("a", (2, 3))], [step("add_scalar", ["a"], "t", scalar=2.0), step("mean", ["t"], "y")],
     [bw("y", None), bw("y", None)])
case("accumulate/sub_neg_sum_dims_twice_no_retain", "accumulate",
     "(-(a - b)).sum(dim=1) backward twice without retain_graph: nothing saved, grads add up",
     [inp("a", (2, 3)), inp("b", (3,), "float64")],
     [step("sub", ["a", "b"], "d"), step("neg", ["d"], "n"), step("sum_dims", ["n"], "y", dims=[1], keepdim=False)],
     [bw("y", "random"), bw("y", "random")])
case("accumulate/two_outputs_shared_leaf", "accumulate", "(a * 2).sum() and (a * b).sum(): a.grad is the sum",
     [inp("a", (2, 3)), inp("b", (2, 3))],
     [step("mul_scalar", ["a"], "p", scalar=2.0), step("sum", ["p"], "y1"),
      step("mul", ["a", "b"], "q"), step("sum", ["q"], "y2")],
     [bw("y1", None), bw("y2", None)])

# retain_grad on non-leaves
case("retain_grad/non_leaf", "retain_grad", "t = a * b; t.retain_grad(); (t + a).sum(): t.grad is filled",
     [inp("a", (2, 3)), inp("b", (2, 3))],
     [step("mul", ["a", "b"], "t"), step("retain_grad", ["t"]), step("add", ["t", "a"], "u"),
      step("sum", ["u"], "y")], [bw("y", None)])
case("retain_grad/broadcast_non_leaf", "retain_grad",
     "t = a + b (b broadcast); t.retain_grad(); t.mean(dim=0): t.grad has t's shape, b.grad b's",
     [inp("a", (2, 3)), inp("b", (3,))],
     [step("add", ["a", "b"], "t"), step("retain_grad", ["t"]), step("mean_dims", ["t"], "y", dims=[0], keepdim=False)],
     auto_bw((3,)))
case("retain_grad/leaf_is_noop", "retain_grad", "retain_grad() on a leaf changes nothing",
     [inp("a", (2, 3))], [step("retain_grad", ["a"]), step("mul_scalar", ["a"], "y", scalar=3.0)], auto_bw((2, 3)))
case("retain_grad/accumulates", "retain_grad", "retained grad of a non-leaf accumulates across two backward calls",
     [inp("a", (2, 3))],
     [step("mul_scalar", ["a"], "t", scalar=2.0), step("retain_grad", ["t"]), step("sum", ["t"], "y")],
     [bw("y", None, retain_graph=True), bw("y", None)])
case("retain_grad/mixed_dtype", "retain_grad", "t = a32 + b64 retained: t.grad is float64",
     [inp("a", (2, 3)), inp("b", (2, 3), "float64")],
     [step("add", ["a", "b"], "t"), step("retain_grad", ["t"]), step("sum", ["t"], "y")], [bw("y", None)])

# in-place ops and versions
case("inplace/add_non_leaf", "inplace", "t = a * 2; t.add_(b); t.sum(): t becomes AddBackward0, version 1",
     [inp("a", (2, 3)), inp("b", (2, 3))],
     [step("mul_scalar", ["a"], "t", scalar=2.0), step("add_", ["t", "b"], "t"), step("sum", ["t"], "y")],
     [bw("y", None)])
case("inplace/add_broadcast_other", "inplace", "t = a + 0; t.add_(b) with b (3,) broadcast into (2, 3)",
     [inp("a", (2, 3)), inp("b", (3,))],
     [step("add_scalar", ["a"], "t", scalar=0.0), step("add_", ["t", "b"], "t")], auto_bw((2, 3), of="t"))
case("inplace/add_float64_into_float32", "inplace", "t (float32) .add_(b float64): t stays float32",
     [inp("a", (2, 3)), inp("b", (2, 3), "float64")],
     [step("add_scalar", ["a"], "t", scalar=1.0), step("add_", ["t", "b"], "t")], auto_bw((2, 3), of="t"))
case("inplace/add_float32_into_float64", "inplace", "t (float64) .add_(b float32): t stays float64",
     [inp("a", (2, 3), "float64"), inp("b", (2, 3), "float32")],
     [step("add_scalar", ["a"], "t", scalar=1.0), step("add_", ["t", "b"], "t")], auto_bw((2, 3), of="t"))
case("inplace/add_into_plain_leaf", "inplace",
     "x (no requires_grad).add_(b requiring grad): x joins the graph as AddBackward0",
     [inp("x", (2, 3), rg=False), inp("b", (2, 3))],
     [step("add_", ["x", "b"], "x"), step("mul", ["x", "b"], "y")], auto_bw((2, 3)))
case("inplace/add_twice", "inplace", "t = a * 1; t.add_(b); t.add_(b): version 2",
     [inp("a", (2, 3)), inp("b", (2, 3))],
     [step("mul_scalar", ["a"], "t", scalar=1.0), step("add_", ["t", "b"], "t"), step("add_", ["t", "b"], "t")],
     auto_bw((2, 3), of="t"))
case("inplace/zero_non_leaf", "inplace", "t = a + 1; t.zero_(); (t + a).sum(): ZeroBackward0 blocks a's path through t",
     [inp("a", (2, 3))],
     [step("add_scalar", ["a"], "t", scalar=1.0), step("zero_", ["t"], "t"), step("add", ["t", "a"], "u"),
      step("sum", ["u"], "y")], [bw("y", None)])
case("inplace/fill_non_leaf", "inplace", "t = a * 3; t.fill_(2.5); (t * b).sum()",
     [inp("a", (2, 3)), inp("b", (2, 3))],
     [step("mul_scalar", ["a"], "t", scalar=3.0), step("fill_", ["t"], "t", scalar=2.5), step("mul", ["t", "b"], "u"),
      step("sum", ["u"], "y")], [bw("y", None)])
case("inplace/fill_leaf_under_no_grad", "inplace",
     "with no_grad: a.fill_(0.5) on a leaf that requires grad; then (a * b).sum() uses the new values",
     [inp("a", (2, 3)), inp("b", (2, 3))],
     [step("fill_", ["a"], "a", scalar=0.5, no_grad=True), step("mul", ["a", "b"], "p"), step("sum", ["p"], "y")],
     [bw("y", None)])
case("inplace/zero_leaf_under_no_grad", "inplace", "with no_grad: a.zero_(); a stays a leaf requiring grad",
     [inp("a", (2, 3))], [step("zero_", ["a"], "a", no_grad=True), step("mul_scalar", ["a"], "y", scalar=2.0)],
     auto_bw((2, 3)))
case("inplace/add_leaf_under_no_grad", "inplace", "with no_grad: a.add_(b), like an optimizer step",
     [inp("a", (2, 3)), inp("b", (2, 3), rg=False)],
     [step("add_", ["a", "b"], "a", no_grad=True), step("sum", ["a"], "y")], [bw("y", None)])
case("inplace/plain_tensor", "inplace", "x.zero_(), x.fill_(1.5), x.add_(b) on tensors without grad: versions count",
     [inp("x", (2, 3), rg=False), inp("b", (3,), rg=False)],
     [step("zero_", ["x"], "x"), step("fill_", ["x"], "x", scalar=1.5), step("add_", ["x", "b"], "x")])
case("inplace/detach_shares_version", "inplace", "d = a.detach(); d.zero_(): a's _version moves with d's",
     [inp("a", (2, 3))], [step("detach", ["a"], "d"), step("zero_", ["d"], "d")])
case("inplace/data_has_own_version", "inplace", "d = a.data; d.zero_(): a's _version stays 0",
     [inp("a", (2, 3))], [step("data", ["a"], "d"), step("zero_", ["d"], "d")])
case("inplace/fill_0dim", "inplace", "0-dim t = a * 1; t.fill_(-3.0)",
     [inp("a", ())], [step("mul_scalar", ["a"], "t", scalar=1.0), step("fill_", ["t"], "t", scalar=-3.0),
                      step("add", ["t", "a"], "y")], [bw("y", None)])


# --------------------------------------------------------------------------------------------------------- errors

SCENARIOS = []


def first_sentence(msg):
    line = msg.split("\n")[0]
    i = line.find(". ")
    return line if i < 0 else line[:i + 1]


def scenario(id, java_type, description, fn):
    torch.manual_seed(zlib.crc32(id.encode()))
    entry = {"id": id, "description": description}
    try:
        fn()
        entry["raises"] = False
    except (RuntimeError, IndexError, ValueError) as e:  # what torch raises for these; anything else is a bug here
        entry.update({"raises": True, "torch_type": type(e).__name__, "message": str(e),
                      "fragment": first_sentence(str(e)), "java_type": java_type})
    if entry["raises"] and java_type is None:
        raise AssertionError(f"{id}: torch raised {entry['torch_type']}: {entry['message']}")
    if not entry["raises"] and java_type is not None:
        raise AssertionError(f"{id}: torch did not raise")
    SCENARIOS.append(entry)


IAE, ISE = "IllegalArgumentException", "IllegalStateException"
r = torch.randn


def leaf(*shape, dtype=torch.float32):
    return torch.randn(*shape, dtype=dtype, requires_grad=True)


def twice(make_scalar_output):
    def fn():
        y = make_scalar_output()
        y.backward()
        y.backward()
    return fn


def backward_after_no_grad():
    a = leaf(2, 3)
    with torch.no_grad():
        y = a * 2
    y.sum().backward()


def modified_after_saved(modify, dtype=torch.float32):
    """t = a + 1; y = (t * a).sum() (mul saves t); modify(t); y.backward()."""
    def fn():
        a = leaf(2, 3, dtype=dtype)
        t = a + 1
        y = (t * a).sum()
        modify(t)
        y.backward()
    return fn


def saved_leaf_modified(modify):
    """y = (a * b).sum() (mul saves the leaf b); modify(b); y.backward()."""
    def fn():
        a, b = leaf(3), leaf(3)
        y = (a * b).sum()
        modify(b)
        y.backward()
    return fn


def fill_under_no_grad(t):
    with torch.no_grad():
        t.fill_(1.0)


def unsaved_tensor_modified():
    a, b = leaf(3), leaf(3)
    t = a * 2
    y = (t + b).sum()
    t.zero_()
    y.backward()


def leaf_inplace_under_no_grad():
    a = leaf(2, 3)
    with torch.no_grad():
        a.add_(torch.ones(2, 3))
        a.zero_()
        a.fill_(1.0)


scenario("backward_without_grad", ISE, "ones(2, 3).sum().backward(): nothing requires grad",
         lambda: torch.ones(2, 3).sum().backward())
scenario("backward_after_no_grad", ISE, "with no_grad: y = a * 2 (a requires grad); y.sum().backward()",
         backward_after_no_grad)
scenario("backward_of_detached", ISE, "a.detach().sum().backward()", lambda: leaf(2, 3).detach().sum().backward())
scenario("second_backward_mul", ISE, "y = (a * b).sum(); y.backward(); y.backward(): mul saved its inputs",
         twice(lambda: (leaf(2, 3) * leaf(2, 3)).sum()))
scenario("second_backward_mul_scalar", ISE, "y = (a * 3).sum(), backward twice: the wrapped scalar is saved",
         twice(lambda: (leaf(2, 3) * 3).sum()))
scenario("second_backward_mul_constant", ISE, "y = (a * c).sum(), c without grad, backward twice",
         twice(lambda: (leaf(2, 3) * r(2, 3)).sum()))
scenario("second_backward_div", ISE, "y = (a / b).sum(), backward twice",
         twice(lambda: (leaf(2, 3) / (r(2, 3).abs() + 1).requires_grad_()).sum()))
scenario("second_backward_div_scalar", ISE, "y = (a / 4).sum(), backward twice", twice(lambda: (leaf(2, 3) / 4).sum()))
scenario("second_backward_mean_dim", ISE, "y = a.mean(dim=0).sum(), backward twice: MeanBackward1 saves self",
         twice(lambda: leaf(2, 3).mean(dim=0).sum()))
scenario("second_backward_add_mean", None, "y = (a + 2).mean(), backward twice: nothing saved, no error",
         twice(lambda: (leaf(2, 3) + 2).mean()))
scenario("second_backward_add_tensor_sum", None, "y = (a + b).sum(), b float64 (3,), backward twice: no error",
         twice(lambda: (leaf(2, 3) + leaf(3, dtype=torch.float64)).sum()))
scenario("second_backward_sub_neg_sum_dim", None, "y = (-(a - b)).sum(dim=1).sum(), backward twice: no error",
         twice(lambda: (-(leaf(2, 3) - leaf(2, 3))).sum(dim=1).sum()))
scenario("second_backward_sum_dim_keepdim", None, "y = a.sum(dim=1, keepdim=True).sum(), backward twice: no error",
         twice(lambda: leaf(2, 3).sum(dim=1, keepdim=True).sum()))
scenario("implicit_gradient_non_scalar", ISE, "(a * 2).backward() with a (2, 3)",
         lambda: (leaf(2, 3) * 2).backward())
scenario("implicit_gradient_one_element", None, "a.sum(dim=[0, 1], keepdim=True).backward(): shape (1, 1), allowed",
         lambda: leaf(2, 3).sum(dim=[0, 1], keepdim=True).backward())
scenario("broadcast_add_2x3_2x2", IAE, "(2, 3) + (2, 2)", lambda: torch.ones(2, 3) + torch.ones(2, 2))
scenario("broadcast_sub_3_4", IAE, "(3,) - (4,)", lambda: torch.ones(3) - torch.ones(4))
scenario("broadcast_mul_2x3_3x2", IAE, "(2, 3) * (3, 2)", lambda: torch.ones(2, 3) * torch.ones(3, 2))
scenario("broadcast_div_4x1x3_2x2", IAE, "(4, 1, 3) / (2, 2)", lambda: torch.ones(4, 1, 3) / torch.ones(2, 2))
scenario("broadcast_add_0x3_2x3", IAE, "(0, 3) + (2, 3)", lambda: torch.ones(0, 3) + torch.ones(2, 3))
scenario("broadcast_mixed_dtype", IAE, "float32 (2, 3) + float64 (2, 2)",
         lambda: torch.ones(2, 3) + torch.ones(2, 2, dtype=torch.float64))
scenario("add_inplace_broadcast_into_smaller", IAE, "ones(3).add_(ones(2, 3)): the result must keep self's shape",
         lambda: torch.ones(3).add_(torch.ones(2, 3)))
scenario("add_inplace_shape_mismatch", IAE, "ones(2, 3).add_(ones(2)): not broadcastable",
         lambda: torch.ones(2, 3).add_(torch.ones(2)))
scenario("requires_grad_false_on_non_leaf", ISE, "(a * 2).requires_grad_(False)",
         lambda: (leaf(2, 3) * 2).requires_grad_(False))
scenario("requires_grad_true_on_non_leaf", None, "(a * 2).requires_grad_(True) is allowed",
         lambda: (leaf(2, 3) * 2).requires_grad_(True))
scenario("saved_tensor_zeroed", ISE, "t = a + 1; y = (t * a).sum(); t.zero_(); y.backward()",
         modified_after_saved(lambda t: t.zero_()))
scenario("saved_tensor_add_", ISE, "t = a + 1; y = (t * a).sum(); t.add_(ones(2, 3)); y.backward()",
         modified_after_saved(lambda t: t.add_(torch.ones(2, 3))))
scenario("saved_tensor_filled", ISE, "t = a + 1; y = (t * a).sum(); t.fill_(2.0); y.backward()",
         modified_after_saved(lambda t: t.fill_(2.0)))
scenario("saved_tensor_add_float64", ISE, "as saved_tensor_add_, all float64",
         modified_after_saved(lambda t: t.add_(torch.ones(2, 3, dtype=torch.float64)), torch.float64))
scenario("saved_leaf_modified_through_detach", ISE,
         "y = (a * b).sum(); b.detach().zero_(); y.backward(): the leaf b is at version 1",
         saved_leaf_modified(lambda b: b.detach().zero_()))
scenario("saved_leaf_modified_under_no_grad", ISE, "y = (a * b).sum(); with no_grad: b.fill_(1.0); y.backward()",
         saved_leaf_modified(fill_under_no_grad))
scenario("saved_leaf_modified_through_data", None,
         "y = (a * b).sum(); b.data.zero_(); y.backward(): .data has its own version counter, no error",
         saved_leaf_modified(lambda b: b.data.zero_()))
scenario("unsaved_tensor_modified", None,
         "t = a * 2; y = (t + b).sum(); t.zero_(); y.backward(): add saved nothing, no error",
         unsaved_tensor_modified)
scenario("leaf_zero_", ISE, "a.zero_() on a leaf that requires grad", lambda: leaf(2, 3).zero_())
scenario("leaf_fill_", ISE, "a.fill_(1.0) on a leaf that requires grad", lambda: leaf(2, 3).fill_(1.0))
scenario("leaf_add_", ISE, "a.add_(ones(2, 3)) on a leaf that requires grad",
         lambda: leaf(2, 3).add_(torch.ones(2, 3)))
scenario("leaf_inplace_under_no_grad", None, "with no_grad: a.add_(b); a.zero_(); a.fill_(1.0) are allowed",
         leaf_inplace_under_no_grad)
scenario("gradient_wrong_shape", IAE, "(a * 2).backward(ones(3, 2)) with a (2, 3)",
         lambda: (leaf(2, 3) * 2).backward(torch.ones(3, 2)))
scenario("gradient_broadcastable_shape", IAE, "(a * 2).backward(ones(3)) with a (2, 3): no broadcasting here",
         lambda: (leaf(2, 3) * 2).backward(torch.ones(3)))
scenario("gradient_wrong_shape_scalar", IAE, "a.sum().backward(ones(1)): (1,) is not ()",
         lambda: leaf(2, 3).sum().backward(torch.ones(1)))
scenario("gradient_other_dtype", None, "(a * 2).backward(ones(2, 3, float64)) with a float32: allowed",
         lambda: (leaf(2, 3) * 2).backward(torch.ones(2, 3, dtype=torch.float64)))
scenario("sum_dim_out_of_range", IAE, "ones(2, 3).sum(dim=2)", lambda: torch.ones(2, 3).sum(dim=2))
scenario("sum_dim_negative_out_of_range", IAE, "ones(2, 3).sum(dim=-3)", lambda: torch.ones(2, 3).sum(dim=-3))
scenario("mean_dim_out_of_range", IAE, "ones(2, 3).mean(dim=2)", lambda: torch.ones(2, 3).mean(dim=2))
scenario("sum_dims_one_out_of_range", IAE, "ones(2, 3).sum(dim=[0, 5])", lambda: torch.ones(2, 3).sum(dim=[0, 5]))
scenario("sum_dim_of_0dim", IAE, "tensor(2.).sum(dim=1)", lambda: torch.tensor(2.0).sum(dim=1))
scenario("mean_dim_of_1dim", IAE, "ones(3).mean(dim=1, keepdim=True)",
         lambda: torch.ones(3).mean(dim=1, keepdim=True))
scenario("sum_dims_repeated", IAE, "ones(2, 3).sum(dim=[0, 0])", lambda: torch.ones(2, 3).sum(dim=[0, 0]))
scenario("mean_dims_repeated_negative", IAE, "ones(2, 3).mean(dim=[1, -1])",
         lambda: torch.ones(2, 3).mean(dim=[1, -1]))
scenario("sum_dim_0_of_0dim", None, "tensor(2.).sum(dim=0) and sum(dim=-1) are allowed",
         lambda: (torch.tensor(2.0).sum(dim=0), torch.tensor(2.0).sum(dim=-1)))
scenario("retain_grad_without_requires_grad", ISE, "ones(3).retain_grad()", lambda: torch.ones(3).retain_grad())
scenario("item_of_many_elements", ISE, "ones(2, 3).item()", lambda: torch.ones(2, 3).item())
scenario("item_of_empty", ISE, "zeros(0, 3).item()", lambda: torch.zeros(0, 3).item())
scenario("item_of_one_element", None, "a.sum(dim=[0, 1], keepdim=True).item(): one element, shape (1, 1)",
         lambda: leaf(2, 3).sum(dim=[0, 1], keepdim=True).item())
scenario("data_of_wrong_size", IAE, "tensor(5 values).reshape(2, 3)",
         lambda: torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]).reshape(2, 3))
scenario("negative_dimension", IAE, "zeros(2, -1)", lambda: torch.zeros(2, -1))


# ------------------------------------------------------------------------------------------------------------- main

def write(path, header, key, entries):
    """One entry a line: small diffs when the generator changes."""
    with open(path, "w") as f:
        f.write(json.dumps(header)[:-1] + f', "{key}": [\n')
        f.write(",\n".join(json.dumps(e, allow_nan=False) for e in entries))
        f.write("\n]}\n")


def main():
    cases = [realize(c) for c in CASES]
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    header = {"generator": "gen_ops.py", "torch": torch.__version__}
    write(os.path.join(HERE, "ops.json"), header, "cases", cases)
    write(os.path.join(HERE, "errors.json"), header, "scenarios", SCENARIOS)
    counts = {}
    for c in cases:
        counts[c["category"]] = counts.get(c["category"], 0) + 1
    print("cases:", len(cases), counts)
    print("scenarios:", len(SCENARIOS), "raising:", sum(s["raises"] for s in SCENARIOS))


if __name__ == "__main__":
    main()
