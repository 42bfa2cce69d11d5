#!/usr/bin/python3
"""Writes the PyTorch goldens for strided views, shape ops, indexing and the int64/bool dtypes (issue 6).

    /usr/bin/python3 src/test/resources/golden/views/gen_views.py    (PyTorch 1.13; writes views.json beside this file)

views.json holds "cases", replayed by PyTorchGoldenViewsTest through the Java API. The format extends the one of
golden/ops/ops.json (gen_ops.py): a case is a tiny program over named tensors, run here by real torch.

  inputs    leaves: name, dtype ("float32", "float64", "int64", "bool"), shape, exact row-major values (floats:
            Python's repr of a float64, exact; "NaN"/"Infinity"/"-Infinity" as strings; int64: JSON integers, exact
            over the whole int64 range; bool: true/false), requires_grad.
  steps     one op each: {"op", "args": [names], "out"} or, for ops that return several tensors (split, chunk,
            unbind), "outs": [names]; plus the op's parameters (dim, dims, shape, start, end, step, length, index,
            size, chunks, sizes, value, int, dtype, num_classes, flag, keepdim) and "no_grad" when run under
            torch.no_grad(). "expect" is a snapshot of the result right after the step (a list of snapshots for
            "outs"):
              shape, dtype, values, requires_grad, is_leaf, grad_fn (the node's class name as str(t) prints it:
              "CopySlices", not "torch::autograd::CopySlices"), version (_version), is_view (t._is_view()),
              stride, storage_offset, is_contiguous, and "same_as": the argument name when torch returned that very
              tensor object (in-place ops, contiguous() of a contiguous tensor, to() of the same dtype).
            The Java API keeps PyTorch's layout only for views: results of copies are always freshly allocated and
            contiguous in Java, so stride/storage_offset/is_contiguous are to be compared when is_view is true; a
            non-view that torch made contiguous must be contiguous in Java too.
            A "str" step records str(args[0]) as {"str": text}.
            A step that torch rejects carries "error": {torch_type, message, fragment (the message's first sentence,
            which the Java message must contain), java_type (the exception class the Java API promises)}; it is the
            case's last step.
  final     a snapshot of every name after the last step, before any backward ("values" left out where they are
            still those recorded for the name, as input or at its last step): values written through a view show
            in its base and in the base's other views; grad_fn of a base after an in-place op through one of its
            views is CopySlices, and views of it then report AsStridedBackward0; versions are shared by a base and
            all its views.
  backward  the backward calls, in order: {"of", "gradient": tensor or null (implicit), "retain_graph"}, or with
            "error" as for steps.
  grads     .grad of every name after the backward calls: a tensor, or null where torch has None.
  forward_exact / grads_exact / scale
            as in ops.json: true where IEEE arithmetic pins every float value down (no reductions, no accumulation of
            more than two terms); elsewhere the Java values may differ by rtol * max(|expected|, scale) (rtol 1e-6
            if a float32 value takes part, 1e-12 otherwise). int64 and bool values are always compared exactly.

Every case is seeded from the crc32 of its id, so adding a case leaves the others' numbers as they were.
"""
import json
import math
import os
import sys
import warnings
import zlib

import torch
import torch.nn.functional as F

assert torch.__version__.startswith("1.13"), torch.__version__

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "bool": torch.bool}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}
FLOATS = {"float32", "float64"}
END = sys.maxsize  # slice(..., end=END): "to the end"; Java's Long.MAX_VALUE
IAE, ISE, IOOBE = "IllegalArgumentException", "IllegalStateException", "IndexOutOfBoundsException"


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
    # type(...).__name__ is what str(t) prints ("CopySlices"); .name() would say "torch::autograd::CopySlices"
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


# ----------------------------------------------------------------------------------------------------------- inputs

class Gen:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def normal(self, shape, dtype):
        return torch.randn(tuple(shape), generator=self.g, dtype=torch.float64).to(dtype)

    def away_from_zero(self, shape, dtype):
        mag = 0.5 + 1.5 * torch.rand(tuple(shape), generator=self.g, dtype=torch.float64)
        sign = torch.where(torch.rand(tuple(shape), generator=self.g) < 0.5, -1.0, 1.0).double()
        return (mag * sign).to(dtype)

    def ints(self, shape, lo, hi):
        return torch.randint(lo, hi, tuple(shape), generator=self.g, dtype=torch.int64)

    def bools(self, shape):
        return torch.rand(tuple(shape), generator=self.g) < 0.5


def inp(name, shape, dtype="float32", rg=None, kind=None, values=None, lo=-9, hi=10):
    """A leaf. kind: normal / denominator / arange (0, 1, 2, ...) / int (uniform in [lo, hi)) / bool / values."""
    if rg is None:
        rg = dtype in FLOATS
    if kind is None:
        kind = "values" if values is not None else {"int64": "int", "bool": "bool"}.get(dtype, "normal")
    return {"name": name, "shape": list(shape), "dtype": dtype, "requires_grad": rg, "kind": kind,
            "given": values, "lo": lo, "hi": hi}


def make_input(gen, i):
    dtype, shape = DTYPES[i["dtype"]], i["shape"]
    k = i["kind"]
    if k == "values":
        return torch.tensor(i["given"], dtype=dtype).reshape(shape)
    if k == "arange":
        return torch.arange(math.prod(shape), dtype=torch.float64).reshape(shape).to(dtype)
    if k == "int":
        return gen.ints(shape, i["lo"], i["hi"]).to(dtype)
    if k == "bool":
        return gen.bools(shape).to(dtype)
    if k == "denominator":
        return gen.away_from_zero(shape, dtype)
    return gen.normal(shape, dtype)


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
    """A step that torch rejects, with the Java exception class the API promises."""
    return step(op, args, out, raises=java_type, **kw)


# ------------------------------------------------------------------------------------------------------ interpreter

def run_step(env, s):
    op, a = s["op"], [env[n] for n in s["args"]]
    x = a[0] if a else None
    g = s.get
    # shape and view ops
    if op == "view":
        return x.view(tuple(s["shape"]))
    if op == "reshape":
        return x.reshape(tuple(s["shape"]))
    if op == "flatten":
        return x.flatten() if "start" not in s else x.flatten(s["start"], s["end"])
    if op == "unflatten":
        return x.unflatten(s["dim"], tuple(s["sizes"]))
    if op == "transpose":
        return x.transpose(s["dim0"], s["dim1"])
    if op == "t":
        return x.t()
    if op == "permute":
        return x.permute(tuple(s["dims"]))
    if op == "mT":
        return x.mT
    if op == "expand":
        return x.expand(tuple(s["shape"]))
    if op == "expand_as":
        return x.expand_as(a[1])
    if op == "squeeze":
        return x.squeeze() if "dim" not in s else x.squeeze(s["dim"])
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
    # copies
    if op in ("cat", "cat_list"):
        return torch.cat(a, s["dim"])
    if op == "stack":
        return torch.stack(a, s["dim"])
    if op == "clone":
        return x.clone()
    if op == "copy_":
        return x.copy_(a[1])
    # indexing
    if op == "index_select":
        return x.index_select(s["dim"], a[1])
    if op == "gather":
        return x.gather(s["dim"], a[1])
    if op == "scatter_add":
        return x.scatter_add(s["dim"], a[1], a[2])
    if op == "scatter_add_":
        return x.scatter_add_(s["dim"], a[1], a[2])
    if op == "masked_fill":
        return x.masked_fill(a[1], s["value"])
    if op == "masked_fill_":
        return x.masked_fill_(a[1], s["value"])
    if op == "where":
        return torch.where(a[0], a[1], a[2])
    if op == "masked_select":
        return x.masked_select(a[1])
    if op == "nonzero":
        return x.nonzero()
    if op == "one_hot":
        return F.one_hot(x, s["num_classes"])
    # factories and dtypes
    if op == "arange":
        if "start" in s:
            return torch.arange(s["start"], s["end"], s["step"])
        return torch.arange(s["end"])
    if op == "arange_float":
        return torch.arange(float(s["start"]), float(s["end"]), float(s["step"]))
    if op == "zeros":
        return torch.zeros(s["shape"], dtype=DTYPES[s["dtype"]])
    if op == "ones":
        return torch.ones(s["shape"], dtype=DTYPES[s["dtype"]])
    if op == "full":
        return torch.full(s["shape"], float(s["value"]), dtype=DTYPES[s["dtype"]])
    if op == "to":
        return x.to(DTYPES[s["dtype"]])
    if op == "requires_grad_":
        return x.requires_grad_(s["flag"])
    # round-1 ops, now also on strided and integer tensors
    if op == "add":
        return a[0] + a[1]
    if op == "sub":
        return a[0] - a[1]
    if op == "mul":
        return a[0] * a[1]
    if op == "div":
        return a[0] / a[1]
    if op in ("add_scalar", "sub_scalar", "mul_scalar", "div_scalar"):  # a Python float
        v = float(s["value"])
        return {"add_scalar": lambda: x + v, "sub_scalar": lambda: x - v, "mul_scalar": lambda: x * v,
                "div_scalar": lambda: x / v}[op]()
    if op in ("add_int", "sub_int", "mul_int", "div_int"):  # a Python int
        v = int(s["int"])
        return {"add_int": lambda: x + v, "sub_int": lambda: x - v, "mul_int": lambda: x * v,
                "div_int": lambda: x / v}[op]()
    if op == "neg":
        return -x
    if op == "sum":
        return x.sum()
    if op == "mean":
        return x.mean()
    if op == "sum_dims":
        return x.sum(dim=tuple(s["dims"]), keepdim=s["keepdim"])
    if op == "mean_dims":
        return x.mean(dim=tuple(s["dims"]), keepdim=s["keepdim"])
    if op == "detach":
        return x.detach()
    if op == "add_":
        return x.add_(a[1])
    if op == "zero_":
        return x.zero_()
    if op == "fill_":
        return x.fill_(float(s["value"]))
    if op == "retain_grad":
        x.retain_grad()
        return None
    if op == "str":
        return None
    raise ValueError(op)


NO_SNAPSHOT = {"retain_grad", "str"}
NOT_A_USE = {"retain_grad", "str", "detach", "requires_grad_"}
REDUCING_FORWARD = {"sum", "mean", "sum_dims", "mean_dims", "scatter_add", "scatter_add_"}
# backward formulas that sum more than two terms in an order the engine may choose, or divide
REDUCING_BACKWARD = {"mean", "mean_dims", "sum_dims", "div", "div_scalar", "div_int", "expand", "expand_as",
                     "index_select", "gather"}
BROADCASTING = {"add", "sub", "mul", "div", "add_", "copy_", "where"}


def exactness(case, shapes):
    ops = [s["op"] for s in case["steps"]]
    forward_exact = not any(o in REDUCING_FORWARD for o in ops)
    uses = {}
    for s in case["steps"]:
        if s["op"] not in NOT_A_USE:
            for n in s["args"]:
                uses[n] = uses.get(n, 0) + 1
    broadcast_reduces = False
    for s in case["steps"]:
        if s["op"] in BROADCASTING and all(n in shapes for n in s["args"]):
            try:
                out = torch.broadcast_shapes(*(tuple(shapes[n]) for n in s["args"]))
            except RuntimeError:
                continue
            for n in s["args"]:
                if math.prod(out) > 2 * max(1, math.prod(shapes[n])):
                    broadcast_reduces = True
    grads_exact = (not any(o in REDUCING_BACKWARD for o in ops)
                   and all(c <= 2 for c in uses.values())
                   and not broadcast_reduces
                   and len(case.get("backward", [])) <= 1)
    return forward_exact, grads_exact


def step_expectation(env, s, r):
    """The snapshot(s) of a step's result, taken in the step's grad mode (before the result gets its name)."""
    if s["op"] == "str":
        return {"str": str(env[s["args"][0]])}
    if s["op"] in NO_SNAPSHOT:
        return None
    if isinstance(r, list):
        return [snapshot(t) for t in r]
    return snapshot(r, s["args"], env)


def torch_error(e, java_type):
    return {"torch_type": type(e).__name__, "message": str(e), "fragment": first_sentence(str(e)),
            "java_type": java_type}


def realize(spec):
    case = {k: v for k, v in spec.items() if k != "exact"}
    gen = Gen(zlib.crc32(case["id"].encode()))
    env, shapes, names, scale = {}, {}, [], 0.0
    inputs = []
    for i in spec["inputs"]:
        data = make_input(gen, i)
        if i["dtype"] == "int64" and data.dim() == 0:
            assert abs(int(data)) < 2 ** 53, "0-dim int64 inputs are built through a double in Java"
        t = data.clone().requires_grad_(i["requires_grad"]) if i["requires_grad"] else data.clone()
        env[i["name"]] = t
        shapes[i["name"]] = list(t.shape)
        names.append(i["name"])
        finite = data.double()[torch.isfinite(data.double())] if data.dtype != torch.bool else data.double()
        scale += float(finite.abs().sum())
        inputs.append({"name": i["name"], "shape": i["shape"], "dtype": i["dtype"],
                       "requires_grad": i["requires_grad"], "values": enc_values(data, i["dtype"])})
    case["inputs"] = inputs
    steps, failed = [], False
    for s in spec["steps"]:
        s = dict(s)
        java_type = s.pop("raises", None)
        try:
            with torch.no_grad() if s.get("no_grad") else torch.enable_grad():
                r = run_step(env, s)
                expect = step_expectation(env, s, r)
        except (RuntimeError, IndexError, ValueError) as e:
            if java_type is None:
                raise AssertionError(f"{case['id']}: step {s} raised {e!r}")
            s["error"] = torch_error(e, java_type)
            steps.append(s)
            failed = True
            break
        if java_type is not None:
            raise AssertionError(f"{case['id']}: step {s} did not raise")
        if expect is not None:
            s["expect"] = expect
        if isinstance(r, list):
            assert len(r) == len(s["outs"]), (case["id"], len(r), s["outs"])
            for n, t in zip(s["outs"], r):
                env[n], shapes[n] = t, list(t.shape)
                if n not in names:
                    names.append(n)
        elif r is not None:
            env[s["out"]], shapes[s["out"]] = r, list(r.shape)
            if s["out"] not in names:
                names.append(s["out"])
        steps.append(s)
    case["steps"] = steps
    recorded = {i["name"]: i["values"] for i in inputs}  # the values each name was last recorded with
    for s in steps:
        if "expect" in s and "str" not in s["expect"]:
            if "outs" in s:
                recorded.update({n: e["values"] for n, e in zip(s["outs"], s["expect"])})
            else:
                recorded[s["out"]] = s["expect"]["values"]
    case["final"] = {}
    for n in names:
        try:
            snap = snapshot(env[n])
        except RuntimeError as e:
            # torch refuses to report grad_fn of a view made under no_grad whose base was then modified: nothing
            # to compare with
            assert "created in no_grad mode" in str(e), e
            case["final"][n] = None
            continue
        if json.dumps(snap["values"]) == json.dumps(recorded[n]):
            del snap["values"]  # unchanged since recorded: keeps the file small
        case["final"][n] = snap
    backward, gmax = [], 0.0
    for b in ([] if failed else spec.get("backward", [])):
        b = dict(b)
        java_type = b.pop("raises", None)
        out = env[b["of"]]
        gradient = None
        if b["gradient"] == "random" or (b["gradient"] == "auto" and out.dim() > 0):
            gradient = gen.normal(list(out.shape), out.dtype)
            if gradient.numel():
                gmax = max(gmax, float(gradient.abs().max()))
        entry = {"of": b["of"], "gradient": None if gradient is None else enc_tensor(gradient),
                 "retain_graph": b["retain_graph"]}
        try:
            out.backward(gradient, retain_graph=b["retain_graph"])
        except (RuntimeError, IndexError, ValueError) as e:
            if java_type is None:
                raise AssertionError(f"{case['id']}: backward {b} raised {e!r}")
            entry["error"] = torch_error(e, java_type)
            backward.append(entry)
            break
        if java_type is not None:
            raise AssertionError(f"{case['id']}: backward {b} did not raise")
        backward.append(entry)
    case["backward"] = backward
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # .grad of a non-leaf: None, with a warning
        case["grads"] = {n: (None if env[n].grad is None else enc_tensor(env[n].grad)) for n in names}
    fe, ge = exactness(case, shapes)
    if "exact" in spec:  # a case may only ever be marked less exact than the heuristic says
        fe, ge = fe and spec["exact"][0], ge and spec["exact"][1]
    case["forward_exact"], case["grads_exact"] = fe, ge
    case["scale"] = (1.0 + scale) * (1.0 + gmax)
    return case


