#!/usr/bin/python3
"""Writes the PyTorch goldens for tensor gradient hooks, Tensor.register_hook (issue 11).

    /usr/bin/python3 src/test/resources/golden/hooks/gen_hooks.py    (PyTorch 1.13; writes hooks.json beside this file)

hooks.json holds "cases", replayed by PyTorchGoldenHooksTest through Tensor.registerHook. A case is a small program over
named tensors, run here by real torch:

  steps   one call each, in order:
            {"op": "leaf", "out", "dtype", "shape", "values", "rg"}   torch.tensor(values).reshape(shape), requires_grad
            {"op": "mul"|"add", "args": [a, b], "out"}                a * b, a + b
            {"op": "mul_scalar"|"add_scalar", "args": [a], "value", "out"}
            {"op": "exp"|"sum", "args": [a], "out"}
            {"op": "slice", "args": [a], "dim", "start", "end", "out"}  a view
            {"op": "view", "args": [a], "shape", "out"}                 a view
            {"op": "mul_", "args": [a], "value"}                        in place (scalar)
            {"op": "add_", "args": [a, b]}                              in place (tensor)
            {"op": "retain_grad", "args": [a]}
            {"op": "requires_grad_", "args": [a], "flag"}
            {"op": "hook", "args": [a], "kind", "handle", ...}          a.register_hook(hook); the handle gets a name.
                kinds (every hook is a lambda, so torch names it '<lambda>' as Java names a lambda):
                  scale (g * value), add (g + value), record (appends g to the list "record", returns None),
                  record_scale (records, then g * value), keep (returns None), remove (removes handle "target", returns
                  None), register (registers scale(value) on "target" while backward runs, returns None),
                  throw_once (raises "boom" the first time it runs, then returns None), wrong_shape (a tensor of
                  ones with one more dim of 2), wrong_dtype (g in the other float dtype), grad_mode (records
                  is_grad_enabled() as 1.0/0.0 in "record" before and after a no_grad block in which it computes
                  g * value, which it returns)
            {"op": "remove", "handle"}                                  handle.remove()
            {"op": "zero_grad", "args": [a]}                            a.grad = None
            {"op": "backward", "args": [a], "gradient": tensor or null, "retain_graph"}
          "no_grad": true runs the step under torch.no_grad(). A step torch rejects carries "error": {torch_type,
          message, fragment (its first sentence), java_type}; "hook_raised": true when the error is the hook's own
          exception ("boom"). A backward (failed or not) carries "grads": .grad of every name (null where None) and
          "records": every record list so far, in order.
  exact   true where IEEE arithmetic pins every value down (no exp); elsewhere values may differ by rtol * max(|expected|,
          1) (1e-6 if float32 takes part, 1e-12 otherwise).

The hand-written cases pin one rule each; the "mix" cases are seeded random programs that combine hooks, retain_grad,
in-place ops, views, removal and repeated backward. After a failed backward a case only goes on when that backward
retained the graph: torch frees each node's saved tensors as it runs, vectorgrad only once the whole pass succeeded.
"""
import json
import os
import random
import warnings

import torch

assert torch.__version__.startswith("1.13"), torch.__version__
warnings.simplefilter("ignore")  # .grad of a non-leaf that does not retain it: None, with a warning

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {"float32": torch.float32, "float64": torch.float64}
NAMES = {v: k for k, v in DTYPES.items()}
ISE = "IllegalStateException"


# ----------------------------------------------------------------------------------------------------------- encoding

def enc(t):
    return {"shape": list(t.shape), "dtype": NAMES[t.dtype], "values": t.detach().double().reshape(-1).tolist()}


def first_sentence(msg):
    line = msg.split("\n")[0]
    i = line.find(". ")
    return line if i < 0 else line[:i + 1]


class Boom(Exception):
    pass


# ------------------------------------------------------------------------------------------------------ interpreter