# ------------------------------------------------------------------------------------------------------------ cases

CASES = []


def case(id, category, description, inputs, steps, backward=None, exact=None):
    c = {"id": f"{category}/{id}", "category": category, "description": description, "inputs": inputs,
         "steps": steps, "backward": backward if backward is not None else []}
    if exact is not None:
        c["exact"] = exact
    CASES.append(c)


def bw(of="y", gradient="auto", retain_graph=False, raises=None):
    b = {"of": of, "gradient": gradient, "retain_graph": retain_graph}
    if raises is not None:
        b["raises"] = raises
    return b


def fmt_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def params_text(kw):
    return ", ".join(f"{k}={'END' if v == END else v}" for k, v in kw.items())


def unary(category, op, xshape, dtype="float32", rg=None, kind=None, values=None, id=None, desc=None, pre=None,
          **kw):
    """y = x.op(**kw) (after the optional `pre` steps from x to "v"); backward with a random gradient if float."""
    if rg is None:
        rg = dtype in FLOATS
    src = "x"
    steps = []
    if pre:
        steps.extend(pre)
        src = pre[-1]["out"]
    steps.append(step(op, [src], "y", **kw))
    pre_text = "".join("." + p["op"] + "(" + params_text({k: v for k, v in p.items()
                                                           if k not in ("op", "args", "out")}) + ")"
                       for p in (pre or []))
    if id is None:
        id = ("" if op == category else op + "/") + f"{dtype}{list(xshape)}{pre_text}" + (f"/{params_text(kw)}" if kw else "") + ("" if rg else "/no_grad")
    if desc is None:
        desc = f"x{pre_text}.{op}({params_text(kw)}), x: {dtype}{fmt_shape(xshape)}" + \
               (" requires_grad" if rg else "")
    case(id, category, desc, [inp("x", xshape, dtype, rg, kind, values)], steps, [bw("y")] if rg else [])


def T(**kw):
    """A `pre` step x -> v (t, slice, ...), for ops applied to a strided input."""
    op = kw.pop("op")
    return step(op, ["x"], "v", **kw)


TRANSPOSED = [T(op="t")]


# view: -1, 0-dim, empty, strided inputs whose strides still allow a view
for shape, target in [((2, 3, 4), [6, 4]), ((2, 3, 4), [-1]), ((2, 3, 4), [4, -1, 2]), ((2, 3, 4), [2, 12]),
                      ((6,), [3, 2]), ((6,), [1, 6, 1]), ((), [1]), ((), [-1]), ((1,), []), ((1, 1), []),
                      ((0, 3), [-1]), ((0, 3), [3, 0]), ((4,), [2, -1])]:
    unary("view", "view", shape, shape=target)
unary("view", "view", (2, 3, 4), "float64", shape=[3, 8])
unary("view", "view", (2, 6), "int64", shape=[3, -1, 2])
unary("view", "view", (4,), "bool", shape=[2, 2])
unary("view", "view", (4, 6), pre=TRANSPOSED, shape=[3, 2, 4])
unary("view", "view", (4, 6), pre=[T(op="slice", dim=1, start=0, end=END, step=2)], shape=[12])
unary("view", "view", (4, 6), pre=[T(op="slice", dim=1, start=0, end=END, step=2)], shape=[2, 2, 3])
unary("view", "view", (2, 3, 4), pre=[T(op="select", dim=1, index=2)], shape=[2, 2, 2])
unary("view", "view", (3, 1), pre=[T(op="expand", shape=[3, 4])], shape=[3, 2, 2])
unary("view", "view", (3, 4), pre=[T(op="narrow", dim=0, start=1, length=2)], shape=[-1])
unary("view", "view", (3, 4), pre=[T(op="slice", dim=1, start=1, end=3, step=1)], shape=[3, 2, 1])

# reshape: a view when the strides allow one, a copy otherwise
for shape, target in [((2, 3, 4), [4, 6]), ((2, 3, 4), [-1]), ((2, 3, 4), [2, 3, 4]), ((), [1, 1]), ((1,), []),
                      ((0, 4), [2, 0, 2])]:
    unary("reshape", "reshape", shape, shape=target)
unary("reshape", "reshape", (2, 3, 4), "float64", shape=[-1, 2])
unary("reshape", "reshape", (3, 4), "int64", shape=[2, 6])
unary("reshape", "reshape", (3, 4), pre=TRANSPOSED, shape=[-1])
unary("reshape", "reshape", (3, 4), pre=TRANSPOSED, shape=[2, 6])
unary("reshape", "reshape", (3, 4), "int64", pre=TRANSPOSED, shape=[12])
unary("reshape", "reshape", (4, 6), pre=[T(op="slice", dim=1, start=0, end=END, step=2)], shape=[12])
unary("reshape", "reshape", (4, 6), pre=[T(op="slice", dim=0, start=0, end=END, step=2)], shape=[12])
unary("reshape", "reshape", (3, 1), pre=[T(op="expand", shape=[3, 4])], shape=[12])
unary("reshape", "reshape", (2, 3, 4), pre=[T(op="permute", dims=[1, 0, 2])], shape=[3, 8])
unary("reshape", "reshape", (2, 3, 4), pre=[T(op="permute", dims=[0, 2, 1])], shape=[2, 12])

# flatten (both forms; start == end and 1-D return the tensor itself), unflatten
for shape, se in [((2, 3, 4), None), ((2, 3, 4), (0, 1)), ((2, 3, 4), (1, -1)), ((2, 3, 4), (-2, -1)),
                  ((2, 3, 4), (1, 1)), ((), None), ((5,), None), ((2, 1, 3), (0, 2)), ((0, 3), None)]:
    if se is None:
        unary("flatten", "flatten", shape)
    else:
        unary("flatten", "flatten", shape, start=se[0], end=se[1])
unary("flatten", "flatten", (3, 4), pre=TRANSPOSED)
unary("flatten", "flatten", (2, 3, 4), pre=[T(op="transpose", dim0=0, dim1=1)], start=1, end=2)
unary("flatten", "flatten", (2, 3, 4), "int64", start=0, end=1)
for shape, dim, sizes in [((6, 4), 0, [2, 3]), ((6, 4), -1, [2, -1]), ((6, 4), 1, [1, 4]), ((6, 4), 1, [4, 1]),
                          ((2, 6), 1, [3, 2])]:
    unary("unflatten", "unflatten", shape, dim=dim, sizes=sizes)
unary("unflatten", "unflatten", (4, 6), pre=TRANSPOSED, dim=0, sizes=[2, 3])
unary("unflatten", "unflatten", (6,), "int64", dim=0, sizes=[-1, 3])

# transpose, t, permute, mT
for shape, d0, d1 in [((3, 4), 0, 1), ((2, 3, 4), 0, 2), ((2, 3, 4), -1, -3), ((2, 3, 4), 1, 1), ((5,), 0, -1),
                      ((2, 3, 4), 2, 1)]:
    unary("transpose", "transpose", shape, dim0=d0, dim1=d1)
unary("transpose", "transpose", (3, 4), "int64", dim0=0, dim1=1)
unary("transpose", "transpose", (2, 3, 4), "float64", pre=[T(op="slice", dim=2, start=1, end=END, step=2)],
      dim0=0, dim1=2)
for shape in [(3, 4), (5,), (), (1, 3)]:
    unary("t", "t", shape)
unary("t", "t", (3, 4), "bool")
unary("t", "t", (4, 6), pre=[T(op="narrow", dim=1, start=1, length=3)])
for shape, dims in [((2, 3, 4), [2, 0, 1]), ((2, 3, 4, 5), [3, 1, 0, 2]), ((2, 3, 4), [-1, 0, 1]),
                    ((2, 3, 4), [0, 1, 2]), ((5,), [0]), ((), [])]:
    unary("permute", "permute", shape, dims=dims)
unary("permute", "permute", (2, 3, 4), "int64", dims=[1, 2, 0])
unary("permute", "permute", (3, 4), pre=TRANSPOSED, dims=[1, 0])
for shape in [(3, 4), (2, 3, 4), (2, 1, 3, 2)]:
    unary("mT", "mT", shape)
unary("mT", "mT", (2, 3, 4), "float64")

# expand (-1 keeps a size), expand_as
for shape, target in [((3, 1), [3, 4]), ((3, 1), [-1, 4]), ((3,), [2, 3]), ((), [2, 3]), ((1, 3), [2, 2, 3]),
                      ((2, 1, 3), [2, 4, -1]), ((2, 3), [2, 3]), ((1, 3), [0, 3]), ((1,), [5])]:
    unary("expand", "expand", shape, shape=target)
unary("expand", "expand", (3, 1), "int64", shape=[3, 5])
unary("expand", "expand", (1, 3), pre=TRANSPOSED, shape=[3, 4])
unary("expand", "expand", (3, 4), pre=[T(op="select", dim=1, index=1)], shape=[2, 3])
case("expand_as/3x1_as_3x4", "expand_as", "x.expand_as(o), x (3, 1), o (3, 4) without grad",
     [inp("x", (3, 1)), inp("o", (3, 4), rg=False)], [step("expand_as", ["x", "o"], "y")], [bw()])
case("expand_as/0dim_as_2x3_int64", "expand_as", "x.expand_as(o), x int64 0-dim, o float32 (2, 3)",
     [inp("x", (), "int64"), inp("o", (2, 3), rg=False)], [step("expand_as", ["x", "o"], "y")])
case("expand_as/3_as_2x2x3_float64", "expand_as", "x.expand_as(o), x float64 (3,), o (2, 2, 3) requires grad too",
     [inp("x", (3,), "float64"), inp("o", (2, 2, 3))], [step("expand_as", ["x", "o"], "y")], [bw()])

# squeeze (all / one dim; a dim whose size is not 1 is a no-op that is still a view), unsqueeze
for shape, dim in [((1, 3, 1, 4), None), ((1, 3, 1, 4), 0), ((1, 3, 1, 4), 2), ((1, 3, 1, 4), -1),
                   ((1, 3, 1, 4), 1), ((1, 1), None), ((), None), ((), 0), ((), -1), ((3,), None), ((2, 1), -1),
                   ((1, 0, 1), None)]:
    if dim is None:
        unary("squeeze", "squeeze", shape)
    else:
        unary("squeeze", "squeeze", shape, dim=dim)
unary("squeeze", "squeeze", (4, 1, 3), pre=[T(op="permute", dims=[2, 1, 0])])
unary("squeeze", "squeeze", (4, 1, 3), pre=[T(op="permute", dims=[2, 1, 0])], dim=1)
unary("squeeze", "squeeze", (1, 3), "int64", dim=0)
for shape, dim in [((3, 4), 0), ((3, 4), -1), ((3, 4), 1), ((3, 4), -2), ((), 0), ((), -1), ((2, 3, 4), 3),
                   ((2, 3, 4), -4)]:
    unary("unsqueeze", "unsqueeze", shape, dim=dim)
unary("unsqueeze", "unsqueeze", (3, 4), pre=TRANSPOSED, dim=1)
unary("unsqueeze", "unsqueeze", (3, 4), pre=TRANSPOSED, dim=2)
unary("unsqueeze", "unsqueeze", (4, 6), pre=[T(op="slice", dim=1, start=1, end=END, step=2)], dim=0)
unary("unsqueeze", "unsqueeze", (3,), "bool", dim=-1)

# narrow, select, slice
for shape, dim, start, length in [((4, 5), 0, 1, 2), ((4, 5), 1, 0, 5), ((4, 5), 1, -2, 2), ((4, 5), -1, 2, 0),
                                  ((2, 3, 4), 2, 1, 3), ((6,), 0, 5, 1)]:
    unary("narrow", "narrow", shape, dim=dim, start=start, length=length)
unary("narrow", "narrow", (4, 5), pre=TRANSPOSED, dim=0, start=1, length=3)
unary("narrow", "narrow", (4, 5), "int64", dim=1, start=2, length=2)
for shape, dim, index in [((3, 4), 0, 1), ((3, 4), 1, 0), ((3, 4), 0, -1), ((3, 4), -1, -4), ((2, 3, 4), 1, 2),
                          ((2, 3, 4), -1, 3), ((5,), 0, 3), ((5,), 0, -5)]:
    unary("select", "select", shape, dim=dim, index=index)
unary("select", "select", (3, 4), pre=TRANSPOSED, dim=0, index=2)
unary("select", "select", (3, 4), "int64", dim=1, index=-1)
unary("select", "select", (2, 3), "bool", dim=0, index=1)
for shape, dim, start, end, st in [((5, 4), 0, 1, 3, 1), ((4, 7), 1, 0, END, 2), ((4, 7), 1, -3, END, 1),
                                   ((5, 4), 0, -100, 100, 1), ((4, 7), 1, 1, -1, 1), ((4, 7), 1, 5, 2, 1),
                                   ((4, 7), 1, 10, 20, 1), ((7, 3), 0, 0, END, 3), ((4, 7), -1, 1, END, 2),
                                   ((2, 6, 3), 1, -5, -1, 2), ((8,), 0, 7, END, 4), ((8,), 0, -1, END, 1),
                                   ((5, 4), 0, 0, END, 1), ((5, 4), 0, 2, 2, 1), ((0, 4), 0, 0, 5, 2)]:
    unary("slice", "slice", shape, dim=dim, start=start, end=end, step=st)
unary("slice", "slice", (4, 7), pre=TRANSPOSED, dim=0, start=1, end=END, step=3)
unary("slice", "slice", (4, 7), pre=[T(op="slice", dim=1, start=1, end=END, step=2)], dim=1, start=1, end=END,
      step=2)