class Run:
    def __init__(self):
        self.env, self.handles, self.records, self.names, self.thrown = {}, {}, {}, [], set()

    def hook(self, s):
        kind, v = s["kind"], s.get("value")
        rec = self.records.setdefault(s["record"], []) if "record" in s else None

        def body(g):
            if kind == "scale":
                return g * v
            if kind == "add":
                return g + v
            if kind == "record":
                rec.append(g.clone())
                return None
            if kind == "record_scale":
                rec.append(g.clone())
                return g * v
            if kind == "keep":
                return None
            if kind == "remove":
                self.handles[s["target"]].remove()
                return None
            if kind == "register":
                self.env[s["target"]].register_hook(lambda g2: g2 * v)
                return None
            if kind == "throw_once":
                if s["handle"] not in self.thrown:
                    self.thrown.add(s["handle"])
                    raise Boom("boom")
                return None
            if kind == "wrong_shape":
                return torch.ones(list(g.shape) + [2], dtype=g.dtype)
            if kind == "wrong_dtype":
                return g.to(torch.float64 if g.dtype == torch.float32 else torch.float32)
            if kind == "grad_mode":
                rec.append(torch.tensor(1.0 if torch.is_grad_enabled() else 0.0))
                with torch.no_grad():
                    r = g * v
                rec.append(torch.tensor(1.0 if torch.is_grad_enabled() else 0.0))
                return r
            raise ValueError(kind)

        return lambda g: body(g)

    def step(self, s):
        op, env = s["op"], self.env
        a = [env[n] for n in s.get("args", [])]
        x = a[0] if a else None
        if op == "leaf":
            t = torch.tensor(s["values"], dtype=DTYPES[s["dtype"]]).reshape(s["shape"])
            return t.requires_grad_(s["rg"])
        if op == "mul":
            return x * a[1]
        if op == "add":
            return x + a[1]
        if op == "mul_scalar":
            return x * s["value"]
        if op == "add_scalar":
            return x + s["value"]
        if op == "exp":
            return x.exp()
        if op == "sum":
            return x.sum()
        if op == "slice":
            return x.narrow(s["dim"], s["start"], s["end"] - s["start"])
        if op == "view":
            return x.view(s["shape"])
        if op == "mul_":
            return x.mul_(s["value"])
        if op == "add_":
            return x.add_(a[1])
        if op == "retain_grad":
            x.retain_grad()
            return None
        if op == "requires_grad_":
            x.requires_grad_(s["flag"])
            return None
        if op == "hook":
            self.handles[s["handle"]] = x.register_hook(self.hook(s))
            return None
        if op == "remove":
            self.handles[s["handle"]].remove()
            return None
        if op == "zero_grad":
            x.grad = None
            return None
        if op == "backward":
            gs = s.get("gradient")
            grad = None if gs is None else torch.tensor(gs["values"], dtype=DTYPES[gs["dtype"]]).reshape(gs["shape"])
            x.backward(grad, retain_graph=s["retain_graph"])
            return None
        raise ValueError(op)

    def execute(self, case):
        out = []
        for s in case["steps"]:
            s = dict(s)
            try:
                with torch.no_grad() if s.get("no_grad") else torch.enable_grad():
                    r = self.step(s)
                if s.get("out") is not None:
                    self.env[s["out"]] = r
                    if s["out"] not in self.names:
                        self.names.append(s["out"])
            except (RuntimeError, Boom) as e:
                s["error"] = {"torch_type": type(e).__name__, "message": str(e), "fragment": first_sentence(str(e)),
                              "java_type": ISE if isinstance(e, RuntimeError) else "RuntimeException"}
                if isinstance(e, Boom):
                    s["hook_raised"] = True
            if s["op"] == "backward":
                s["grads"] = {n: (enc(self.env[n].grad) if self.env[n].grad is not None else None)
                              for n in self.names}
                s["records"] = {k: [enc(t) for t in v] for k, v in self.records.items()}
            out.append(s)
            if "error" in s and not (s["op"] == "backward" and s["retain_graph"]):
                break  # see the header: only a retained graph is backwarded again after a failure
        return out


# ----------------------------------------------------------------------------------------------------------- builders