unary("slice", "slice", (4, 7), "int64", dim=1, start=-4, end=-1, step=2)
unary("slice", "slice", (3, 1), pre=[T(op="expand", shape=[3, 6])], dim=1, start=1, end=5, step=2)


# split, chunk, unbind: lists of views
def multi(category, op, shape, dtype="float32", use="each", pre=None, **kw):
    """parts = x.op(**kw); backward: "each" part with its own random gradient, "last" part only, or "cat" of the
    parts in reverse order (ops whose pieces need not all be used)."""
    rg = dtype in FLOATS
    env = {"x": torch.zeros(shape)}
    for p in pre or []:
        env[p["out"]] = run_step(env, p)
    probe = run_step(env, step(op, [pre[-1]["out"] if pre else "x"], **kw))
    outs = [f"p{i}" for i in range(len(probe))]
    steps = list(pre or []) + [step(op, [pre[-1]["out"] if pre else "x"], outs, **kw)]
    backward = []
    if rg:
        if use == "each":
            backward = [bw(o, "random") for o in outs]
        elif use == "last":
            backward = [bw(outs[-1], "random")]
        else:
            steps.append(step("cat", list(reversed(outs)), "y", dim=kw.get("dim", 0)))
            backward = [bw("y", "random")]
    pre_text = "".join("." + p["op"] + "()" for p in (pre or []))
    case(("" if op == category else op + "/") + f"{dtype}{list(shape)}{pre_text}/{params_text(kw)}/{use if rg else 'no_grad'}", category,
         f"x{pre_text}.{op}({params_text(kw)}), x: {dtype}{fmt_shape(shape)}; backward: {use if rg else 'none'}",
         [inp("x", shape, dtype)], steps, backward)


multi("split", "split", (5, 4), size=2, dim=0)
multi("split", "split", (5, 4), size=2, dim=0, use="last")
multi("split", "split", (5, 4), size=4, dim=0, use="cat")
multi("split", "split", (5, 4), size=10, dim=0)
multi("split", "split", (3, 5), size=2, dim=-1, use="cat")
multi("split", "split", (2, 3, 4), size=1, dim=1)
multi("split", "split", (5, 4), "int64", size=3, dim=1)
multi("split", "split", (3, 5), size=2, dim=0, pre=TRANSPOSED, use="cat")
multi("chunk", "chunk", (5, 4), chunks=3, dim=0)
multi("chunk", "chunk", (6,), chunks=4, dim=0, use="cat")
multi("chunk", "chunk", (3, 4), chunks=10, dim=0, use="last")
multi("chunk", "chunk", (3, 4), chunks=2, dim=-1)
multi("chunk", "chunk", (2, 7), "int64", chunks=3, dim=1)
multi("chunk", "chunk", (4, 5), chunks=2, dim=1, pre=TRANSPOSED)
multi("unbind", "unbind", (3, 4), dim=0)
multi("unbind", "unbind", (3, 4), dim=1, use="last")
multi("unbind", "unbind", (2, 3, 4), dim=-1, use="cat")
multi("unbind", "unbind", (3,), dim=0)
multi("unbind", "unbind", (2, 3), "bool", dim=1)
multi("unbind", "unbind", (3, 4), dim=0, pre=TRANSPOSED)

# contiguous: the tensor itself when already contiguous, else a copy (CloneBackward0)
unary("contiguous", "contiguous", (3, 4))
unary("contiguous", "contiguous", (3, 4), pre=TRANSPOSED)
unary("contiguous", "contiguous", (3, 1), pre=[T(op="expand", shape=[3, 4])])
unary("contiguous", "contiguous", (4, 6), "int64", pre=[T(op="slice", dim=1, start=1, end=END, step=2)])
unary("contiguous", "contiguous", (3, 4), pre=[T(op="select", dim=0, index=1)])
unary("contiguous", "contiguous", (3, 4), pre=[T(op="narrow", dim=1, start=0, length=2)])


# cat (dim -1, three inputs, empty inputs as torch skips them, dtype promotion, strided inputs), stack
def catlike(op, id, desc, shapes_dtypes, dim, pre=None, rg=None):
    names = [chr(ord("a") + i) for i in range(len(shapes_dtypes))]
    inputs = [inp(n, s, d, rg) for n, (s, d) in zip(names, shapes_dtypes)]
    steps = list(pre or [])
    args = [p["out"] for p in (pre or [])] + names[len(pre or []):]
    steps.append(step(op, args, "y", dim=dim))
    any_grad = any(i["requires_grad"] for i in inputs)
    case(id, op if op != "cat_list" else "cat", desc, inputs, steps, [bw()] if any_grad else [])


F32, F64, I64, B = "float32", "float64", "int64", "bool"
catlike("cat", "2x3_2x3_dim0", "cat([a, b], 0), (2, 3) each", [((2, 3), F32), ((2, 3), F32)], 0)
catlike("cat", "2x3_2x2_dim1", "cat([a, b], 1)", [((2, 3), F32), ((2, 2), F32)], 1)
catlike("cat", "2x3_2x1_dim-1", "cat([a, b], -1)", [((2, 3), F32), ((2, 1), F32)], -1)
catlike("cat", "three_dim0", "cat([a, b, c], 0) of (1, 3), (2, 3), (3, 3)",
        [((1, 3), F32), ((2, 3), F32), ((3, 3), F32)], 0)
catlike("cat", "three_3d_dim1", "cat([a, b, c], 1) of (2, 1, 4), (2, 2, 4), (2, 3, 4), float64",
        [((2, 1, 4), F64), ((2, 2, 4), F64), ((2, 3, 4), F64)], 1)
catlike("cat", "with_empty_rows", "cat([a, b], 0) with b (0, 3)", [((2, 3), F32), ((0, 3), F32)], 0)
catlike("cat", "with_legacy_empty_1d", "cat([a, b, c], 0) with b of shape (0,): torch skips it",
        [((2, 3), F32), ((0,), F32), ((1, 3), F32)], 0)
catlike("cat", "with_legacy_empty_1d_dim1", "cat([a, b], 1) with b of shape (0,): skipped in any dim",
        [((2, 3), F32), ((0,), F32)], 1)
catlike("cat", "all_empty", "cat([a, b], 0) of (0, 3) and (0, 3)", [((0, 3), F32), ((0, 3), F32)], 0)
catlike("cat", "single", "cat([a], 1): a copy", [((2, 3), F32)], 1)
catlike("cat", "1d", "cat([a, b], 0) of (3,) and (2,)", [((3,), F32), ((2,), F32)], 0)
catlike("cat", "int64", "cat([a, b], 1) of int64 (2, 2) and (2, 3)", [((2, 2), I64), ((2, 3), I64)], 1)
catlike("cat", "bool", "cat([a, b], 0) of bool (1, 3) and (2, 3)", [((1, 3), B), ((2, 3), B)], 0)
catlike("cat", "float32_float64", "cat([a32, b64], 0): promoted to float64; grads keep their dtypes",
        [((2, 3), F32), ((1, 3), F64)], 0)
catlike("cat", "int64_float32", "cat([a int64, b float32], 1): float32", [((2, 2), I64), ((2, 1), F32)], 1)
catlike("cat", "bool_int64", "cat([a bool, b int64], 0): int64", [((1, 2), B), ((2, 2), I64)], 0)
catlike("cat", "strided_inputs", "cat([a.t(), b[:, ::2]], 0)", [((3, 2), F32), ((2, 6), F32)], 0,
        pre=[step("t", ["a"], "at"), step("slice", ["b"], "bs", dim=1, start=0, end=END, step=2)])
catlike("cat", "same_tensor_twice", "cat([a, a], 1): a's grad sums both halves", [((2, 3), F32)], 1,
        pre=[step("mul_scalar", ["a"], "b", value=1.0)])
CASES[-1]["steps"][-1]["args"] = ["a", "a"]
catlike("cat_list", "list_overload_dim1", "Tensor.cat(1, List.of(a, b, c))",
        [((2, 1), F32), ((2, 2), F32), ((2, 3), F32)], 1)
catlike("stack", "dim0", "stack([a, b], 0), (2, 3) each", [((2, 3), F32), ((2, 3), F32)], 0)
catlike("stack", "dim1", "stack([a, b, c], 1)", [((2, 3), F32), ((2, 3), F32), ((2, 3), F32)], 1)
catlike("stack", "dim2_last", "stack([a, b], 2)", [((2, 3), F32), ((2, 3), F32)], 2)
catlike("stack", "dim-1", "stack([a, b], -1)", [((2, 3), F64), ((2, 3), F64)], -1)
catlike("stack", "dim-3", "stack([a, b], -3)", [((2, 3), F32), ((2, 3), F32)], -3)
catlike("stack", "0dim", "stack([a, b, c], 0) of 0-dim tensors: (3,)", [((), F32), ((), F32), ((), F32)], 0)
catlike("stack", "int64", "stack([a, b], 1) of int64 (3,)", [((3,), I64), ((3,), I64)], 1)
catlike("stack", "float32_float64", "stack([a32, b64], 0): float64", [((3,), F32), ((3,), F64)], 0)
catlike("stack", "single", "stack([a], 0)", [((2, 3), F32)], 0)
catlike("stack", "empty", "stack([a, b], 1) of (0, 3)", [((0, 3), F32), ((0, 3), F32)], 1)
catlike("stack", "strided_inputs", "stack([a.t(), b], 0)", [((3, 2), F32), ((2, 3), F32)], 0,
        pre=[step("t", ["a"], "at")])

# clone
unary("clone", "clone", (3, 4))
unary("clone", "clone", (3, 4), "float64", pre=TRANSPOSED)
unary("clone", "clone", (3, 1), pre=[T(op="expand", shape=[3, 4])])
unary("clone", "clone", (3, 4), "int64", pre=[T(op="slice", dim=1, start=1, end=END, step=2)])
unary("clone", "clone", (2, 3), "bool")
unary("clone", "clone", ())
unary("clone", "clone", (3, 4), rg=False)


# copy_ (broadcasting, dtype converting, into a view); dst is a non-leaf (d = a * 1) where gradients flow
def copy_case(id, desc, dst, src, pre=None, bw_of="d", src_kind=None, dst_kind=None, values=None):
    (ds, ddt), (ss, sdt) = dst, src
    inputs = [inp("a", ds, ddt, kind=dst_kind), inp("s", ss, sdt, kind=src_kind, values=values)]
    if ddt in FLOATS:
        steps, target = [step("mul_scalar", ["a"], "d", value=1.0)], "d"
    else:  # int64 / bool: no autograd, so the leaf itself (bool * 1 would be int64)
        steps, target = [], "a"
    for p in pre or []:
        steps.append(p)
        target = p["out"]
    steps.append(step("copy_", [target, "s"], target))
    case(id, "copy_", desc, inputs, steps, [bw(bw_of)] if ddt in FLOATS else [])


copy_case("same_shape", "d = a * 1; d.copy_(s), (2, 3)", ((2, 3), F32), ((2, 3), F32))
copy_case("broadcast_row", "d.copy_(s) with s (3,) broadcast into (2, 3): s.grad sums the rows",
          ((2, 3), F32), ((3,), F32))
copy_case("broadcast_column", "d.copy_(s) with s (2, 1)", ((2, 3), F32), ((2, 1), F32))
copy_case("broadcast_0dim", "d.copy_(s) with a 0-dim s", ((2, 3), F64), ((), F64))
copy_case("float64_into_float32", "d (float32).copy_(s float64): rounds to float32; s.grad is float64",
          ((2, 3), F32), ((2, 3), F64))
copy_case("float32_into_float64", "d (float64).copy_(s float32)", ((2, 3), F64), ((2, 3), F32))
copy_case("int64_into_float32", "d (float32).copy_(s int64)", ((2, 3), F32), ((2, 3), I64))
copy_case("bool_into_float64", "d (float64).copy_(s bool)", ((2, 3), F64), ((2, 3), B))
copy_case("float_into_int64", "a (int64).copy_(s float32 requiring grad): truncation toward zero; a never requires grad",
          ((2, 3), I64), ((2, 3), F32), values=[-2.75, -0.5, 0.0, 0.25, 1.5, 3.99])
copy_case("float_into_bool", "a (bool).copy_(s float32): nonzero (NaN too) is true",
          ((2, 3), B), ((2, 3), F32), values=[-2.75, -0.0, 0.0, 0.25, 1.5, float("nan")])
copy_case("int64_into_bool", "a (bool).copy_(s int64)", ((2, 3), B), ((2, 3), I64), values=[-2, 0, 0, 1, 5, 0])
copy_case("into_select_view", "d = a * 1; d.select(0, 1).copy_(s): d becomes CopySlices",
          ((3, 4), F32), ((4,), F32), pre=[step("select", ["d"], "v", dim=0, index=1)])
copy_case("into_transposed_view", "d.t().copy_(s) with s (4, 3)", ((3, 4), F32), ((4, 3), F32),
          pre=[step("t", ["d"], "v")])
copy_case("into_strided_slice_broadcast", "d[:, ::2].copy_(s) with s (1,) broadcast",
          ((3, 4), F32), ((1,), F32), pre=[step("slice", ["d"], "v", dim=1, start=0, end=END, step=2)])
copy_case("into_view_float64_source", "d[1:].copy_(s float64)",
          ((3, 2), F32), ((2, 2), F64), pre=[step("slice", ["d"], "v", dim=0, start=1, end=END, step=1)])
case("copy_/from_transposed_source", "copy_", "d = a * 1; d.copy_(s.t()): a strided source",
     [inp("a", (2, 3)), inp("s", (3, 2))],
     [step("mul_scalar", ["a"], "d", value=1.0), step("t", ["s"], "st"), step("copy_", ["d", "st"], "d")], [bw("d")])
case("copy_/into_plain_leaf", "copy_", "x (no grad).copy_(s requiring grad): x joins the graph (CopyBackwards)",
     [inp("x", (2, 3), rg=False), inp("s", (2, 3))],
     [step("copy_", ["x", "s"], "x"), step("mul_scalar", ["x"], "y", value=2.0)], [bw("y")])
case("copy_/int64_plain", "copy_", "x int64 (2, 3).copy_(s int64 (3,)) broadcast",
     [inp("x", (2, 3), I64), inp("s", (3,), I64)], [step("copy_", ["x", "s"], "x")])
case("copy_/leaf_under_no_grad", "copy_", "with no_grad: a.copy_(s) on a leaf requiring grad; a stays a leaf",
     [inp("a", (2, 3)), inp("s", (2, 3), rg=False)],
     [step("copy_", ["a", "s"], "a", no_grad=True), step("mul", ["a", "a"], "y")], [bw("y")])
case("copy_/self_overlap_free_view", "copy_", "d = a * 1; d[0].copy_(d[1]): source and target are views of d",
     [inp("a", (2, 3))],
     [step("mul_scalar", ["a"], "d", value=1.0), step("select", ["d"], "r0", dim=0, index=0),
      step("select", ["d"], "r1", dim=0, index=1), step("copy_", ["r0", "r1"], "r0")], [bw("d")])


# index_select, gather, scatter_add(_), masked_fill(_), where, masked_select, nonzero, one_hot
def idx(values, shape=None):
    shape = [len(values)] if shape is None else shape
    return inp("i", shape, I64, values=values)


def indexing(category, id, desc, x, others, steps, backward=True):
    inputs = [x] + others
    case(id, category, desc, inputs, steps, [bw()] if backward and x["dtype"] in FLOATS else [])


for xs, dim, vals in [((4, 3), 0, [2, 0, 2]), ((4, 3), 1, [1]), ((4, 3), -1, [2, 0]), ((4, 3), 0, []),
                      ((5,), 0, [4, 4, 0, 1]), ((2, 3, 4), 1, [2, 1]), ((4, 3), 0, [3, 2, 1, 0])]:
    indexing("index_select", f"{list(xs)}_dim{dim}_{vals}", f"x.index_select({dim}, {vals}), x {fmt_shape(xs)}",
             inp("x", xs), [idx(vals)], [step("index_select", ["x", "i"], "y", dim=dim)])
indexing("index_select", "0dim_index", "x.index_select(0, tensor(2)): a 0-dim index", inp("x", (4, 3)),
         [inp("i", (), I64, values=2)], [step("index_select", ["x", "i"], "y", dim=0)])
indexing("index_select", "int64_source", "x int64 (4, 3).index_select(1, [2, 2, 0])", inp("x", (4, 3), I64),
         [idx([2, 2, 0])], [step("index_select", ["x", "i"], "y", dim=1)])
indexing("index_select", "float64_transposed_source", "x.t().index_select(0, [1, 0]), x float64 (3, 4)",
         inp("x", (3, 4), F64), [idx([1, 0])],
         [step("t", ["x"], "v"), step("index_select", ["v", "i"], "y", dim=0)])
indexing("index_select", "strided_index", "x.index_select(0, i[::2]), a strided index",
         inp("x", (5, 2)), [idx([4, 0, 3, 1, 2, 2])],
         [step("slice", ["i"], "j", dim=0, start=0, end=END, step=2), step("index_select", ["x", "j"], "y", dim=0)])

for xs, dim, ivals, ishape in [((3, 4), 1, [0, 3, 1, 1, 2, 0], [3, 2]), ((3, 4), 0, [2, 0, 1, 2, 1, 1, 0, 0], [2, 4]),
                               ((3, 4), 1, [3, 0, 0, 1], [2, 2]), ((3, 4), -1, [1, 2, 3], [3, 1]),
                               ((2, 3, 4), 2, [0, 1, 2, 3, 3, 2, 1, 0, 0, 0, 1, 1], [2, 3, 2]),
                               ((2, 3, 4), 0, [1, 0, 1, 1, 0, 0], [1, 3, 2]), ((5,), 0, [4, 4, 4], [3]),
                               ((3, 4), 1, [], [3, 0])]:
    indexing("gather", f"{list(xs)}_dim{dim}_{ishape}", f"x.gather({dim}, i), x {fmt_shape(xs)}, i {ishape}",
             inp("x", xs), [idx(ivals, ishape)], [step("gather", ["x", "i"], "y", dim=dim)])
indexing("gather", "int64_source", "x int64 (3, 4).gather(1, i (3, 2))", inp("x", (3, 4), I64),
         [idx([0, 3, 1, 1, 2, 0], [3, 2])], [step("gather", ["x", "i"], "y", dim=1)])
indexing("gather", "transposed_source", "x.t().gather(0, i), x (4, 3) so x.t() is (3, 4)", inp("x", (4, 3)),
         [idx([2, 0, 1, 2, 0, 0, 1, 1], [2, 4])], [step("t", ["x"], "v"), step("gather", ["v", "i"], "y", dim=0)])
indexing("gather", "transposed_index", "x.gather(1, i.t())", inp("x", (3, 4)),
         [idx([0, 1, 2, 3, 2, 1], [2, 3])], [step("t", ["i"], "it"), step("gather", ["x", "it"], "y", dim=1)])


def scatter(id, desc, xs, dim, ivals, ishape, ss, inplace=False, dtype=F32, pre=None, src_rg=None):
    x = inp("x", xs, dtype)
    inputs = [x, idx(ivals, ishape), inp("s", ss, dtype, src_rg)]
    if inplace:
        steps = [step("mul_int" if dtype == I64 else "mul_scalar", ["x"], "d",
                      **({"int": 1} if dtype == I64 else {"value": 1.0}))]
        target = "d"
        for p in pre or []:
            steps.append(p)
            target = p["out"]
        steps.append(step("scatter_add_", [target, "i", "s"], target, dim=dim))
        of = "d"
    else:
        steps = [step("scatter_add", ["x", "i", "s"], "y", dim=dim)]
        of = "y"
    case(id, "scatter_add", desc, inputs, steps, [bw(of)] if dtype in FLOATS else [])


scatter("dim0_duplicates", "x.scatter_add(0, i, s): x (3, 4), i (2, 4) with repeated rows, s (2, 4)", (3, 4), 0,
        [0, 1, 2, 0, 0, 1, 0, 2], [2, 4], (2, 4))
scatter("dim1", "x.scatter_add(1, i, s): i (3, 2), s (3, 2)", (3, 4), 1, [0, 3, 1, 1, 2, 0], [3, 2], (3, 2))
# (s without grad: torch 1.13's ScatterAddBackward0 returns a gradient of i's shape for s and fails)
scatter("src_larger_than_index", "x.scatter_add(1, i, s): s (3, 5) larger than i (3, 2); only i's box is used",
        (3, 4), 1, [0, 3, 1, 1, 2, 0], [3, 2], (3, 5), src_rg=False)
scatter("dim-1_3d", "x.scatter_add(-1, i, s), (2, 2, 3)", (2, 2, 3), -1, [0, 0, 2, 1, 1, 1, 2, 0, 1, 0, 2, 2],
        [2, 2, 3], (2, 2, 3))
scatter("int64", "x int64 .scatter_add(0, i, s int64)", (3, 2), 0, [2, 2, 0, 1], [2, 2], (2, 2), dtype=I64)
scatter("inplace", "d = x * 1; d.scatter_add_(0, i, s)", (3, 4), 0, [0, 1, 2, 0, 2, 2, 2, 2], [2, 4], (2, 4),
        inplace=True)
scatter("inplace_on_view", "d = x * 1; d[1:].scatter_add_(1, i, s): through a view, d becomes CopySlices",
        (3, 4), 1, [3, 3, 0, 1], [2, 2], (2, 2), inplace=True,
        pre=[step("slice", ["d"], "v", dim=0, start=1, end=END, step=1)])
scatter("inplace_int64", "d = x * 1 (int64); d.scatter_add_(1, i, s)", (2, 3), 1, [0, 0, 2, 1], [2, 2], (2, 2),
        inplace=True, dtype=I64)


def mask(name, shape, values):
    return inp(name, shape, B, values=values)


for xs, ms, mvals, value in [((2, 3), (2, 3), [True, False, True, False, False, True], -1.5),
                             ((2, 3), (3,), [False, True, True], 2.0), ((2, 3), (2, 1), [True, False], 0.0),
                             ((2, 3), (), True, 7.25), ((2, 3), (2, 3), [False] * 6, 3.0),
                             ((2, 1, 3), (4, 1), [True, False, False, True], -0.5)]:
    indexing("masked_fill", f"{list(xs)}_mask{list(ms)}_{value}",
             f"x.masked_fill(mask, {value}), x {fmt_shape(xs)}, mask {fmt_shape(ms)}",
             inp("x", xs), [mask("m", ms, mvals)], [step("masked_fill", ["x", "m"], "y", value=value)])
indexing("masked_fill", "float64", "x float64 .masked_fill(mask (3,), 0.1)", inp("x", (2, 3), F64),
         [mask("m", (3,), [True, False, True])], [step("masked_fill", ["x", "m"], "y", value=0.1)])
indexing("masked_fill", "int64", "x int64 .masked_fill(mask, -7.0)", inp("x", (2, 3), I64),
         [mask("m", (2, 3), [True, False, True, True, False, False])],
         [step("masked_fill", ["x", "m"], "y", value=-7.0)])
indexing("masked_fill", "transposed", "x.t().masked_fill(mask (3,), 4.0), x (3, 2)", inp("x", (3, 2)),
         [mask("m", (3,), [False, True, True])], [step("t", ["x"], "v"),
                                                  step("masked_fill", ["v", "m"], "y", value=4.0)])
case("masked_fill/inplace", "masked_fill", "d = x * 1; d.masked_fill_(mask (3,), 0.0)",
     [inp("x", (2, 3)), mask("m", (3,), [True, False, True])],
     [step("mul_scalar", ["x"], "d", value=1.0), step("masked_fill_", ["d", "m"], "d", value=0.0)], [bw("d")])
case("masked_fill/inplace_on_slice", "masked_fill", "d = x * 1; d[:, ::2].masked_fill_(mask (2, 1), 9.0)",
     [inp("x", (2, 4)), mask("m", (2, 1), [False, True])],
     [step("mul_scalar", ["x"], "d", value=1.0), step("slice", ["d"], "v", dim=1, start=0, end=END, step=2),
      step("masked_fill_", ["v", "m"], "v", value=9.0)], [bw("d")])
case("masked_fill/inplace_int64", "masked_fill", "x int64 (plain).masked_fill_(mask, 5.0)",
     [inp("x", (2, 3), I64), mask("m", (2, 3), [True, True, False, False, True, False])],
     [step("masked_fill_", ["x", "m"], "x", value=5.0)])

for cs, cvals, as_, bs, adt, bdt in [((2, 3), [True, False, True, False, True, True], (2, 3), (2, 3), F32, F32),
                                     ((3,), [True, False, False], (2, 3), (1, 3), F32, F32),
                                     ((2, 1), [False, True], (2, 3), (), F32, F32),
                                     ((2, 3), [True, False, True, False, True, True], (3,), (2, 1), F64, F64),
                                     ((3,), [True, False, True], (2, 3), (2, 3), F32, F64),
                                     ((3,), [False, False, True], (2, 3), (3,), F64, F32),
                                     ((2, 3), [True, True, False, False, True, False], (2, 3), (2, 3), I64, I64),
                                     ((3,), [True, False, True], (2, 3), (3,), I64, F32),
                                     ((3,), [True, False, True], (3,), (3,), B, I64),
                                     ((2, 1, 2), [True, False, False, True], (3, 1), (1, 2), F32, F32)]:
    indexing("where", f"{adt}{list(as_)}_{bdt}{list(bs)}_cond{list(cs)}",
             f"where(cond {fmt_shape(cs)}, a {adt}{fmt_shape(as_)}, b {bdt}{fmt_shape(bs)})",
             mask("c", cs, cvals), [inp("a", as_, adt), inp("b", bs, bdt)], [step("where", ["c", "a", "b"], "y")],
             backward=False)
    if adt in FLOATS or bdt in FLOATS:
        CASES[-1]["backward"] = [bw()]
indexing("where", "strided_operands", "where(cond, a.t(), b[::2])", mask("c", (2, 3), [True, False] * 3),
         [inp("a", (3, 2)), inp("b", (4, 3))],
         [step("t", ["a"], "at"), step("slice", ["b"], "bs", dim=0, start=0, end=END, step=2),
          step("where", ["c", "at", "bs"], "y")], backward=False)
CASES[-1]["backward"] = [bw()]

for xs, ms, mvals, dt in [((2, 3), (2, 3), [True, False, True, False, False, True], F32),
                          ((2, 3), (3,), [False, True, True], F32), ((3,), (2, 3), [True, False, True, True, True,
                                                                                   False], F32),
                          ((2, 3), (2, 3), [False] * 6, F32), ((2, 3), (2, 1), [True, False], F64),
                          ((2, 3), (2, 3), [True, True, False, False, True, True], I64),
                          ((), (2,), [True, True], F32)]:
    indexing("masked_select", f"{dt}{list(xs)}_mask{list(ms)}" + ("_none_selected" if not any(mvals) else ""),
             f"x.masked_select(mask), x {dt}{fmt_shape(xs)}, mask {fmt_shape(ms)}",
             inp("x", xs, dt), [mask("m", ms, mvals)], [step("masked_select", ["x", "m"], "y")])
# torch 1.13's masked_select backward puts the gradient of a non-contiguous input back in memory order, not in
# index order (x.t().masked_select(m) sends y[1]'s gradient to the wrong element of x): a torch bug, fixed in later
# releases. The transposed case therefore pins only the forward; its gradient comes from the same computation on a
# contiguous copy, where torch is right (and ViewGradCheckTest checks it against finite differences).
indexing("masked_select", "transposed", "x.t().masked_select(mask): forward only (torch 1.13 backward bug)",
         inp("x", (3, 2)), [mask("m", (2, 3), [True, False, True, False, True, True])],
         [step("t", ["x"], "v"), step("masked_select", ["v", "m"], "y")], backward=False)
indexing("masked_select", "transposed_contiguous", "x.t().contiguous().masked_select(mask): the gradient",
         inp("x", (3, 2)), [mask("m", (2, 3), [True, False, True, False, True, True])],
         [step("t", ["x"], "v"), step("contiguous", ["v"], "c"), step("masked_select", ["c", "m"], "y")])

for xs, dt, vals in [((6,), F32, [0.0, 1.5, 0.0, -2.0, -0.0, 3.0]), ((2, 3), F32, [1.0, 0.0, 0.0, 0.0, 2.0, 3.0]),
                     ((2, 2, 2), I64, [0, 1, 0, 0, 5, 0, -1, 0]), ((2, 3), B, [True, False, True, False, False, True]),
                     ((3,), F64, [0.0, 0.0, 0.0]), ((), F32, 2.5), ((), I64, 0), ((0, 3), F32, []),
                     ((4,), F32, [float("nan"), 0.0, float("inf"), 0.0])]:
    indexing("nonzero", f"{dt}{list(xs)}", f"x.nonzero(), x {dt}{fmt_shape(xs)}",
             inp("x", xs, dt, rg=False, values=vals), [], [step("nonzero", ["x"], "y")], backward=False)
indexing("nonzero", "transposed", "x.t().nonzero(): row-major order of the view", inp("x", (2, 3), I64,
                                                                                      values=[1, 0, 2, 0, 3, 0]),
         [], [step("t", ["x"], "v"), step("nonzero", ["v"], "y")], backward=False)

for xs, vals, n in [((3,), [0, 2, 1], 3), ((2, 3), [0, 4, 1, 3, 3, 2], 5), ((4,), [1, 0, 3, 1], -1), ((), 2, 4),
                    ((0,), [], 3), ((2,), [0, 0], 1)]:
    indexing("one_hot", f"{list(xs)}_{n}", f"one_hot(x, {n}), x int64 {fmt_shape(xs)}",
             inp("x", xs, I64, values=vals), [], [step("one_hot", ["x"], "y", num_classes=n)], backward=False)
indexing("one_hot", "strided", "one_hot(x.t(), 4)", inp("x", (2, 3), I64, values=[0, 1, 2, 3, 0, 1]), [],
         [step("t", ["x"], "v"), step("one_hot", ["v"], "y", num_classes=4)], backward=False)