def leaf(out, values, shape=None, dtype="float32", rg=True):
    return {"op": "leaf", "out": out, "dtype": dtype, "shape": shape if shape is not None else [len(values)],
            "values": values, "rg": rg}


def op(name, args, out=None, **kw):
    s = {"op": name, "args": list(args)}
    if out is not None:
        s["out"] = out
    s.update(kw)
    return s


def hook(on, kind, handle, **kw):
    return dict({"op": "hook", "args": [on], "kind": kind, "handle": handle}, **kw)


def bw(of, retain_graph=False, gradient=None):
    return {"op": "backward", "args": [of], "gradient": gradient, "retain_graph": retain_graph}


def vec(values, dtype="float32"):
    return {"shape": [len(values)], "dtype": dtype, "values": values}


CASES = []


def case(cid, description, steps):
    CASES.append({"id": cid, "description": description, "steps": steps})


# --------------------------------------------------------------------------------------------- one rule per case

case("leaf_scale", "a leaf's hook runs before accumulation: the replacement accumulates",
     [leaf("x", [1.0, 2.0, -0.5]), hook("x", "record_scale", "h", value=2.0, record="r"),
      op("mul_scalar", ["x"], "y", value=3.0), op("sum", ["y"], "s"), bw("s")])
case("nonleaf_scale", "a non-leaf's replacement flows on into its grad_fn",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), hook("y", "scale", "h", value=5.0),
      op("mul_scalar", ["y"], "z", value=3.0), op("sum", ["z"], "s"), bw("s")])
case("order", "hooks run in registration order, each on the previous one's result",
     [leaf("x", [1.0, 1.0]), hook("x", "add", "h1", value=1.0), hook("x", "record", "h2", record="r"),
      hook("x", "scale", "h3", value=10.0), op("mul_scalar", ["x"], "y", value=3.0), op("sum", ["y"], "s"), bw("s")])
case("keep_none", "a hook returning None keeps the gradient",
     [leaf("x", [1.5, -2.0], dtype="float64"), hook("x", "keep", "h"), op("mul", ["x", "x"], "y"),
      op("sum", ["y"], "s"), bw("s")])
case("used_twice", "a tensor used twice: its hook sees the summed gradient once",
     [leaf("x", [1.0, 2.0]), hook("x", "record_scale", "h", value=2.0, record="r"),
      op("mul_scalar", ["x"], "a", value=3.0), op("mul", ["x", "x"], "b"), op("add", ["a", "b"], "c"),
      op("sum", ["c"], "s"), bw("s")])
case("root_hook", "a hook on the root sees the gradient backward starts with",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), hook("y", "record_scale", "h", value=2.0,
                                                                            record="r"),
      bw("y", gradient=vec([1.0, 5.0]))])
case("scalar_root_hook", "a hook on a 0-dim root sees the implicit gradient 1",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), op("sum", ["y"], "s"),
      hook("s", "record_scale", "h", value=2.0, record="r"), bw("s")])
case("leaf_root_hook", "backward of a leaf itself runs its hooks",
     [leaf("x", [1.0, 1.0]), hook("x", "add", "h", value=1.0), bw("x", gradient=vec([1.0, 1.0]))])
case("hook_then_retain", "retain_grad() after a hook keeps the hooked gradient",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), hook("y", "scale", "h", value=5.0),
      op("retain_grad", ["y"]), op("mul_scalar", ["y"], "z", value=3.0), op("sum", ["z"], "s"), bw("s")])
case("retain_then_hook", "retain_grad() before a hook keeps the unhooked gradient (1.13)",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), op("retain_grad", ["y"]),
      hook("y", "scale", "h", value=5.0), op("mul_scalar", ["y"], "z", value=3.0), op("sum", ["z"], "s"), bw("s")])
case("hook_retain_hook", "a hook registered after retain_grad() still runs before it when the first hook came first",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), hook("y", "scale", "h1", value=10.0),
      op("retain_grad", ["y"]), hook("y", "add", "h2", value=1.0), op("mul_scalar", ["y"], "z", value=3.0),
      op("sum", ["z"], "s"), bw("s")])