# int64 / bool: factories, conversions, promotion, reductions
def dcase(id, desc, inputs, steps, backward=None):
    case(id, "dtype", desc, inputs, steps, backward)


for kw in [dict(end=5), dict(end=0), dict(end=1), dict(start=2, end=11, step=3), dict(start=10, end=0, step=-3),
           dict(start=-5, end=5, step=2), dict(start=3, end=3, step=1), dict(start=-2, end=-9, step=-1)]:
    dcase(f"arange/{params_text(kw)}", f"arange({params_text(kw)}): int64", [], [step("arange", [], "y", **kw)])
for kw in [dict(start=0.0, end=1.0, step=0.1), dict(start=1.0, end=-1.0, step=-0.25), dict(start=0.5, end=3.0, step=0.7),
           dict(start=-1.5, end=2.0, step=0.5), dict(start=0.0, end=0.3, step=0.1)]:
    dcase(f"arange_float/{params_text(kw)}", f"arange({params_text(kw)}) with float bounds: float32",
          [], [step("arange_float", [], "y", **kw)])
for op, dt, shape, value in [("zeros", I64, [2, 3], None), ("ones", I64, [3], None), ("zeros", B, [2, 2], None),
                             ("ones", B, [1, 3], None), ("full", I64, [2, 2], 7), ("full", I64, [], -3),
                             ("full", I64, [3], 2 ** 40), ("full", B, [2], 1), ("full", B, [2], 0),
                             ("zeros", I64, [0, 2], None), ("ones", F64, [2], None), ("full", F32, [2], 0.1)]:
    kw = dict(shape=shape, dtype=dt) | ({} if value is None else dict(value=value))
    dcase(f"{op}/{params_text(kw)}", f"{op}({params_text(kw)})", [], [step(op, [], "y", **kw)])

CONVERT_VALUES = {
    F32: [-2.75, -0.5, -0.0, 0.0, 0.3, 1.5, 3.99, 1e10],
    F64: [-2.75, -0.5, -0.0, 0.0, 0.1, 1.5, 16777217.0, 1e10],
    I64: [-3, 0, 1, 7, 2 ** 24 + 1, 2 ** 53 + 1, -(2 ** 40) - 3, 9223372036854775807],
    B: [True, False, True, True, False, False, True, False],
}
for src in [F32, F64, I64, B]:
    for dst in [F32, F64, I64, B]:
        vals = CONVERT_VALUES[src]
        if dst == I64 and src in FLOATS:
            vals = vals[:-1] + [-1e10]  # in range of int64: float -> int64 of an out-of-range value is undefined
        dcase(f"to/{src}_to_{dst}", f"x.to({dst}), x {src} (2, 4)" + (": the tensor itself" if src == dst else ""),
              [inp("x", (2, 4), src, rg=src in FLOATS, values=vals)], [step("to", ["x"], "y", dtype=dst)],
              [bw()] if src in FLOATS and dst in FLOATS else [])
dcase("to/float32_to_float64_transposed", "x.t().to(float64): a strided source", [inp("x", (2, 3))],
      [step("t", ["x"], "v"), step("to", ["v"], "y", dtype=F64)], [bw()])
dcase("to/int64_to_float32_sliced", "x[::2].to(float32), x int64", [inp("x", (5,), I64)],
      [step("slice", ["x"], "v", dim=0, start=0, end=END, step=2), step("to", ["v"], "y", dtype=F32)])


def promo(op, adt, ashape, bdt, bshape, avals=None, bvals=None, tag=""):
    sym = {"add": "+", "sub": "-", "mul": "*", "div": "/"}[op]
    kind_b = "denominator" if op == "div" and bdt in FLOATS else None
    lo_b = 1 if op == "div" else -9
    a = inp("a", ashape, adt, values=avals)
    b = inp("b", bshape, bdt, kind=kind_b, values=bvals, lo=lo_b)
    if op == "div" and bdt == I64 and bvals is None:
        b["kind"], b["lo"], b["hi"] = "int", 1, 10
    bool_sub = op == "sub" and B in (adt, bdt)  # torch rejects a bool operand of `-`
    dcase(f"promotion/{op}/{adt}{list(ashape)}_{bdt}{list(bshape)}{tag}",
          f"a {adt}{fmt_shape(ashape)} {sym} b {bdt}{fmt_shape(bshape)}" + (": rejected" if bool_sub else ""),
          [a, b], [step(op, ["a", "b"], "y", **({"raises": IAE} if bool_sub else {}))],
          [bw()] if (adt in FLOATS or bdt in FLOATS) else [])


for op in ["add", "sub", "mul", "div"]:
    promo(op, I64, (2, 3), I64, (2, 3))
    promo(op, I64, (2, 3), F32, (2, 3))
    promo(op, F64, (2, 3), I64, (3,))
    promo(op, I64, (), F32, (2, 3))
    promo(op, F32, (2, 3), I64, ())
    promo(op, I64, (2, 3), F64, ())
    promo(op, I64, (2, 3), I64, ())
    promo(op, B, (2, 3), I64, (2, 3))
    promo(op, I64, (2, 3), B, ())
    promo(op, F32, (3,), B, (2, 3))
for op in ["add", "mul", "div"]:
    promo(op, B, (2, 3), B, (2, 3), bvals=[True] * 6 if op == "div" else None)
    promo(op, B, (2, 3), F64, (), tag="")
promo("add", I64, (3,), I64, (3,), [2 ** 53, 9223372036854775807, -(2 ** 62)], [1, 1, -(2 ** 62)],
      tag="_wrapping")
promo("mul", I64, (3,), I64, (3,), [2 ** 62, 3037000500, -7], [4, 3037000500, 2 ** 61], tag="_wrapping")
promo("sub", I64, (2,), I64, (2,), [-(2 ** 63), 2 ** 53 + 1], [1, -1], tag="_wrapping")
promo("div", I64, (4,), I64, (4,), [7, -7, 2 ** 40 + 1, 0], [2, 2, 3, 5], tag="_exact_values")


def scalar_op(op, dt, kind, v, shape=(2, 3), vals=None):
    """x op <Python int> (kind "int") or x op <Python float> (kind "scalar")."""
    key = "int" if kind == "int" else "value"
    name = f"{op}_{kind}"
    bool_sub = op == "sub" and dt == B
    dcase(f"scalar/{name}/{dt}{list(shape)}_{v!r}", f"x {dt}{fmt_shape(shape)} {op} Python {type(v).__name__} {v!r}"
          + (": rejected" if bool_sub else ""),
          [inp("x", shape, dt, values=vals)], [step(name, ["x"], "y", **{key: v}, **({"raises": IAE} if bool_sub else {}))],
          [bw()] if dt in FLOATS else [])


for op in ["add", "sub", "mul", "div"]:
    scalar_op(op, I64, "int", 3)
    scalar_op(op, I64, "scalar", 2.5)
    scalar_op(op, B, "int", 2)
    scalar_op(op, F32, "int", 3)
scalar_op("mul", I64, "scalar", 2.0)
scalar_op("add", I64, "int", -5, shape=())
scalar_op("add", I64, "scalar", 0.5, shape=())
scalar_op("mul", F64, "int", -2)
scalar_op("div", I64, "int", 2, vals=[7, -7, 1, 0, 9223372036854775807, -3])
scalar_op("add", I64, "int", 1, vals=[9223372036854775807, 2 ** 53, -1, 0, 5, 6])
scalar_op("mul", B, "scalar", 1.5)

for dt, shape, vals in [(I64, (2, 3), None), (I64, (3,), [2 ** 53, 1, 1]), (B, (2, 3), None), (I64, (0,), []),
                        (I64, (), 7), (I64, (2,), [9223372036854775807, 1])]:
    dcase(f"sum/{dt}{list(shape)}" + ("" if vals is None else f"_{vals}"), f"x.sum(), x {dt}{fmt_shape(shape)}: int64",
          [inp("x", shape, dt, values=vals)], [step("sum", ["x"], "y")])
for dt, dims, keepdim in [(I64, [1], False), (I64, [0], True), (B, [0], False), (I64, [0, 1], False)]:
    dcase(f"sum_dims/{dt}_{dims}_{keepdim}", f"x.sum(dim={dims}, keepdim={keepdim}), x {dt} (2, 3)",
          [inp("x", (2, 3), dt)], [step("sum_dims", ["x"], "y", dims=dims, keepdim=keepdim)])
dcase("sum/int64_transposed", "x.t().sum(dim=[1]), x int64 (3, 4)", [inp("x", (3, 4), I64)],
      [step("t", ["x"], "v"), step("sum_dims", ["v"], "y", dims=[1], keepdim=False)])
dcase("neg/int64", "-x, x int64", [inp("x", (2, 3), I64, values=[1, -2, 0, 9223372036854775807, -5, 6])],
      [step("neg", ["x"], "y")])
dcase("inplace/int64_ops", "x int64: zero_, fill_(4), add_(int64), add_(bool)", [inp("x", (2, 3), I64),
                                                                               inp("b", (3,), I64),
                                                                               inp("c", (2, 3), B)],
      [step("zero_", ["x"], "x"), step("fill_", ["x"], "x", value=4), step("add_", ["x", "b"], "x"),
       step("add_", ["x", "c"], "x")])
dcase("inplace/float32_add_int64", "x float32 (plain).add_(b int64): stays float32",
      [inp("x", (2, 3), rg=False), inp("b", (2, 3), I64)], [step("add_", ["x", "b"], "x")])
dcase("inplace/bool_fill", "x bool (plain).fill_(1.0), then .zero_()", [inp("x", (3,), B)],
      [step("fill_", ["x"], "x", value=1.0), step("zero_", ["x"], "x")])
dcase("requires_grad/float_ok", "x float32 without grad .requires_grad_(True)", [inp("x", (2,), rg=False)],
      [step("requires_grad_", ["x"], "x", flag=True)])
dcase("requires_grad/int64_false_ok", "x int64 .requires_grad_(False): allowed", [inp("x", (2,), I64)],
      [step("requires_grad_", ["x"], "x", flag=False)])
dcase("mixed/int_labels_times_float", "one_hot(labels, 3).to(float32) * w, w requires grad",
      [inp("labels", (4,), I64, values=[2, 0, 1, 2]), inp("w", (4, 3))],
      [step("one_hot", ["labels"], "h", num_classes=3), step("to", ["h"], "hf", dtype=F32),
       step("mul", ["hf", "w"], "y")], [bw()])
dcase("mixed/int64_index_from_arange", "x.index_select(0, arange(4, -1, -2)): indices made by arange",
      [inp("x", (5, 2))], [step("arange", [], "i", start=4, end=-1, step=-2),
                           step("index_select", ["x", "i"], "y", dim=0)], [bw()])


# round-1 ops on strided inputs: transposed, expanded (stride 0), sliced with steps, offsets from slicing at the end
def strided(id, desc, inputs, steps, backward=True, exact=None):
    case(id, "strided_ops", desc, inputs, steps, [bw()] if backward else [], exact)


strided("add_transposed", "x.t() + b, x (3, 4), b (4, 3)", [inp("x", (3, 4)), inp("b", (4, 3))],
        [step("t", ["x"], "v"), step("add", ["v", "b"], "y")])
strided("add_both_transposed", "x.t() + b.t(), odd sizes (5, 7)", [inp("x", (5, 7)), inp("b", (5, 7))],
        [step("t", ["x"], "v"), step("t", ["b"], "w"), step("add", ["v", "w"], "y")])
strided("mul_expanded", "x.expand(4, 3) * b, x (1, 3)", [inp("x", (1, 3)), inp("b", (4, 3))],
        [step("expand", ["x"], "v", shape=[4, 3]), step("mul", ["v", "b"], "y")])
strided("mul_two_expanded", "x.expand(3, 4) * b.expand(3, 4), x (3, 1), b (1, 4): stride 0 on both sides",
        [inp("x", (3, 1)), inp("b", (1, 4))],
        [step("expand", ["x"], "v", shape=[3, 4]), step("expand", ["b"], "w", shape=[3, 4]), step("mul", ["v", "w"], "y")])
strided("sub_sliced_step", "x[:, ::2] - b[1:, 1::3], x (3, 8), b (4, 12)", [inp("x", (3, 8)), inp("b", (4, 12))],
        [step("slice", ["x"], "v", dim=1, start=0, end=END, step=2),
         step("slice", ["b"], "w0", dim=0, start=1, end=END, step=1),
         step("slice", ["w0"], "w", dim=1, start=1, end=END, step=3), step("sub", ["v", "w"], "y")])
strided("div_offset_from_end", "x[-3:] / b[-3:], slices from the end (offset views)",
        [inp("x", (5, 2)), inp("b", (4, 2), kind="denominator")],
        [step("slice", ["x"], "v", dim=0, start=-3, end=END, step=1),
         step("slice", ["b"], "w", dim=0, start=-3, end=END, step=1), step("div", ["v", "w"], "y")])
strided("neg_permuted", "-x.permute(2, 0, 1), x (2, 3, 5)", [inp("x", (2, 3, 5))],
        [step("permute", ["x"], "v", dims=[2, 0, 1]), step("neg", ["v"], "y")])
strided("add_scalar_select", "x.select(1, 2) + 1.5", [inp("x", (4, 5))],
        [step("select", ["x"], "v", dim=1, index=2), step("add_scalar", ["v"], "y", value=1.5)])
strided("mul_broadcast_transposed", "x.t() * b (3,), x (3, 5)", [inp("x", (3, 5)), inp("b", (3,))],
        [step("t", ["x"], "v"), step("mul", ["v", "b"], "y")])
strided("sum_transposed", "x.t().sum()", [inp("x", (7, 5))], [step("t", ["x"], "v"), step("sum", ["v"], "y")])
strided("sum_dims_transposed", "x.t().sum(dim=[0])", [inp("x", (3, 5))],
        [step("t", ["x"], "v"), step("sum_dims", ["v"], "y", dims=[0], keepdim=False)])
strided("mean_dims_sliced", "x[:, 1::2].mean(dim=[1], keepdim=True)", [inp("x", (4, 9))],
        [step("slice", ["x"], "v", dim=1, start=1, end=END, step=2),
         step("mean_dims", ["v"], "y", dims=[1], keepdim=True)])
strided("sum_expanded", "x.expand(1000).sum(), x (1,): stride 0", [inp("x", (1,))],
        [step("expand", ["x"], "v", shape=[1000]), step("sum", ["v"], "y")])
strided("mean_permuted_3d", "x.permute(1, 2, 0).mean()", [inp("x", (3, 4, 5), F64)],
        [step("permute", ["x"], "v", dims=[1, 2, 0]), step("mean", ["v"], "y")])
strided("add_float64_transposed_float32", "x.t() (float32) + b (float64)", [inp("x", (2, 3)), inp("b", (3, 2), F64)],
        [step("t", ["x"], "v"), step("add", ["v", "b"], "y")])
strided("add_int64_transposed", "x.t() + b, int64", [inp("x", (3, 4), I64), inp("b", (4, 3), I64)],
        [step("t", ["x"], "v"), step("add", ["v", "b"], "y")], backward=False)
strided("add_inplace_strided_source", "d = a * 1; d.add_(b.t())", [inp("a", (3, 4)), inp("b", (4, 3))],
        [step("mul_scalar", ["a"], "d", value=1.0), step("t", ["b"], "w"), step("add_", ["d", "w"], "d")])
CASES[-1]["backward"] = [bw("d")]
strided("add_inplace_into_transposed", "x (plain).t().add_(b)", [inp("x", (3, 4), rg=False), inp("b", (4, 3), rg=False)],
        [step("t", ["x"], "v"), step("add_", ["v", "b"], "v")], backward=False)
strided("wide_transposed_add", "x.t() + b with (37, 17): rows wide enough for vector kernels, odd sizes",
        [inp("x", (17, 37)), inp("b", (37, 17))], [step("t", ["x"], "v"), step("add", ["v", "b"], "y")])
strided("wide_sliced_mul", "x[:, 3:40] * b[::2], (6, 37) windows", [inp("x", (6, 45)), inp("b", (12, 37))],
        [step("slice", ["x"], "v", dim=1, start=3, end=40, step=1),
         step("slice", ["b"], "w", dim=0, start=0, end=END, step=2), step("mul", ["v", "w"], "y")])


# autograd through chains of views
def chain(id, desc, inputs, steps, backward=None, exact=None):
    case(id, "chain", desc, inputs, steps, backward if backward is not None else [bw()], exact)


chain("t_reshape_slice", "x.t().reshape(-1)[::2], x (3, 4)", [inp("x", (3, 4))],
      [step("t", ["x"], "a"), step("reshape", ["a"], "b", shape=[-1]),
       step("slice", ["b"], "y", dim=0, start=0, end=END, step=2)])
chain("permute_select_unsqueeze_expand_mul", "x.permute(2, 0, 1)[1].unsqueeze(0).expand(2, 2, 3) * w",
      [inp("x", (2, 3, 4)), inp("w", (2, 2, 3))],
      [step("permute", ["x"], "a", dims=[2, 0, 1]), step("select", ["a"], "b", dim=0, index=1),
       step("unsqueeze", ["b"], "c", dim=0), step("expand", ["c"], "e", shape=[2, 2, 3]), step("mul", ["e", "w"], "y")])
chain("narrow_view_transpose_mul", "x.narrow(1, 1, 4).view(4, 2, 2).transpose(0, 2) * w",
      [inp("x", (4, 6)), inp("w", (2, 2, 4))],
      [step("narrow", ["x"], "a", dim=1, start=1, length=4), step("view", ["a"], "b", shape=[4, 2, 2]),
       step("transpose", ["b"], "c", dim0=0, dim1=2), step("mul", ["c", "w"], "y")])
chain("split_cat_reversed", "cat(reversed(x.split(2, 0)), 0), x (5, 3)", [inp("x", (5, 3))],
      [step("split", ["x"], ["p0", "p1", "p2"], size=2, dim=0), step("cat", ["p2", "p1", "p0"], "y", dim=0)])
chain("unbind_stack", "stack(x.unbind(1), 0) == x.t()", [inp("x", (3, 4))],
      [step("unbind", ["x"], ["u0", "u1", "u2", "u3"], dim=1), step("stack", ["u0", "u1", "u2", "u3"], "y", dim=0)])
chain("mT_flatten_sum_dims", "x.mT.flatten(0, 1).sum(dim=[0])", [inp("x", (2, 3, 4))],
      [step("mT", ["x"], "a"), step("flatten", ["a"], "b", start=0, end=1),
       step("sum_dims", ["b"], "y", dims=[0], keepdim=False)])
chain("view_t_contiguous_view", "x.view(2, 3).t().contiguous().view(-1)", [inp("x", (6,))],
      [step("view", ["x"], "a", shape=[2, 3]), step("t", ["a"], "b"), step("contiguous", ["b"], "c"),
       step("view", ["c"], "y", shape=[-1])])
chain("x_t_plus_x", "x.t() + x, x (3, 3): x's grad gets two terms", [inp("x", (3, 3))],
      [step("t", ["x"], "a"), step("add", ["a", "x"], "y")])
chain("row_times_column", "x[0] * x[:, 0] * x.select(0, -1)", [inp("x", (4, 4))],
      [step("select", ["x"], "r", dim=0, index=0), step("select", ["x"], "c", dim=1, index=0),
       step("select", ["x"], "l", dim=0, index=-1), step("mul", ["r", "c"], "rc"), step("mul", ["rc", "l"], "y")])
chain("index_select_of_transposed_narrow", "x.t().narrow(0, 1, 3).index_select(1, [0, 2, 2])",
      [inp("x", (3, 5)), idx([0, 2, 2])],
      [step("t", ["x"], "a"), step("narrow", ["a"], "b", dim=0, start=1, length=3),
       step("index_select", ["b", "i"], "y", dim=1)])
chain("gather_of_slice", "x[:, 1:].gather(1, i)", [inp("x", (3, 5)), idx([0, 3, 1, 1, 2, 0], [3, 2])],
      [step("slice", ["x"], "a", dim=1, start=1, end=END, step=1), step("gather", ["a", "i"], "y", dim=1)])
chain("masked_fill_unsqueeze_expand", "x.unsqueeze(1).expand(3, 2, 4).masked_fill(mask (2, 1), 0.0)",
      [inp("x", (3, 4)), mask("m", (2, 1), [True, False])],
      [step("unsqueeze", ["x"], "a", dim=1), step("expand", ["a"], "b", shape=[3, 2, 4]),
       step("masked_fill", ["b", "m"], "y", value=0.0)])
chain("where_of_views", "where(mask, x.t(), x.t() * 2)", [inp("x", (2, 3)), mask("m", (3, 1), [True, False, True])],
      [step("t", ["x"], "a"), step("mul_scalar", ["a"], "b", value=2.0), step("where", ["m", "a", "b"], "y")])
chain("expand_reshape_copy", "x.unsqueeze(1).expand(2, 4, 3).reshape(8, 3): a copying reshape, float64",
      [inp("x", (2, 3), F64)],
      [step("unsqueeze", ["x"], "a", dim=1), step("expand", ["a"], "b", shape=[2, 4, 3]),
       step("reshape", ["b"], "y", shape=[8, 3])])
chain("select_select_0dim", "x[1][2]: a 0-dim view; implicit gradient", [inp("x", (3, 4))],
      [step("select", ["x"], "a", dim=0, index=1), step("select", ["a"], "y", dim=0, index=2)])
chain("squeeze_unsqueeze_roundtrip", "x.unsqueeze(0).unsqueeze(-1).squeeze().t()", [inp("x", (2, 3))],
      [step("unsqueeze", ["x"], "a", dim=0), step("unsqueeze", ["a"], "b", dim=-1), step("squeeze", ["b"], "c"),
       step("t", ["c"], "y")])
chain("to_float64_view_mul", "x.to(float64).view(3, 2) * w (float64)", [inp("x", (2, 3)), inp("w", (3, 2), F64)],
      [step("to", ["x"], "a", dtype=F64), step("view", ["a"], "b", shape=[3, 2]), step("mul", ["b", "w"], "y")])
chain("retain_grad_on_view", "v = x.t(); v.retain_grad(); y = v * w: v.grad is set", [inp("x", (3, 4)),
                                                                                      inp("w", (4, 3))],
      [step("t", ["x"], "v"), step("retain_grad", ["v"]), step("mul", ["v", "w"], "y")])
chain("backward_twice_through_views", "y = x.t()[1:]; y.backward(g1, retain_graph); y.backward(g2): grads add up",
      [inp("x", (3, 4))],
      [step("t", ["x"], "a"), step("slice", ["a"], "y", dim=0, start=1, end=END, step=1)],
      [bw("y", "random", retain_graph=True), bw("y", "random")])
chain("chunk_pieces_mixed", "c = x.chunk(3, 1); c[0] * c[2] (c[1] unused)", [inp("x", (2, 6))],
      [step("chunk", ["x"], ["c0", "c1", "c2"], chunks=3, dim=1), step("mul", ["c0", "c2"], "y")])
chain("cat_of_views_of_one_tensor", "cat([x[:, :2], x.t()[1:3].t(), x[:, -1:]], 1)", [inp("x", (3, 4))],
      [step("slice", ["x"], "a", dim=1, start=0, end=2, step=1), step("t", ["x"], "b0"),
       step("slice", ["b0"], "b1", dim=0, start=1, end=3, step=1), step("t", ["b1"], "b"),
       step("slice", ["x"], "c", dim=1, start=-1, end=END, step=1), step("cat", ["a", "b", "c"], "y", dim=1)])
chain("masked_select_of_expand", "x.expand(2, 3).masked_select(mask)", [inp("x", (3,)),
                                                                        mask("m", (2, 3), [True, False, True,
                                                                                           True, True, False])],
      [step("expand", ["x"], "a", shape=[2, 3]), step("masked_select", ["a", "m"], "y")])
chain("scatter_add_of_views", "zeros.scatter_add(1, i, x.t())", [inp("z", (4, 2), rg=False), inp("x", (2, 4)),
                                                                  idx([0, 1, 1, 1, 0, 0, 1, 0], [4, 2])],
      [step("t", ["x"], "s"), step("scatter_add", ["z", "i", "s"], "y", dim=1)])
chain("unflatten_permute_sum_dims", "x.unflatten(1, (2, 3)).permute(2, 0, 1).sum(dim=[2])", [inp("x", (4, 6))],
      [step("unflatten", ["x"], "a", dim=1, sizes=[2, 3]), step("permute", ["a"], "b", dims=[2, 0, 1]),
       step("sum_dims", ["b"], "y", dims=[2], keepdim=False)])
chain("view_under_no_grad", "with no_grad: v = x.t(); v * 2 has no grad_fn; v is a view without grad",
      [inp("x", (2, 3))], [step("t", ["x"], "v", no_grad=True), step("mul_scalar", ["v"], "y", value=2.0)], [])
chain("detach_of_view", "x.t().detach() * 2: no graph", [inp("x", (2, 3))],
      [step("t", ["x"], "v"), step("detach", ["v"], "d"), step("mul_scalar", ["d"], "y", value=2.0)], [])


# in-place ops through views of a non-leaf base (base = x * 1): the base's grad_fn becomes CopySlices, views of it
# (the written one and the others, created before) then report AsStridedBackward0; all share one version counter
def iview(id, desc, inputs, steps, backward=None, exact=None):
    case(id, "inplace_view", desc, inputs, steps, backward if backward is not None else [bw("base")], exact)


BASE = step("mul_scalar", ["x"], "base", value=1.0)
iview("select_add_", "v = base.select(0, 1); v.add_(y)", [inp("x", (3, 4)), inp("y", (4,))],
      [BASE, step("select", ["base"], "v", dim=0, index=1), step("add_", ["v", "y"], "v")])
iview("select_add_backward_of_view", "v = base.select(0, 1); v.add_(y); backward of v only",
      [inp("x", (3, 4)), inp("y", (4,))],
      [BASE, step("select", ["base"], "v", dim=0, index=1), step("add_", ["v", "y"], "v")], [bw("v")])
iview("t_zero_", "base.t().zero_(): x gets no gradient through base", [inp("x", (3, 4))],
      [BASE, step("t", ["base"], "v"), step("zero_", ["v"], "v")])
iview("column_fill_", "base[:, 0].fill_(2)", [inp("x", (3, 4))],
      [BASE, step("select", ["base"], "v", dim=1, index=0), step("fill_", ["v"], "v", value=2.0)])
iview("narrow_copy_", "base.narrow(1, 1, 2).copy_(src): src gets the written window's gradient",
      [inp("x", (3, 4)), inp("src", (3, 2))],
      [BASE, step("narrow", ["base"], "v", dim=1, start=1, length=2), step("copy_", ["v", "src"], "v")])
iview("slice_masked_fill_", "base[::2].masked_fill_(mask, -1)", [inp("x", (5, 3)), mask("m", (3,), [True, False, True])],
      [BASE, step("slice", ["base"], "v", dim=0, start=0, end=END, step=2),
       step("masked_fill_", ["v", "m"], "v", value=-1.0)])
iview("other_views_created_before", "w = base[0]; u = base.t(); v = base[1]; v.add_(y): w and u report "
      "AsStridedBackward0; w * u[0] then backward", [inp("x", (3, 3)), inp("y", (3,))],
      [BASE, step("select", ["base"], "w", dim=0, index=0), step("t", ["base"], "u"),
       step("select", ["base"], "v", dim=0, index=1), step("add_", ["v", "y"], "v"),
       step("select", ["u"], "u0", dim=0, index=0), step("mul", ["w", "u0"], "out")], [bw("out")])
iview("view_of_view", "base.t().select(0, 1).add_(y): a view of a view", [inp("x", (3, 4)), inp("y", (3,))],
      [BASE, step("t", ["base"], "a"), step("select", ["a"], "v", dim=0, index=1), step("add_", ["v", "y"], "v")])
iview("two_inplace_ops", "v = base[1:]; v.add_(y); v.zero_()... versions count to 2; then w = base[0] * 2",
      [inp("x", (3, 2)), inp("y", (2, 2))],
      [BASE, step("slice", ["base"], "v", dim=0, start=1, end=END, step=1), step("add_", ["v", "y"], "v"),
       step("mul_scalar", ["v"], "vv", value=3.0), step("fill_", ["v"], "v", value=0.5),
       step("select", ["base"], "w", dim=0, index=0), step("mul_scalar", ["w"], "out", value=2.0)],
      [bw("base", retain_graph=True), bw("vv")])
iview("inplace_on_base_after_view", "v = base[0]; base.add_(y): v is a view of the modified base",
      [inp("x", (2, 3)), inp("y", (2, 3))],
      [BASE, step("select", ["base"], "v", dim=0, index=0), step("add_", ["base", "y"], "base"),
       step("mul_scalar", ["v"], "out", value=2.0)], [bw("out")])
iview("scatter_add_through_view", "base.t().scatter_add_(1, i, s)",
      [inp("x", (3, 4)), idx([0, 2, 1, 1, 0, 0, 2, 1], [4, 2]), inp("s", (4, 2))],
      [BASE, step("t", ["base"], "v"), step("scatter_add_", ["v", "i", "s"], "v", dim=1)])
iview("copy_dtype_into_transposed", "base float32; base.t().copy_(src float64)",
      [inp("x", (2, 3)), inp("src", (3, 2), F64)],
      [BASE, step("t", ["base"], "v"), step("copy_", ["v", "src"], "v")])
iview("expanded_fill_", "base[:, :1].expand(3, 4).fill_(5): allowed in torch (every element gets 5)",
      [inp("x", (3, 4))],
      [BASE, step("slice", ["base"], "a", dim=1, start=0, end=1, step=1), step("expand", ["a"], "v", shape=[3, 4]),
       step("fill_", ["v"], "v", value=5.0)], [])  # (torch's backward through this CopySlices fails: not pinned)