case("leaf_retain", "retain_grad() on a leaf changes nothing",
     [leaf("x", [1.0, 2.0]), op("retain_grad", ["x"]), hook("x", "scale", "h", value=5.0),
      op("mul_scalar", ["x"], "y", value=3.0), op("sum", ["y"], "s"), bw("s")])
case("inplace_after_hook", "hooks stay on the node of their first registration across an in-place op",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0),
      hook("y", "record_scale", "h1", value=10.0, record="r1"), op("mul_", ["y"], value=3.0),
      hook("y", "record", "h2", record="r2"), hook("y", "add", "h3", value=100.0),
      op("mul_scalar", ["y"], "z", value=5.0), op("sum", ["z"], "s"), bw("s")])
case("inplace_before_hook", "a first hook registered after an in-place op sees the written value's gradient",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), op("mul_", ["y"], value=3.0),
      hook("y", "record_scale", "h", value=10.0, record="r"), op("mul_scalar", ["y"], "z", value=5.0),
      op("sum", ["z"], "s"), bw("s")])
case("retain_inplace_hook", "retain_grad() moves with an in-place op; a hook registered after it comes after it",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), op("retain_grad", ["y"]),
      op("mul_", ["y"], value=3.0), hook("y", "scale", "h", value=10.0), op("mul_scalar", ["y"], "z", value=3.0),
      op("sum", ["z"], "s"), bw("s")])
case("hook_inplace_retain", "hook, in-place op, retain_grad(): the retained gradient is the written value's",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), hook("y", "scale", "h", value=10.0),
      op("mul_", ["y"], value=3.0), op("retain_grad", ["y"]), op("mul_scalar", ["y"], "z", value=3.0),
      op("sum", ["z"], "s"), bw("s")])
case("retain_hook_inplace", "retain_grad(), hook, in-place op: the retained gradient moves, the hook stays",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), op("retain_grad", ["y"]),
      hook("y", "record_scale", "h", value=10.0, record="r"), op("mul_", ["y"], value=3.0),
      op("mul_scalar", ["y"], "z", value=5.0), op("sum", ["z"], "s"), bw("s")])
case("inplace_tensor_operand", "an in-place op with a tensor operand on a hooked non-leaf",
     [leaf("x", [1.0, 2.0]), leaf("w", [0.5, -1.0]), op("mul_scalar", ["x"], "y", value=2.0),
      hook("y", "record_scale", "h", value=2.0, record="r"), op("add_", ["y", "w"]), op("mul", ["y", "y"], "z"),
      op("sum", ["z"], "s"), bw("s")])
case("base_hook_view_inplace", "a hook on a base stays on its old node when a view of it is written in place",
     [leaf("x", [1.0, 2.0, 3.0]), op("mul_scalar", ["x"], "y", value=2.0),
      hook("y", "record_scale", "h", value=10.0, record="r"), op("slice", ["y"], "v", dim=0, start=1, end=3),
      op("mul_", ["v"], value=3.0), op("mul_scalar", ["y"], "z", value=5.0), op("sum", ["z"], "s"), bw("s")])
case("view_hook_view_inplace", "a hook on a view no longer runs once the view is written in place",
     [leaf("x", [1.0, 2.0, 3.0]), op("mul_scalar", ["x"], "y", value=2.0),
      op("slice", ["y"], "v", dim=0, start=1, end=3), hook("v", "record_scale", "h", value=10.0, record="r"),
      op("mul_", ["v"], value=3.0), op("mul_scalar", ["y"], "z", value=5.0), op("sum", ["z"], "s"), bw("s")])
case("view_hook_base_inplace", "a hook on a view no longer runs once its base is written in place",
     [leaf("x", [1.0, 2.0, 3.0]), op("mul_scalar", ["x"], "y", value=2.0),
      op("slice", ["y"], "v", dim=0, start=1, end=3), hook("v", "record_scale", "h", value=10.0, record="r"),
      op("mul_", ["y"], value=3.0), op("mul_scalar", ["v"], "z", value=5.0), op("sum", ["z"], "s"), bw("s")])