iview("expanded_zero_plain", "z (plain) (3, 1).expand(3, 4).zero_(): allowed; z's elements are zero",
      [inp("z", (3, 1), rg=False)], [step("expand", ["z"], "v", shape=[3, 4]), step("zero_", ["v"], "v")], [])
iview("plain_leaf_view_add_grad_tensor", "x (no grad) ; x[0].add_(y requiring grad): x joins the graph via CopySlices",
      [inp("x", (2, 3), rg=False), inp("y", (3,))],
      [step("select", ["x"], "v", dim=0, index=0), step("add_", ["v", "y"], "v"),
       step("mul_scalar", ["x"], "out", value=3.0)], [bw("out")])
iview("leaf_view_under_no_grad", "v = x[0]; with no_grad: v.fill_(0) on a view of a leaf requiring grad; then (x * x)",
      [inp("x", (2, 3))],
      [step("select", ["x"], "v", dim=0, index=0), step("fill_", ["v"], "v", value=0.0, no_grad=True),
       step("mul", ["x", "x"], "out")], [bw("out")])
iview("detached_view_write", "d = x.detach(); d[1].fill_(3): x sees it, x._version moves",
      [inp("x", (2, 3))],
      [step("detach", ["x"], "d"), step("select", ["d"], "v", dim=0, index=1), step("fill_", ["v"], "v", value=3.0)], [])
iview("int64_views", "x int64: x.t()[1].fill_(9); x[0].add_(b): writes land in x", [inp("x", (3, 4), I64),
                                                                                  inp("b", (4,), I64)],
      [step("t", ["x"], "a"), step("select", ["a"], "v", dim=0, index=1), step("fill_", ["v"], "v", value=9),
       step("select", ["x"], "r", dim=0, index=0), step("add_", ["r", "b"], "r")], [])
iview("bool_view_copy_", "m bool: m[:, 1].copy_(src bool)", [inp("m", (2, 3), B), inp("src", (2,), B)],
      [step("select", ["m"], "v", dim=1, index=1), step("copy_", ["v", "src"], "v")], [])
iview("split_piece_add_", "p = base.split(2, 0); p[1].add_(y): rejected, a multi-output view",
      [inp("x", (4, 3)), inp("y", (2, 3))],
      [BASE, step("split", ["base"], ["p0", "p1"], size=2, dim=0), raises(ISE, "add_", ["p1", "y"], "p1")])
iview("unbind_piece_zero_", "u = base.unbind(0); u[0].zero_(): rejected, a multi-output view", [inp("x", (2, 3))],
      [BASE, step("unbind", ["base"], ["u0", "u1"], dim=0), raises(ISE, "zero_", ["u0"], "u0")])
iview("chunk_piece_plain", "z (plain).chunk(2, 1)[1].fill_(1): allowed without autograd, writes z",
      [inp("z", (2, 4), rg=False)],
      [step("chunk", ["z"], ["c0", "c1"], chunks=2, dim=1), step("fill_", ["c1"], "c1", value=1.0)], [])
iview("view_then_mul_saved", "v = base[0]; out = v * v (saves v); base[1].add_(c): the shared version counter "
      "moved, so backward fails although v's elements are untouched",
      [inp("x", (2, 3)), inp("c", (3,), rg=False)],
      [BASE, step("select", ["base"], "v", dim=0, index=0), step("mul", ["v", "v"], "out"),
       step("select", ["base"], "r", dim=0, index=1), step("add_", ["r", "c"], "r")], [bw("out", raises=ISE)])


# printing: str(t) of int64 and bool tensors and of strided float tensors
def pcase(id, desc, inputs, steps):
    """The last step's result (or the input x) is printed."""
    target = steps[-1]["out"] if steps else inputs[0]["name"]
    case(id, "print", desc, inputs, steps + [step("str", [target])])


for id, shape, vals in [("int64_1d", (3,), [1, 2, 3]), ("int64_negatives", (4,), [-1, 20, 300, -4000]),
                        ("int64_2d", (2, 3), [1, -2, 3, 40, 5, -600]), ("int64_3d", (2, 2, 2), list(range(-4, 4))),
                        ("int64_0dim", (), 5), ("int64_0dim_negative", (), -7), ("int64_empty", (0,), []),
                        ("int64_empty_2d", (0, 3), []), ("int64_empty_cols", (2, 0), []),
                        ("int64_extremes", (2,), [9223372036854775807, -9223372036854775808]),
                        ("int64_large_mixed", (2, 2), [2 ** 40, -3, 17, 2 ** 53 + 1]), ("int64_zeros", (3,), [0, 0, 0])]:
    pcase(id, f"str(tensor({vals}))", [inp("x", shape, I64, values=vals)], [])
for id, shape, vals in [("bool_1d", (2,), [True, False]), ("bool_2d", (2, 3), [True, False, False, True, True, False]),
                        ("bool_0dim_true", (), True), ("bool_0dim_false", (), False), ("bool_empty", (0,), []),
                        ("bool_empty_2d", (0, 2), []), ("bool_all_false", (3,), [False] * 3)]:
    pcase(id, f"str(tensor({vals}))", [inp("x", shape, B, values=vals)], [])
pcase("int64_summarized", "str(arange(2000)): summarized with ...", [], [step("arange", [], "y", end=2000)])
pcase("int64_summarized_2d", "str(arange(1200).view(40, 30))", [],
      [step("arange", [], "a", end=1200), step("view", ["a"], "y", shape=[40, 30])])
pcase("bool_summarized", "str(arange(1100).to(bool))", [], [step("arange", [], "a", end=1100),
                                                          step("to", ["a"], "y", dtype=B)])
pcase("int64_transposed", "str(arange(12).view(3, 4).t())", [],
      [step("arange", [], "a", end=12), step("view", ["a"], "b", shape=[3, 4]), step("t", ["b"], "y")])
pcase("int64_sliced_negative", "str(x[:, ::2]) of int64 with negatives", [inp("x", (2, 5), I64, values=[-5, 12, 3, -400, 7,
                                                                                                      0, 1, 2, 3, 4])],
      [step("slice", ["x"], "y", dim=1, start=0, end=END, step=2)])
pcase("float_transposed_grad", "str(x.t()), x float32 (2, 3) requires grad: grad_fn=<TBackward0>",
      [inp("x", (2, 3), values=[0.5, -1.25, 3.0, 100.0, 0.001, -2.0])], [step("t", ["x"], "y")])
pcase("float_transposed", "str(x.t()), x float32 (3, 2) plain", [inp("x", (3, 2), rg=False)], [step("t", ["x"], "y")])
pcase("float_sliced_step", "str(x[::2, 1:])", [inp("x", (5, 3), rg=False)],
      [step("slice", ["x"], "a", dim=0, start=0, end=END, step=2), step("slice", ["a"], "y", dim=1, start=1, end=END,
                                                                             step=1)])
pcase("float_expanded", "str(x.expand(3, 4)), x (3, 1)", [inp("x", (3, 1), rg=False, values=[1.5, -2.0, 0.25])],
      [step("expand", ["x"], "y", shape=[3, 4])])
pcase("float64_permuted", "str(x.permute(2, 0, 1)), float64", [inp("x", (2, 2, 3), F64, rg=False)],
      [step("permute", ["x"], "y", dims=[2, 0, 1])])
pcase("float_select_column_grad", "str(x[:, 1]), requires grad", [inp("x", (3, 3))],
      [step("select", ["x"], "y", dim=1, index=1)])
pcase("float_sci_transposed", "str(x.t()) needing scientific notation",
      [inp("x", (2, 2), rg=False, values=[1e-5, 2.0, 3e6, -4.5])], [step("t", ["x"], "y")])
pcase("float_int_valued_strided", "str(x[::2]) with integral float values: tensor([0., 2., 4.])",
      [inp("x", (6,), rg=False, kind="arange")], [step("slice", ["x"], "y", dim=0, start=0, end=END, step=2)])
pcase("nonzero_result", "str(x.nonzero())", [inp("x", (2, 3), I64, values=[0, 3, 0, 4, 0, 5])],
      [step("nonzero", ["x"], "y")])
pcase("one_hot_result", "str(one_hot(x, 3))", [inp("x", (3,), I64, values=[2, 0, 1])],
      [step("one_hot", ["x"], "y", num_classes=3)])
pcase("int64_promoted_to_float", "str(x int64 + 0.5)", [inp("x", (3,), I64, values=[1, -2, 30])],
      [step("add_scalar", ["x"], "y", value=0.5)])
pcase("int64_true_division", "str(x int64 / y int64)", [inp("x", (3,), I64, values=[1, 7, -9]),
                                                        inp("d", (3,), I64, values=[3, 2, 4])],
      [step("div", ["x", "d"], "y")])
pcase("float_copyslices", "str(base) after base[0].add_(y): grad_fn=<CopySlices>",
      [inp("x", (2, 2), values=[1.0, 2.0, 3.0, 4.0]), inp("y", (2,), values=[0.5, 0.5])],
      [BASE, step("select", ["base"], "v", dim=0, index=0), step("add_", ["v", "y"], "v"),
       step("mul_scalar", ["base"], "y2", value=1.0)])
CASES[-1]["steps"] = CASES[-1]["steps"][:-2] + [step("str", ["base"]), step("str", ["v"])]


# errors: torch's exception and message; the Java exception class the API promises (IllegalArgumentException for
# bad dims, shapes, sizes and dtypes; IndexOutOfBoundsException for index values out of range; IllegalStateException
# for autograd and state errors)
def ecase(id, desc, inputs, steps, backward=None):
    case(id, "errors", desc, inputs, steps, backward)


def e1(id, desc, java_type, op, x=None, more=(), **kw):
    """x (plain float32 (2, 3) unless given) .op(**kw) raises."""
    x = x or inp("x", (2, 3), rg=False)
    ecase(id, desc, [x] + list(more), [raises(java_type, op, [x["name"]] + [m["name"] for m in more], "y", **kw)])


X34 = inp("x", (3, 4), rg=False)
# view / reshape
ecase("view_incompatible_strides", "x.t().view(12)", [X34],
      [step("t", ["x"], "v"), raises(IAE, "view", ["v"], "y", shape=[12])])
ecase("view_incompatible_select", "x[:, 0].view(...) of a (2, 3, 4) select over dim 1: x.select(1, 0).view(8)",
      [inp("x", (2, 3, 4), rg=False)], [step("select", ["x"], "v", dim=1, index=0), raises(IAE, "view", ["v"], "y",
                                                                                        shape=[8])])
ecase("view_incompatible_expanded", "x.expand(3, 4).view(12), x (3, 1)", [inp("x", (3, 1), rg=False)],
      [step("expand", ["x"], "v", shape=[3, 4]), raises(IAE, "view", ["v"], "y", shape=[12])])
ecase("view_incompatible_int64", "x.t().view(-1), x int64", [inp("x", (3, 4), I64)],
      [step("t", ["x"], "v"), raises(IAE, "view", ["v"], "y", shape=[-1])])
e1("view_two_minus_one", "x.view(-1, -1)", IAE, "view", shape=[-1, -1])
e1("view_invalid_shape", "x (2, 3).view(4, 4)", IAE, "view", shape=[4, 4])
e1("reshape_invalid_shape", "x (2, 3).reshape(4, -1)", IAE, "reshape", shape=[4, -1])
e1("reshape_two_minus_one", "x.reshape(-1, 2, -1)", IAE, "reshape", shape=[-1, 2, -1])
e1("view_negative_size", "x.view(-2, 3)", IAE, "view", shape=[-2, 3])
e1("view_minus_one_of_empty", "zeros(0, 3).view(0, -1): -1 is ambiguous", IAE, "view", x=inp("x", (0, 3), rg=False),
   shape=[0, -1])
# dims
e1("transpose_dim_out_of_range", "x (2, 3).transpose(0, 2)", IAE, "transpose", dim0=0, dim1=2)
e1("transpose_negative_dim_out_of_range", "x (2, 3).transpose(-3, 0)", IAE, "transpose", dim0=-3, dim1=0)
e1("t_of_3d", "x (2, 3, 4).t()", IAE, "t", x=inp("x", (2, 3, 4), rg=False))
e1("mT_of_1d", "x (3,).mT", IAE, "mT", x=inp("x", (3,), rg=False))
e1("permute_wrong_length", "x (2, 3).permute(0, 1, 2)", IAE, "permute", dims=[0, 1, 2])
e1("permute_repeated_dim", "x (2, 3).permute(0, 0)", IAE, "permute", dims=[0, 0])
e1("permute_dim_out_of_range", "x (2, 3).permute(0, 2)", IAE, "permute", dims=[0, 2])
e1("squeeze_dim_out_of_range", "x (2, 3).squeeze(2)", IAE, "squeeze", dim=2)
e1("unsqueeze_dim_out_of_range", "x (2, 3).unsqueeze(3)", IAE, "unsqueeze", dim=3)
e1("unsqueeze_negative_dim_out_of_range", "x (2, 3).unsqueeze(-4)", IAE, "unsqueeze", dim=-4)
e1("select_dim_out_of_range", "x (2, 3).select(2, 0)", IAE, "select", dim=2, index=0)
e1("select_of_0dim", "tensor(1.).select(0, 0)", IAE, "select", x=inp("x", (), rg=False), dim=0, index=0)
e1("narrow_dim_out_of_range", "x (2, 3).narrow(2, 0, 1)", IAE, "narrow", dim=2, start=0, length=1)
e1("slice_dim_out_of_range", "x (2, 3).slice(dim=-3)", IAE, "slice", dim=-3, start=0, end=END, step=1)
e1("flatten_start_after_end", "x (2, 3, 4).flatten(2, 1)", IAE, "flatten", x=inp("x", (2, 3, 4), rg=False),
   start=2, end=1)
e1("flatten_dim_out_of_range", "x (2, 3).flatten(0, 2)", IAE, "flatten", start=0, end=2)
e1("unflatten_sizes_mismatch", "x (2, 3).unflatten(1, (2, 2))", IAE, "unflatten", dim=1, sizes=[2, 2])
e1("split_dim_out_of_range", "x (2, 3).split(1, 2)", IAE, "split", size=1, dim=2)
e1("split_size_zero", "x (2, 3).split(0, 1)", IAE, "split", size=0, dim=1)
e1("chunk_zero", "x (2, 3).chunk(0, 0)", IAE, "chunk", chunks=0, dim=0)
e1("unbind_dim_out_of_range", "x (2, 3).unbind(-3)", IAE, "unbind", dim=-3)
e1("slice_step_zero", "x.slice(1, 0, end, 0)", IAE, "slice", dim=1, start=0, end=END, step=0)
e1("slice_step_negative", "x.slice(1, 0, end, -1)", IAE, "slice", dim=1, start=0, end=END, step=-1)
# expand
e1("expand_to_smaller", "x (3, 4).expand(2, 4)", IAE, "expand", x=X34, shape=[2, 4])
e1("expand_fewer_dims", "x (2, 3).expand(3)", IAE, "expand", shape=[3])
e1("expand_minus_one_new_dim", "x (3,).expand(-1, 3)", IAE, "expand", x=inp("x", (3,), rg=False), shape=[-1, 3])
e1("expand_as_smaller", "x (3, 4).expand_as(o (2, 4))", IAE, "expand_as", x=X34, more=[inp("o", (2, 4), rg=False)])
# cat / stack
ecase("cat_dim_out_of_range", "cat([a, b], 2) of (2, 3)", [inp("a", (2, 3), rg=False), inp("b", (2, 3), rg=False)],
      [raises(IAE, "cat", ["a", "b"], "y", dim=2)])