case("view_hook_after_base_inplace", "a hook registered on a view after its base was written attaches to the new node",
     [leaf("x", [1.0, 2.0, 3.0]), op("mul_scalar", ["x"], "y", value=2.0),
      op("slice", ["y"], "v", dim=0, start=1, end=3), op("mul_", ["y"], value=3.0),
      hook("v", "record_scale", "h", value=10.0, record="r"), op("mul_scalar", ["v"], "z", value=5.0),
      op("sum", ["z"], "s"), bw("s")])
case("view_of_leaf", "a hook on a view of a leaf runs only when backward goes through the view",
     [leaf("x", [1.0, 2.0, 3.0]), op("slice", ["x"], "v", dim=0, start=1, end=3),
      hook("v", "scale", "h", value=10.0), op("mul_scalar", ["x"], "z", value=5.0), op("sum", ["z"], "s"),
      bw("s"), op("mul_scalar", ["v"], "w", value=5.0), op("sum", ["w"], "t"), bw("t")])
case("view_reshaped", "a hook on a view() of a non-leaf",
     [leaf("x", [1.0, 2.0, 3.0, 4.0], shape=[2, 2]), op("mul_scalar", ["x"], "y", value=2.0),
      op("view", ["y"], "v", shape=[4]), hook("v", "record_scale", "h", value=-1.0, record="r"),
      op("mul", ["v", "v"], "z"), op("sum", ["z"], "s"), bw("s")])
case("retain_graph_repeat", "hooks run on every pass of a retained graph until removed",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), hook("y", "record_scale", "h", value=10.0,
                                                                            record="r"),
      op("mul_scalar", ["y"], "z", value=3.0), op("sum", ["z"], "s"), bw("s", True), bw("s", True),
      {"op": "remove", "handle": "h"}, bw("s")])
case("remove_during_pass", "a hook removed by an earlier hook of the same tensor still runs in that pass only",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), hook("y", "remove", "h1", target="h2"),
      hook("y", "record_scale", "h2", value=10.0, record="r"), op("mul_scalar", ["y"], "z", value=3.0),
      op("sum", ["z"], "s"), bw("s", True), op("zero_grad", ["x"]), bw("s")])
case("remove_self", "a hook that removes itself runs in that pass only",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), hook("y", "remove", "h1", target="h1"),
      hook("y", "scale", "h2", value=10.0), op("mul_scalar", ["y"], "z", value=3.0), op("sum", ["z"], "s"),
      bw("s", True), bw("s")])
case("remove_other_tensor_during_pass", "a hook removing a later tensor's hook during the pass stops it at once",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), op("mul_scalar", ["y"], "z", value=3.0),
      hook("z", "remove", "hz", target="hy"), hook("y", "scale", "hy", value=10.0), op("sum", ["z"], "s"), bw("s")])
case("register_during_pass", "a hook registered on the same tensor during the pass runs from the next pass",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), hook("y", "register", "h", target="y",
                                                                            value=10.0),
      op("mul_scalar", ["y"], "z", value=3.0), op("sum", ["z"], "s"), bw("s", True), bw("s")])
case("register_on_later_tensor_during_pass", "a hook registered during the pass on a tensor backward reaches later",
     [leaf("x", [1.0, 2.0]), op("mul_scalar", ["x"], "y", value=2.0), op("mul_scalar", ["y"], "z", value=3.0),
      hook("z", "register", "h", target="y", value=10.0), op("sum", ["z"], "s"), bw("s")])
case("remove_then_backward", "a removed hook does not run; removing twice is harmless",
     [leaf("x", [1.0, 2.0]), hook("x", "scale", "h", value=10.0), {"op": "remove", "handle": "h"},
      {"op": "remove", "handle": "h"}, op("mul_scalar", ["x"], "y", value=3.0), op("sum", ["y"], "s"), bw("s")])
case("leaf_requires_grad_off", "a leaf's hooks do not run while it no longer requires grad, and run again after",
     [leaf("x", [2.0]), hook("x", "record_scale", "h", value=10.0, record="r"), op("mul_scalar", ["x"], "y", value=3.0),
      op("sum", ["y"], "s"), op("requires_grad_", ["x"], flag=False), bw("s", True),
      op("requires_grad_", ["x"], flag=True), bw("s")])
case("no_requires_grad", "a tensor that does not require grad takes no hook",
     [leaf("x", [1.0, 2.0], rg=False), hook("x", "scale", "h", value=2.0)])
case("no_grad_result", "a result made under no_grad does not require grad: no hook",
     [leaf("x", [1.0, 2.0]), dict(op("mul_scalar", ["x"], "y", value=2.0), no_grad=True),
      hook("y", "scale", "h", value=2.0)])
case("wrong_shape_leaf", "a leaf hook returning another shape: torch's message",
     [leaf("x", [1.0, 1.0]), hook("x", "wrong_shape", "h"), op("mul_scalar", ["x"], "y", value=3.0),
      op("sum", ["y"], "s"), bw("s")])
case("wrong_shape_nonleaf", "a non-leaf hook returning another shape: torch's message",
     [leaf("x", [1.0, 1.0]), op("mul_scalar", ["x"], "y", value=2.0), hook("y", "wrong_shape", "h"),
      op("sum", ["y"], "s"), bw("s")])
case("wrong_dtype_leaf", "a leaf hook returning another dtype: torch's message",
     [leaf("x", [1.0, 1.0]), hook("x", "wrong_dtype", "h"), op("mul_scalar", ["x"], "y", value=3.0),
      op("sum", ["y"], "s"), bw("s")])
case("wrong_dtype_nonleaf_f64", "a float64 non-leaf hook returning float32: torch's message",
     [leaf("x", [1.0, 1.0], dtype="float64"), op("mul_scalar", ["x"], "y", value=2.0), hook("y", "wrong_dtype", "h"),
      op("sum", ["y"], "s"), bw("s")])
case("throw_all_or_nothing", "a hook that throws: each leaf fully updated or untouched, the graph kept",
     [leaf("a", [1.0, 1.0]), leaf("b", [1.0, 1.0]), op("mul_scalar", ["a"], "y", value=2.0),
      hook("y", "throw_once", "h"), op("mul", ["y", "b"], "z"), op("sum", ["z"], "s"), bw("s", True),
      bw("s", True), bw("s")])
case("throw_leaf", "a leaf hook that throws leaves that leaf untouched; the retained graph is backwarded again",
     [leaf("a", [1.0, 2.0]), leaf("b", [3.0, 4.0]), hook("a", "throw_once", "h"), op("mul", ["a", "b"], "z"),
      op("sum", ["z"], "s"), bw("s", True), bw("s")])
case("throw_without_retain", "a hook that throws in a pass that does not retain the graph",
     [leaf("a", [1.0, 2.0]), op("mul_scalar", ["a"], "y", value=2.0), hook("y", "throw_once", "h"),
      op("sum", ["y"], "s"), bw("s")])
case("grad_mode_in_hook", "hooks run with grad mode off; a no_grad block inside restores it off",
     [leaf("x", [1.0, 2.0]), leaf("w", [3.0, 3.0]), op("mul", ["x", "w"], "y"),
      hook("y", "grad_mode", "h", value=2.0, record="r"), op("sum", ["y"], "s"), bw("s")])
case("exp_chain", "hooks on a chain with a transcendental op (tolerance)",
     [leaf("x", [0.25, -0.5, 1.0], dtype="float64"), op("exp", ["x"], "y"), hook("y", "record_scale", "h",
                                                                                   value=0.5, record="r"),
      op("mul", ["y", "x"], "z"), op("sum", ["z"], "s"), bw("s")])
case("float32_exp_chain", "float32 hooks on a chain with exp (tolerance)",
     [leaf("x", [0.25, -0.5, 1.0]), op("exp", ["x"], "y"), hook("x", "record_scale", "h", value=-2.0, record="r"),
      hook("y", "add", "h2", value=0.5), op("sum", ["y"], "s"), bw("s")])