ecase("cat_mismatched_sizes", "cat([a (2, 3), b (2, 4)], 0)", [inp("a", (2, 3), rg=False), inp("b", (2, 4), rg=False)],
      [raises(IAE, "cat", ["a", "b"], "y", dim=0)])
ecase("cat_different_ndim", "cat([a (2, 3), b (3,)], 0)", [inp("a", (2, 3), rg=False), inp("b", (3,), rg=False)],
      [raises(IAE, "cat", ["a", "b"], "y", dim=0)])
ecase("cat_empty_list", "cat([], 0)", [], [raises(IAE, "cat", [], "y", dim=0)])
ecase("stack_different_shapes", "stack([a (2, 3), b (3, 2)], 0)",
      [inp("a", (2, 3), rg=False), inp("b", (3, 2), rg=False)], [raises(IAE, "stack", ["a", "b"], "y", dim=0)])
ecase("stack_dim_out_of_range", "stack([a, b], 3) of (2, 3)", [inp("a", (2, 3), rg=False), inp("b", (2, 3), rg=False)],
      [raises(IAE, "stack", ["a", "b"], "y", dim=3)])
ecase("stack_empty_list", "stack([], 0)", [], [raises(IAE, "stack", [], "y", dim=0)])
# index values out of range
I5 = [inp("i", (1,), I64, values=[5])]
e1("index_select_out_of_range", "x (3,).index_select(0, [5])", IOOBE, "index_select", x=inp("x", (3,), rg=False),
   more=I5, dim=0)
e1("index_select_negative_index", "x (3,).index_select(0, [-1])", IOOBE, "index_select", x=inp("x", (3,), rg=False),
   more=[inp("i", (1,), I64, values=[-1])], dim=0)
e1("index_select_dim_out_of_range", "x (2, 3).index_select(2, [0])", IAE, "index_select",
   more=[inp("i", (1,), I64, values=[0])], dim=2)
e1("index_select_2d_index", "x.index_select(0, [[0]])", IAE, "index_select", more=[inp("i", (1, 1), I64, values=[0])],
   dim=0)
e1("index_select_float_index", "x.index_select(0, [0.])", IAE, "index_select", more=[inp("i", (1,), rg=False,
                                                                                        values=[0.0])], dim=0)
e1("gather_out_of_range", "x (3, 2).gather(0, [[5]])", IOOBE, "gather", x=inp("x", (3, 2), rg=False),
   more=[inp("i", (1, 1), I64, values=[5])], dim=0)
e1("gather_negative_index", "x (3,).gather(0, [-1])", IOOBE, "gather", x=inp("x", (3,), rg=False),
   more=[inp("i", (1,), I64, values=[-1])], dim=0)
e1("gather_float_index", "x (3,).gather(0, float index)", IAE, "gather", x=inp("x", (3,), rg=False),
   more=[inp("i", (1,), rg=False, values=[1.0])], dim=0)
e1("gather_index_wrong_ndim", "x (3,).gather(0, i (1, 1))", IAE, "gather", x=inp("x", (3,), rg=False),
   more=[inp("i", (1, 1), I64, values=[0])], dim=0)
e1("gather_index_too_large", "x (2, 3).gather(1, i (3, 3)): i larger than x outside dim 1", IAE, "gather",
   more=[inp("i", (3, 3), I64, values=[0] * 9)], dim=1)
ecase("scatter_add_out_of_range", "x (3,).scatter_add(0, [5], s)",
      [inp("x", (3,), rg=False), inp("i", (1,), I64, values=[5]), inp("s", (1,), rg=False)],
      [raises(IOOBE, "scatter_add", ["x", "i", "s"], "y", dim=0)])
ecase("scatter_add_index_larger_than_src", "x (3, 4).scatter_add(1, i (3, 5), s (3, 4))",
      [X34, inp("i", (3, 5), I64, lo=0, hi=4), inp("s", (3, 4), rg=False)],
      [raises(IAE, "scatter_add", ["x", "i", "s"], "y", dim=1)])
ecase("scatter_add_float_index", "x (3,).scatter_add(0, float index, s)",
      [inp("x", (3,), rg=False), inp("i", (1,), rg=False, values=[1.0]), inp("s", (1,), rg=False)],
      [raises(IAE, "scatter_add", ["x", "i", "s"], "y", dim=0)])
e1("select_index_out_of_range", "x (3,).select(0, 5)", IOOBE, "select", x=inp("x", (3,), rg=False), dim=0, index=5)
e1("select_negative_index_out_of_range", "x (2, 3).select(1, -4)", IOOBE, "select", dim=1, index=-4)
e1("narrow_past_the_end", "x (3,).narrow(0, 2, 3)", IOOBE, "narrow", x=inp("x", (3,), rg=False), dim=0, start=2,
   length=3)
e1("narrow_start_out_of_range", "x (4,).narrow(0, 5, 0)", IOOBE, "narrow", x=inp("x", (4,), rg=False), dim=0, start=5,
   length=0)
e1("narrow_negative_length", "x (4,).narrow(0, 1, -1)", IAE, "narrow", x=inp("x", (4,), rg=False), dim=0, start=1,
   length=-1)
e1("one_hot_class_too_large", "one_hot([5], 3)", IOOBE, "one_hot", x=inp("x", (1,), I64, values=[5]), num_classes=3)
e1("one_hot_negative_class", "one_hot([-1], 3)", IOOBE, "one_hot", x=inp("x", (1,), I64, values=[-1]), num_classes=3)
e1("one_hot_of_float", "one_hot(float tensor, 3)", IAE, "one_hot", x=inp("x", (1,), rg=False, values=[1.0]),
   num_classes=3)
# masks (not here: masked_fill with a non-bool mask, which torch 1.13 accepts without an error, reading the mask's
# bytes as bools, so a float mask 1.0 fills nothing: nothing sensible to pin down)
e1("masked_select_int64_mask", "x.masked_select(int64 mask)", IAE, "masked_select",
   more=[inp("m", (2, 3), I64, values=[1, 0, 1, 0, 1, 0])])
ecase("where_int64_condition", "where(int64 cond, a, b)",
      [inp("c", (3,), I64, values=[1, 0, 1]), inp("a", (3,), rg=False), inp("b", (3,), rg=False)],
      [raises(IAE, "where", ["c", "a", "b"], "y")])
ecase("where_not_broadcastable", "where(cond (2,), a (3,), b (3,))",
      [mask("c", (2,), [True, False]), inp("a", (3,), rg=False), inp("b", (3,), rg=False)],
      [raises(IAE, "where", ["c", "a", "b"], "y")])
e1("masked_fill_mask_not_broadcastable", "x (2, 3).masked_fill(mask (2,), 1.0)", IAE, "masked_fill",
   more=[mask("m", (2,), [True, False])], value=1.0)
e1("masked_fill_inplace_mask_larger", "x (3,).masked_fill_(mask (2, 3), 1.0)", IAE, "masked_fill_",
   x=inp("x", (3,), rg=False), more=[mask("m", (2, 3), [True] * 6)], value=1.0)
e1("masked_select_not_broadcastable", "x (2, 3).masked_select(mask (2,))", IAE, "masked_select",
   more=[mask("m", (2,), [True, False])])
# dtypes
e1("requires_grad_int64", "int64 tensor.requires_grad_(True)", ISE, "requires_grad_", x=inp("x", (3,), I64), flag=True)
e1("requires_grad_bool", "bool tensor.requires_grad_(True)", ISE, "requires_grad_", x=inp("x", (3,), B), flag=True)
e1("mean_of_int64", "int64 tensor.mean()", IAE, "mean", x=inp("x", (3,), I64))
e1("neg_of_bool", "-bool tensor", IAE, "neg", x=inp("x", (3,), B))
ecase("int64_add_inplace_float", "x int64.add_(float32): the float result can't be stored in int64",
      [inp("x", (3,), I64), inp("b", (3,), rg=False)], [raises(IAE, "add_", ["x", "b"], "x")])
ecase("bool_sub_bool", "a bool - b bool", [inp("a", (2,), B), inp("b", (2,), B)], [raises(IAE, "sub", ["a", "b"], "y")])
ecase("arange_step_zero", "arange(0, 5, 0)", [], [raises(IAE, "arange", [], "y", start=0, end=5, step=0)])
ecase("arange_wrong_direction", "arange(0, 5, -1)", [], [raises(IAE, "arange", [], "y", start=0, end=5, step=-1)])
ecase("arange_float_wrong_direction", "arange(1.0, 0.0, 0.5)", [],
      [raises(IAE, "arange_float", [], "y", start=1.0, end=0.0, step=0.5)])
# in-place on a view of a leaf that requires grad, and on overlapping memory
LEAF = inp("x", (3, 4))
for id, desc, view, op, kw, more in [
        ("inplace_select_view_of_leaf", "x.select(0, 1).add_(y), x a leaf requiring grad",
         step("select", ["x"], "v", dim=0, index=1), "add_", {}, [inp("y", (4,))]),
        ("inplace_t_view_of_leaf", "x.t().zero_()", step("t", ["x"], "v"), "zero_", {}, []),
        ("inplace_column_view_of_leaf", "x[:, 0].fill_(2)", step("select", ["x"], "v", dim=1, index=0), "fill_",
         {"value": 2.0}, []),
        ("inplace_narrow_copy_of_leaf", "x.narrow(1, 0, 2).copy_(src)", step("narrow", ["x"], "v", dim=1, start=0,
                                                                              length=2),
         "copy_", {}, [inp("src", (3, 2), rg=False)]),
        ("inplace_slice_masked_fill_of_leaf", "x[::2].masked_fill_(mask, 0)",
         step("slice", ["x"], "v", dim=0, start=0, end=END, step=2), "masked_fill_", {"value": 0.0},
         [mask("m", (4,), [True, False, True, False])]),
        ("inplace_view_scatter_add_of_leaf", "x.view(12).scatter_add_(0, i, s)",
         step("view", ["x"], "v", shape=[12]), "scatter_add_", {"dim": 0},
         [inp("i", (2,), I64, values=[0, 5]), inp("s", (2,), rg=False)])]:
    ecase(id, desc, [LEAF] + more, [view, raises(ISE, op, ["v"] + [m["name"] for m in more], "v", **kw)])
ecase("inplace_leaf_copy_", "x.copy_(src) on a leaf requiring grad", [LEAF, inp("src", (3, 4), rg=False)],
      [raises(ISE, "copy_", ["x", "src"], "x")])
ecase("inplace_leaf_masked_fill_", "x.masked_fill_(mask, 1) on a leaf requiring grad",
      [LEAF, mask("m", (4,), [True, False, False, True])], [raises(ISE, "masked_fill_", ["x", "m"], "x", value=1.0)])
# (a written-to tensor whose elements overlap is a bad layout of the argument: IllegalArgumentException)
ecase("inplace_add_on_expanded", "x (3,).expand(2, 3).add_(o): overlapping memory",
      [inp("x", (3,), rg=False), inp("o", (2, 3), rg=False)],
      [step("expand", ["x"], "v", shape=[2, 3]), raises(IAE, "add_", ["v", "o"], "v")])
ecase("inplace_copy_on_expanded", "x (3, 1).expand(3, 4).copy_(src)",
      [inp("x", (3, 1), rg=False), inp("src", (3, 4), rg=False)],
      [step("expand", ["x"], "v", shape=[3, 4]), raises(IAE, "copy_", ["v", "src"], "v")])
ecase("inplace_scatter_add_on_expanded", "x (1, 3).expand(2, 3).scatter_add_(0, i, s)",
      [inp("x", (1, 3), rg=False), inp("i", (1, 3), I64, values=[0, 1, 0]), inp("s", (1, 3), rg=False)],
      [step("expand", ["x"], "v", shape=[2, 3]), raises(IAE, "scatter_add_", ["v", "i", "s"], "v", dim=0)])
ecase("copy_not_broadcastable", "x (3,).copy_(src (2, 3))", [inp("x", (3,), rg=False), inp("src", (2, 3), rg=False)],
      [raises(IAE, "copy_", ["x", "src"], "x")])
# version counters shared through views
ecase("saved_base_modified_through_view", "t = x * 1; y = (t * t).sum(); t[0].zero_(); y.backward()",
      [inp("x", (2, 3))],
      [step("mul_scalar", ["x"], "t", value=1.0), step("mul", ["t", "t"], "p"), step("sum", ["p"], "y"),
       step("select", ["t"], "v", dim=0, index=0), step("zero_", ["v"], "v")], [bw("y", raises=ISE)])
ecase("saved_view_modified_through_base", "v = t.t(); y = (v * v).sum(); t.add_(1); y.backward()",
      [inp("x", (2, 3)), inp("one", (2, 3), rg=False)],
      [step("mul_scalar", ["x"], "t", value=1.0), step("t", ["t"], "v"), step("mul", ["v", "v"], "p"),
       step("sum", ["p"], "y"), step("add_", ["t", "one"], "t")], [bw("y", raises=ISE)])
ecase("saved_index_modified", "y = x.gather(1, i).sum(); i.zero_(); y.backward(): the saved index moved",
      [inp("x", (2, 3)), inp("i", (2, 2), I64, values=[0, 2, 1, 1])],
      [step("gather", ["x", "i"], "g", dim=1), step("sum", ["g"], "y"), step("zero_", ["i"], "i")], [bw("y", raises=ISE)])
ecase("saved_mask_modified", "y = x.masked_fill(m, 0).sum(); m.zero_(); y.backward()",
      [inp("x", (2, 3)), mask("m", (3,), [True, False, True])],
      [step("masked_fill", ["x", "m"], "f", value=0.0), step("sum", ["f"], "y"), step("zero_", ["m"], "m")],
      [bw("y", raises=ISE)])
ecase("saved_view_ok_when_unrelated_tensor_modified", "v = t.t(); y = (v * v).sum(); other.add_(1); y.backward(): fine",
      [inp("x", (2, 3)), inp("other", (2, 3), rg=False), inp("one", (2, 3), rg=False)],
      [step("mul_scalar", ["x"], "t", value=1.0), step("t", ["t"], "v"), step("mul", ["v", "v"], "p"),
       step("sum", ["p"], "y"), step("add_", ["other", "one"], "other")], [bw("y")])


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
    header = {"generator": "gen_views.py", "torch": torch.__version__}
    write(os.path.join(HERE, "views.json"), header, "cases", cases)
    counts = {}
    for c in cases:
        counts[c["category"]] = counts.get(c["category"], 0) + 1
    errors = sum(1 for c in cases if any("error" in s for s in c["steps"] + c["backward"]))
    print("cases:", len(cases), "of which raising:", errors)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