# ------------------------------------------------------------------------------------------- seeded mixed programs

def mixed(seed):
    """A random program combining hooks with ops, retain_grad, in-place writes, views, removal and repeated backward."""
    r = random.Random(seed)
    steps, live, handles, n = [], [], [], [0]
    size, leafy = {}, set()  # each name's length; leaves and views of leaves (not written in place)

    def fresh():
        n[0] += 1
        return f"t{n[0]}"

    dtype = r.choice(["float32", "float32", "float64"])
    length = r.choice([2, 3, 4])
    for _ in range(r.randint(1, 2)):
        name = fresh()
        steps.append(leaf(name, [r.choice([-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0]) for _ in range(length)],
                          dtype=dtype))
        live.append(name)
        size[name] = length
        leafy.add(name)
    rec = 0
    for _ in range(r.randint(4, 9)):
        k = r.choice(["op", "op", "op", "hook", "hook", "hook", "retain", "inplace", "view", "remove"])
        x = r.choice(live[-3:])
        if k == "op":
            o = r.choice(["mul", "add", "mul_scalar", "add_scalar"])
            out = fresh()
            partners = [t for t in live if size[t] == size[x]]
            if o in ("mul", "add"):
                steps.append(op(o, [x, r.choice(partners)], out))
            else:
                steps.append(op(o, [x], out, value=r.choice([0.5, 2.0, -1.0, 3.0])))
            live.append(out)
            size[out] = size[x]
        elif k == "hook":
            kind = r.choice(["scale", "add", "record", "record_scale", "keep"])
            h = f"h{len(handles) + 1}"
            kw = {}
            if kind in ("scale", "record_scale"):
                kw["value"] = r.choice([0.5, 2.0, -1.0, 4.0])
            if kind == "add":
                kw["value"] = r.choice([0.25, 1.0, -0.5])
            if kind.startswith("record"):
                rec += 1
                kw["record"] = f"r{rec}"
            steps.append(hook(x, kind, h, **kw))
            handles.append(h)
        elif k == "retain":
            steps.append(op("retain_grad", [x]))
        elif k == "inplace" and x not in leafy:
            steps.append(op("mul_", [x], value=r.choice([2.0, -0.5])))
        elif k == "view" and size[x] > 1:
            out = fresh()
            start = r.randint(0, 1)
            steps.append(op("slice", [x], out, dim=0, start=start, end=size[x]))
            live.append(out)
            size[out] = size[x] - start
            if x in leafy:
                leafy.add(out)
        elif k == "remove" and handles:
            steps.append({"op": "remove", "handle": r.choice(handles)})
    s = fresh()
    steps.append(op("sum", [live[-1]], s))
    steps.append(bw(s, True))
    if r.random() < 0.5 and handles:
        steps.append({"op": "remove", "handle": r.choice(handles)})
    steps.append(bw(s, r.random() < 0.5))
    return steps


for i in range(120):
    case(f"mix_{i:03d}", "a seeded program mixing hooks, retain_grad, in-place ops, views and repeated backward",
         mixed(1000 + i))


# ------------------------------------------------------------------------------------------------------------- main

def realize(c):
    steps = Run().execute(c)
    return {"id": c["id"], "description": c["description"], "steps": steps,
            "exact": not any(s["op"] == "exp" for s in steps)}


def main():
    cases = [realize(c) for c in CASES]
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids))
    with open(os.path.join(HERE, "hooks.json"), "w") as f:
        f.write(json.dumps({"generator": "gen_hooks.py", "torch": torch.__version__})[:-1] + ', "cases": [\n')
        f.write(",\n".join(json.dumps(c, allow_nan=False) for c in cases))
        f.write("\n]}\n")
    raising = sum(1 for c in cases if any("error" in s for s in c["steps"]))
    print("cases:", len(cases), "of which raising:", raising)


if __name__ == "__main__":
    main()
