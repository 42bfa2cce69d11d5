#!/usr/bin/python3
"""Writes the PyTorch goldens for vectorgrad's nn package (modules, losses, init rules, state dicts).

    /usr/bin/python3 src/test/resources/golden/nn/gen_nn.py     (PyTorch 1.13; writes nn.json beside this file)

nn.json holds, replayed by PyTorchGoldenNnTest:

  modules   a module built from "module" + "args" (the Java test has the same constructor per name), its repr,
            its named_parameters() names and state_dict() keys in order, the state loaded into the Java module
            (torch's initial weights: seeds do not match across the two libraries), the mode (train/eval), one
            input, the output, an upstream gradient "grad_out", and after output.backward(grad_out): the input's
            grad, each parameter's grad (null where torch has None), the buffers, and torch's grad_fn name
            (informational: vectorgrad composes several of these layers from other ops).
  losses    a loss function "fn" (F.<fn>) with keyword arguments, input / target (and weight / pos_weight),
            the output, "grad_out" and the input's and target's grads; also replayed through the loss module.
  bn_runs   BatchNorm1d over several steps in train mode and then eval: each step's output and buffers.
  state     state_dict key lists, load_state_dict error texts (the dict that was loaded is described by
            "drop" / "add" / "resize" edits of the module's own state dict), and strict=False results.
  init      the fan/gain rules: for each init call the distribution torch's rules give (uniform bound or normal
            std), with torch's own samples checked against it here; calculate_gain values.
  errors    exception type and full message of bad calls; PyTorchGoldenNnTest holds the Java version of each id.

Tensors are {"shape", "dtype", "values"} with values row-major (Python's float repr, exact; "NaN"/"Infinity"
strings where needed). Inputs are drawn from a generator seeded by the crc32 of the case id.
"""
import json
import math
import os
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

assert torch.__version__.startswith("1.13"), torch.__version__

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}
DTYPES = {v: k for k, v in DTYPE_NAMES.items()}


def enc_value(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def enc(t):
    if t is None:
        return None
    t = t.detach()
    vals = t.reshape(-1).tolist()
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "values": [enc_value(v) for v in vals]}


def gen_for(case_id):
    return torch.Generator().manual_seed(zlib.crc32(case_id.encode()))


def randn(g, shape, dtype):
    return torch.randn(tuple(shape), generator=g, dtype=torch.float64).to(dtype)


def rand(g, shape, dtype):
    return torch.rand(tuple(shape), generator=g, dtype=torch.float64).to(dtype)


# ------------------------------------------------------------------------------------------------------------ modules

class Net(nn.Module):
    """A user-written module; PyTorchGoldenNnTest has its Java twin (same registration order)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.act = nn.GELU()
        self.scale = nn.Parameter(torch.ones(6))
        self.register_buffer("offset", torch.zeros(6))
        self.head = nn.Sequential(nn.LayerNorm(6), nn.Linear(6, 3))

    def forward(self, x):
        return self.head(self.act(self.fc1(x)) * self.scale + self.offset)


def build(name, args):
    a = args
    if name == "Linear":
        return nn.Linear(a["in"], a["out"], bias=a.get("bias", True))
    if name == "ReLU":
        return nn.ReLU()
    if name == "GELU":
        return nn.GELU(approximate=a.get("approximate", "none"))
    if name == "Tanh":
        return nn.Tanh()
    if name == "Sigmoid":
        return nn.Sigmoid()
    if name == "SiLU":
        return nn.SiLU()
    if name == "Dropout":
        return nn.Dropout(a["p"])
    if name == "Flatten":
        return nn.Flatten(a.get("start_dim", 1), a.get("end_dim", -1))
    if name == "LayerNorm":
        return nn.LayerNorm(tuple(a["shape"]), eps=a.get("eps", 1e-5), elementwise_affine=a.get("affine", True))
    if name == "Embedding":
        return nn.Embedding(a["num"], a["dim"], padding_idx=a.get("padding_idx"))
    if name == "BatchNorm1d":
        return nn.BatchNorm1d(a["n"], eps=a.get("eps", 1e-5), momentum=a.get("momentum", 0.1),
                              affine=a.get("affine", True), track_running_stats=a.get("track", True))
    if name == "Sequential":
        return nn.Sequential(*[build(m["module"], m.get("args", {})) for m in a["modules"]])
    if name == "Net":
        return Net()
    raise ValueError(name)


def perturb_state(module, g, dtype):
    """Non-trivial parameters and running stats (fresh LayerNorm/BatchNorm weights are ones and zeros)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if "weight" in name or "bias" in name or "scale" in name:
                p.copy_(randn(g, p.shape, dtype) * 0.5 + (1.0 if name.endswith("weight") and p.dim() == 1 else 0.0))
        for name, b in module.named_buffers():
            if name.endswith("running_mean") or name.endswith("offset"):
                b.copy_(randn(g, b.shape, dtype) * 0.3)
            elif name.endswith("running_var"):
                b.copy_(rand(g, b.shape, dtype) + 0.5)
            elif name.endswith("num_batches_tracked"):
                b.fill_(7)


def module_case(case_id, name, args, input_shape, dtype=torch.float32, train=True, input_kind="normal",
                indices_high=None, input_values=None, perturb=True):
    g = gen_for(case_id)
    torch.manual_seed(zlib.crc32(case_id.encode()))
    m = build(name, args).to(dtype)
    if perturb:
        perturb_state(m, g, dtype)
    m.train(train)
    state = [[k, enc(v)] for k, v in m.state_dict().items()]
    if input_kind == "indices":
        x = torch.tensor(input_values, dtype=torch.long) if input_values is not None else \
            torch.randint(0, indices_high, tuple(input_shape), generator=g)
        x_req = False
    else:
        x = randn(g, input_shape, dtype).requires_grad_(True)
        x_req = True
    out = m(x)
    grad_out = randn(g, out.shape, dtype)
    out.backward(grad_out)
    return {
        "id": case_id, "module": name, "args": args, "dtype": DTYPE_NAMES[dtype], "train": train,
        "repr": repr(m),
        "param_names": [k for k, _ in m.named_parameters()],
        "state_keys": list(m.state_dict().keys()),
        "state": state,
        "input": enc(x), "input_requires_grad": x_req,
        "output": enc(out), "grad_fn": out.grad_fn.name() if out.grad_fn is not None else None,
        "output_is_input": out is x,
        "grad_out": enc(grad_out),
        "input_grad": enc(x.grad) if x_req else None,
        "param_grads": [[k, enc(p.grad)] for k, p in m.named_parameters()],
        "buffers_after": [[k, enc(b)] for k, b in m.named_buffers()],
    }


def modules():
    c = []
    f32, f64 = torch.float32, torch.float64
    c.append(module_case("linear_f32", "Linear", {"in": 3, "out": 4}, (5, 3), f32))
    c.append(module_case("linear_f64", "Linear", {"in": 3, "out": 4}, (5, 3), f64))
    c.append(module_case("linear_nobias_f64", "Linear", {"in": 3, "out": 2, "bias": False}, (4, 3), f64))
    c.append(module_case("linear_3d_f64", "Linear", {"in": 3, "out": 2}, (2, 5, 3), f64))
    c.append(module_case("linear_1d_f64", "Linear", {"in": 3, "out": 2}, (3,), f64))
    for act in ["ReLU", "Tanh", "Sigmoid", "SiLU"]:
        c.append(module_case(act.lower() + "_f64", act, {}, (3, 4), f64))
        c.append(module_case(act.lower() + "_f32", act, {}, (3, 4), f32))
    c.append(module_case("gelu_none_f64", "GELU", {"approximate": "none"}, (3, 4), f64))
    c.append(module_case("gelu_tanh_f64", "GELU", {"approximate": "tanh"}, (3, 4), f64))
    c.append(module_case("gelu_none_f32", "GELU", {"approximate": "none"}, (3, 4), f32))
    c.append(module_case("dropout_eval", "Dropout", {"p": 0.25}, (3, 4), f32, train=False))
    c.append(module_case("dropout_p0_train", "Dropout", {"p": 0.0}, (3, 4), f32, train=True))
    c.append(module_case("dropout_p1_train", "Dropout", {"p": 1.0}, (3, 4), f64, train=True))
    c.append(module_case("flatten_default", "Flatten", {}, (2, 3, 4), f64))
    c.append(module_case("flatten_0_1", "Flatten", {"start_dim": 0, "end_dim": 1}, (2, 3, 4), f64))
    c.append(module_case("layernorm_f32", "LayerNorm", {"shape": [4]}, (3, 4), f32))
    c.append(module_case("layernorm_f64", "LayerNorm", {"shape": [4]}, (3, 4), f64))
    c.append(module_case("layernorm_2d_f64", "LayerNorm", {"shape": [3, 4]}, (2, 3, 4), f64))
    c.append(module_case("layernorm_noaffine_f64", "LayerNorm", {"shape": [5], "eps": 1e-3, "affine": False},
                         (2, 3, 5), f64))
    c.append(module_case("embedding_f32", "Embedding", {"num": 10, "dim": 3}, (2, 4), f32, input_kind="indices",
                         input_values=[[1, 2, 1, 9], [0, 2, 2, 2]]))
    c.append(module_case("embedding_f64", "Embedding", {"num": 6, "dim": 4}, (7,), f64, input_kind="indices",
                         indices_high=6))
    c.append(module_case("embedding_padding_f64", "Embedding", {"num": 5, "dim": 2, "padding_idx": 3}, (6,), f64,
                         input_kind="indices", input_values=[3, 1, 3, 0, 4, 1]))
    c.append(module_case("embedding_0d_f64", "Embedding", {"num": 5, "dim": 2}, (), f64, input_kind="indices",
                         input_values=4))
    c.append(module_case("batchnorm_train_2d_f64", "BatchNorm1d", {"n": 3}, (5, 3), f64))
    c.append(module_case("batchnorm_train_3d_f64", "BatchNorm1d", {"n": 3}, (4, 3, 5), f64))
    c.append(module_case("batchnorm_train_2d_f32", "BatchNorm1d", {"n": 4}, (8, 4), f32))
    c.append(module_case("batchnorm_eval_2d_f64", "BatchNorm1d", {"n": 3}, (5, 3), f64, train=False))
    c.append(module_case("batchnorm_eval_3d_f64", "BatchNorm1d", {"n": 3}, (2, 3, 4), f64, train=False))
    c.append(module_case("batchnorm_cumulative_f64", "BatchNorm1d", {"n": 3, "momentum": None}, (6, 3), f64))
    c.append(module_case("batchnorm_noaffine_f64", "BatchNorm1d", {"n": 3, "affine": False}, (6, 3), f64))
    c.append(module_case("batchnorm_notrack_train_f64", "BatchNorm1d", {"n": 3, "track": False}, (6, 3), f64))
    c.append(module_case("batchnorm_notrack_eval_f64", "BatchNorm1d", {"n": 3, "track": False}, (6, 3), f64,
                         train=False))
    c.append(module_case("batchnorm_options_repr", "BatchNorm1d",
                         {"n": 3, "eps": 1e-3, "momentum": 0.25, "affine": True, "track": True}, (6, 3), f64))
    mlp = {"modules": [{"module": "Linear", "args": {"in": 4, "out": 8}}, {"module": "ReLU"},
                       {"module": "Linear", "args": {"in": 8, "out": 3}}]}
    c.append(module_case("sequential_mlp_f32", "Sequential", mlp, (5, 4), f32))
    c.append(module_case("sequential_mlp_f64", "Sequential", mlp, (5, 4), f64))
    nested = {"modules": [{"module": "Linear", "args": {"in": 2, "out": 3}},
                          {"module": "Sequential", "args": {"modules": [
                              {"module": "Tanh"}, {"module": "Linear", "args": {"in": 3, "out": 1}}]}}]}
    c.append(module_case("sequential_nested_f64", "Sequential", nested, (4, 2), f64))
    bnnet = {"modules": [{"module": "Linear", "args": {"in": 4, "out": 5}},
                         {"module": "BatchNorm1d", "args": {"n": 5}}, {"module": "ReLU"},
                         {"module": "Dropout", "args": {"p": 0.5}},
                         {"module": "Linear", "args": {"in": 5, "out": 2}}]}
    c.append(module_case("sequential_bn_eval_f64", "Sequential", bnnet, (6, 4), f64, train=False))
    c.append(module_case("net_custom_f64", "Net", {}, (5, 4), f64))
    return c


# ------------------------------------------------------------------------------------------------------------- losses

def loss_case(case_id, fn, input_shape, target, dtype=torch.float64, weight=None, pos_weight=None, input_kind="normal",
              target_requires_grad=False, **kwargs):
    """target: ("classes", shape, C) | ("values", list) | ("prob", shape) | ("like", kind)."""
    g = gen_for(case_id)
    if input_kind == "probs":
        x = rand(g, input_shape, dtype) * 0.9 + 0.05
    elif input_kind == "values":
        x = torch.tensor(kwargs.pop("input_values"), dtype=dtype)
    else:
        x = randn(g, input_shape, dtype)
    x.requires_grad_(True)
    kind = target[0]
    if kind == "classes":
        t = torch.randint(0, target[2], tuple(target[1]), generator=g)
    elif kind == "values":
        t = torch.tensor(target[1], dtype=torch.long)
    elif kind == "prob":
        t = torch.softmax(randn(g, target[1], dtype) * 2, dim=1 if len(target[1]) > 1 else 0)
    elif kind == "uniform01":
        t = rand(g, input_shape, dtype)
    elif kind == "binary":
        t = (rand(g, input_shape, dtype) > 0.5).to(dtype)
    elif kind == "normal_shape":
        t = randn(g, target[1], dtype)
    elif kind == "float_values":
        t = torch.tensor(target[1], dtype=dtype)
    else:
        t = randn(g, input_shape, dtype)
    if target_requires_grad:
        t.requires_grad_(True)
    w = None if weight is None else torch.tensor(weight, dtype=dtype)
    pw = None if pos_weight is None else torch.tensor(pos_weight, dtype=dtype)
    f = getattr(F, fn)
    kw = dict(kwargs)
    if w is not None:
        kw["weight"] = w
    if pw is not None:
        kw["pos_weight"] = pw
    out = f(x, t, **kw)
    grad_out = randn(g, out.shape, dtype)
    if out.requires_grad:
        out.backward(grad_out)
    return {
        "id": case_id, "fn": fn, "kwargs": kwargs, "dtype": DTYPE_NAMES[dtype],
        "input": enc(x), "target": enc(t), "target_requires_grad": target_requires_grad,
        "weight": enc(w), "pos_weight": enc(pw),
        "output": enc(out), "grad_fn": out.grad_fn.name() if out.grad_fn is not None else None,
        "grad_out": enc(grad_out),
        "input_grad": enc(x.grad), "target_grad": enc(t.grad) if target_requires_grad else None,
    }


def losses():
    c = []
    f32, f64 = torch.float32, torch.float64
    reds = ["mean", "sum", "none"]
    for r in reds:
        for dt, dn in [(f64, "f64"), (f32, "f32")]:
            c.append(loss_case(f"mse_{r}_{dn}", "mse_loss", (3, 4), ("normal",), dt, reduction=r,
                               target_requires_grad=True))
            c.append(loss_case(f"l1_{r}_{dn}", "l1_loss", (3, 4), ("normal",), dt, reduction=r,
                               target_requires_grad=True))
        c.append(loss_case(f"smooth_l1_{r}", "smooth_l1_loss", (4, 5), ("normal",), f64, reduction=r))
        c.append(loss_case(f"smooth_l1_beta_{r}", "smooth_l1_loss", (4, 5), ("normal",), f64, reduction=r, beta=0.4,
                           target_requires_grad=True))
        c.append(loss_case(f"smooth_l1_beta0_{r}", "smooth_l1_loss", (4, 5), ("normal",), f64, reduction=r, beta=0.0))
        c.append(loss_case(f"huber_{r}", "huber_loss", (4, 5), ("normal",), f64, reduction=r))
        c.append(loss_case(f"huber_delta_{r}", "huber_loss", (4, 5), ("normal",), f64, reduction=r, delta=0.3,
                           target_requires_grad=True))
        # classification
        c.append(loss_case(f"ce_{r}_f64", "cross_entropy", (5, 4), ("classes", (5,), 4), f64, reduction=r))
        c.append(loss_case(f"ce_{r}_f32", "cross_entropy", (6, 3), ("classes", (6,), 3), f32, reduction=r))
        c.append(loss_case(f"ce_ignore_{r}", "cross_entropy", (5, 4), ("values", [1, -100, 3, 0, -100]), f64,
                           reduction=r))
        c.append(loss_case(f"ce_ignore_custom_{r}", "cross_entropy", (5, 4), ("values", [1, 2, 3, 0, 2]), f64,
                           reduction=r, ignore_index=2))
        c.append(loss_case(f"ce_weight_{r}", "cross_entropy", (6, 4), ("values", [1, 2, 3, 0, 2, 1]), f64,
                           weight=[0.5, 2.0, 1.5, 0.25], reduction=r))
        c.append(loss_case(f"ce_weight_ignore_{r}", "cross_entropy", (6, 4), ("values", [1, 2, -100, 0, 2, 1]), f64,
                           weight=[0.5, 2.0, 1.5, 0.25], reduction=r))
        c.append(loss_case(f"ce_smooth_{r}", "cross_entropy", (5, 4), ("classes", (5,), 4), f64, reduction=r,
                           label_smoothing=0.1))
        c.append(loss_case(f"ce_smooth_ignore_{r}", "cross_entropy", (5, 4), ("values", [1, -100, 3, 0, 2]), f64,
                           reduction=r, label_smoothing=0.2))
        c.append(loss_case(f"ce_smooth_weight_ignore_{r}", "cross_entropy", (5, 4), ("values", [1, -100, 3, 0, 2]),
                           f64, weight=[0.5, 2.0, 1.5, 0.25], reduction=r, label_smoothing=0.3))
        c.append(loss_case(f"ce_3d_{r}", "cross_entropy", (2, 4, 3), ("values", [[0, 3, -100], [2, 1, 1]]), f64,
                           reduction=r))
        c.append(loss_case(f"ce_4d_weight_{r}", "cross_entropy", (2, 3, 2, 2),
                           ("values", [[[0, 2], [1, 1]], [[2, -100], [0, 1]]]), f64, weight=[1.0, 2.0, 0.5],
                           reduction=r))
        c.append(loss_case(f"ce_1d_{r}", "cross_entropy", (4,), ("values", 2), f64, reduction=r))
        c.append(loss_case(f"ce_1d_ignored_{r}", "cross_entropy", (4,), ("values", -100), f64, reduction=r))
        c.append(loss_case(f"ce_prob_{r}", "cross_entropy", (4, 3), ("prob", (4, 3)), f64, reduction=r))
        c.append(loss_case(f"ce_prob_weight_smooth_{r}", "cross_entropy", (4, 3), ("prob", (4, 3)), f64, reduction=r,
                           weight=[0.5, 2.0, 1.5], label_smoothing=0.2))
        c.append(loss_case(f"ce_negative_smoothing_{r}", "cross_entropy", (4, 3), ("classes", (4,), 3), f64,
                           reduction=r, label_smoothing=-0.5))
        c.append(loss_case(f"ce_prob_negative_smoothing_{r}", "cross_entropy", (4, 3), ("prob", (4, 3)), f64,
                           reduction=r, label_smoothing=-0.5))
        c.append(loss_case(f"ce_all_ignored_{r}", "cross_entropy", (3, 4), ("values", [-100, -100, -100]), f64,
                           reduction=r))
        c.append(loss_case(f"ce_all_ignored_smooth_{r}", "cross_entropy", (3, 4), ("values", [-100, -100, -100]), f64,
                           reduction=r, label_smoothing=0.1))
        c.append(loss_case(f"ce_empty_{r}", "cross_entropy", (0, 4), ("values", []), f64, reduction=r))
        c.append(loss_case(f"ce_empty_smooth_{r}", "cross_entropy", (0, 4), ("values", []), f64, reduction=r,
                           label_smoothing=0.1))
        c.append(loss_case(f"nll_{r}", "nll_loss", (5, 4), ("classes", (5,), 4), f64, reduction=r))
        c.append(loss_case(f"nll_weight_ignore_{r}", "nll_loss", (6, 4), ("values", [1, 2, -100, 0, 2, 1]), f64,
                           weight=[0.5, 2.0, 1.5, 0.25], reduction=r))
        c.append(loss_case(f"nll_zero_weights_{r}", "nll_loss", (3, 4), ("values", [1, 2, 0]), f64,
                           weight=[0.0, 0.0, 0.0, 1.0], reduction=r))
        c.append(loss_case(f"nll_3d_ignore_{r}", "nll_loss", (2, 3, 4), ("values", [[0, 2, 1, -100], [2, 2, 0, 1]]),
                           f64, reduction=r))
        c.append(loss_case(f"nll_empty_{r}", "nll_loss", (0, 3), ("values", []), f64, reduction=r))
        # binary
        c.append(loss_case(f"bce_{r}_f64", "binary_cross_entropy", (3, 4), ("uniform01",), f64, input_kind="probs",
                           reduction=r, target_requires_grad=True))
        c.append(loss_case(f"bce_{r}_f32", "binary_cross_entropy", (3, 4), ("binary",), f32, input_kind="probs",
                           reduction=r))
        c.append(loss_case(f"bce_weight_{r}", "binary_cross_entropy", (3, 4), ("uniform01",), f64, input_kind="probs",
                           weight=[0.5, 1.0, 2.0, 0.25], reduction=r))
        c.append(loss_case(f"bce_saturated_{r}", "binary_cross_entropy", (6,), ("float_values", [0, 1, 1, 0, 1, 0.5]),
                           f32, input_kind="values", input_values=[0.0, 1.0, 0.0, 1.0, 1e-30, 0.5], reduction=r))
        c.append(loss_case(f"bce_logits_{r}_f64", "binary_cross_entropy_with_logits", (3, 4), ("uniform01",), f64,
                           reduction=r, target_requires_grad=True))
        c.append(loss_case(f"bce_logits_{r}_f32", "binary_cross_entropy_with_logits", (3, 4), ("binary",), f32,
                           reduction=r))
        c.append(loss_case(f"bce_logits_posweight_{r}", "binary_cross_entropy_with_logits", (3, 4), ("uniform01",),
                           f64, pos_weight=[1.0, 3.0, 0.5, 2.0], weight=[1.0, 0.5, 2.0, 1.5], reduction=r,
                           target_requires_grad=True))
        c.append(loss_case(f"bce_logits_large_{r}", "binary_cross_entropy_with_logits", (5,),
                           ("float_values", [1, 0, 1, 0, 1]), f32, input_kind="values",
                           input_values=[60.0, 60.0, -60.0, -60.0, 0.0], reduction=r))
        c.append(loss_case(f"mse_empty_{r}", "mse_loss", (0,), ("normal",), f64, reduction=r))
    c.append(loss_case("mse_broadcast", "mse_loss", (3, 1), ("normal_shape", (3,)), f64))
    return c


# ---------------------------------------------------------------------------------------------------------- BN runs

def bn_run(case_id, args, shapes, dtype, eval_shape):
    g = gen_for(case_id)
    m = build("BatchNorm1d", args).to(dtype)
    perturb_state(m, g, dtype)
    with torch.no_grad():
        if m.track_running_stats:
            m.running_mean.zero_()
            m.running_var.fill_(1)
            m.num_batches_tracked.zero_()
    state = [[k, enc(v)] for k, v in m.state_dict().items()]
    steps = []
    for i, shape in enumerate(shapes + [eval_shape]):
        train = i < len(shapes)
        m.train(train)
        x = randn(g, shape, dtype) * 2 + 1
        out = m(x)
        steps.append({"train": train, "input": enc(x), "output": enc(out),
                      "buffers": [[k, enc(b)] for k, b in m.named_buffers()]})
    return {"id": case_id, "args": args, "dtype": DTYPE_NAMES[dtype], "state": state, "steps": steps}


def bn_runs():
    return [
        bn_run("bn_run_2d_f64", {"n": 3}, [(4, 3), (6, 3), (2, 3), (5, 3)], torch.float64, (3, 3)),
        bn_run("bn_run_3d_f64", {"n": 2}, [(3, 2, 4), (2, 2, 5), (4, 2, 1)], torch.float64, (2, 2, 3)),
        bn_run("bn_run_cumulative_f64", {"n": 3, "momentum": None}, [(4, 3), (6, 3), (3, 3)], torch.float64, (2, 3)),
        bn_run("bn_run_2d_f32", {"n": 4}, [(8, 4), (8, 4), (8, 4)], torch.float32, (3, 4)),
    ]


# ------------------------------------------------------------------------------------------------------------ state

def expect_error(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001
        # str(KeyError) is the repr of its argument: record the text itself
        return {"type": type(e).__name__, "message": e.args[0] if isinstance(e, KeyError) else str(e)}
    return None


def load_case(case_id, name, args, drop=(), add=(), resize=(), strict=True):
    """Loads into `name` a plain dict made from its own state dict with keys dropped / added / resized."""
    m = build(name, args)
    sd = dict(m.state_dict())  # a plain dict: no _metadata, as a Java map
    for k in drop:
        del sd[k]
    for k in add:
        sd[k] = torch.zeros(2)
    for k in resize:
        v = sd[k]
        sd[k] = torch.zeros(tuple(s + 1 for s in v.shape)) if v.dim() > 0 else torch.zeros(1, 1)
    result = {"id": case_id, "module": name, "args": args, "drop": list(drop), "add": list(add),
              "resize": list(resize), "strict": strict, "keys_loaded": list(sd.keys())}
    try:
        r = m.load_state_dict(sd, strict=strict)
        result["error"] = None
        result["missing"] = list(r.missing_keys)
        result["unexpected"] = list(r.unexpected_keys)
    except Exception as e:  # noqa: BLE001
        result["error"] = {"type": type(e).__name__, "message": str(e)}
    return result


def state():
    mlp = {"modules": [{"module": "Linear", "args": {"in": 4, "out": 8}}, {"module": "ReLU"},
                       {"module": "Linear", "args": {"in": 8, "out": 3}}]}
    bnnet = {"modules": [{"module": "Linear", "args": {"in": 4, "out": 5}},
                         {"module": "BatchNorm1d", "args": {"n": 5}}, {"module": "ReLU"},
                         {"module": "Linear", "args": {"in": 5, "out": 2}}]}
    keys = []
    for cid, name, args in [("mlp", "Sequential", mlp), ("bnnet", "Sequential", bnnet), ("net", "Net", {}),
                            ("bn", "BatchNorm1d", {"n": 3}), ("bn_notrack", "BatchNorm1d", {"n": 3, "track": False}),
                            ("ln_noaffine", "LayerNorm", {"shape": [4], "affine": False}),
                            ("linear_nobias", "Linear", {"in": 2, "out": 3, "bias": False})]:
        m = build(name, args)
        keys.append({"id": cid, "module": name, "args": args, "state_keys": list(m.state_dict().keys()),
                     "param_names": [k for k, _ in m.named_parameters()],
                     "buffer_names": [k for k, _ in m.named_buffers()],
                     "children": [k for k, _ in m.named_children()],
                     "modules": [k for k, _ in m.named_modules()]})
    loss_keys = [
        {"id": "ce_weight", "keys": list(nn.CrossEntropyLoss(weight=torch.ones(3)).state_dict().keys())},
        {"id": "ce", "keys": list(nn.CrossEntropyLoss().state_dict().keys())},
        {"id": "bce_logits_pos", "keys": list(nn.BCEWithLogitsLoss(pos_weight=torch.ones(3)).state_dict().keys())},
        {"id": "bce_logits_both",
         "keys": list(nn.BCEWithLogitsLoss(weight=torch.ones(3), pos_weight=torch.ones(3)).state_dict().keys())},
    ]
    loads = [
        load_case("ok_mlp", "Sequential", mlp),
        load_case("missing_one", "Sequential", mlp, drop=["2.bias"]),
        load_case("missing_two", "Sequential", mlp, drop=["0.weight", "2.bias"]),
        load_case("unexpected_one", "Sequential", mlp, add=["3.weight"]),
        load_case("unexpected_nested", "Sequential", mlp, add=["0.extra", "zzz"]),
        load_case("missing_and_unexpected", "Sequential", mlp, drop=["0.bias"], add=["0.bogus"]),
        load_case("size_mismatch", "Sequential", mlp, resize=["0.weight"]),
        load_case("size_mismatch_two", "Sequential", mlp, resize=["0.weight", "2.bias"]),
        load_case("size_and_missing", "Sequential", mlp, drop=["2.weight"], resize=["0.bias"]),
        load_case("linear_bias_none", "Linear", {"in": 2, "out": 3, "bias": False}, add=["bias"]),
        load_case("bn_missing_nbt", "BatchNorm1d", {"n": 3}, drop=["num_batches_tracked"]),
        load_case("bn_missing_mean", "BatchNorm1d", {"n": 3}, drop=["running_mean"]),
        load_case("bn_resize_nbt", "BatchNorm1d", {"n": 3}, resize=["num_batches_tracked"]),
        load_case("nonstrict", "Sequential", mlp, drop=["0.weight"], add=["9.x"], strict=False),
        load_case("nonstrict_size", "Sequential", mlp, resize=["0.bias"], strict=False),
        load_case("net_missing", "Net", {}, drop=["scale", "offset", "head.0.weight"]),
    ]
    return {"keys": keys, "loss_keys": loss_keys, "loads": loads}


# ------------------------------------------------------------------------------------------------------------- init

def init():
    rules = []

    def fans(shape):
        return nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))

    def record(fn, shape, kind, value, **kw):
        t = torch.empty(shape)
        getattr(nn.init, fn)(t, **kw)
        # torch's own samples follow the rule (a sanity check of the rule, not of the stream)
        if kind == "uniform":
            assert t.abs().max().item() <= value * (1 + 1e-6), (fn, shape, kw)
            assert t.abs().max().item() > 0.95 * value, (fn, shape, kw)
        else:
            assert abs(t.std().item() - value) < 0.05 * value, (fn, shape, kw, t.std().item(), value)
        rules.append({"fn": fn, "shape": list(shape), "kwargs": kw, "kind": kind, "value": value,
                      "fan_in": fans(shape)[0], "fan_out": fans(shape)[1]})

    for shape in [(256, 512), (128, 64, 3, 3), (400, 300)]:
        fi, fo = fans(shape)
        record("xavier_uniform_", shape, "uniform", math.sqrt(6.0 / (fi + fo)))
        record("xavier_uniform_", shape, "uniform", 2.5 * math.sqrt(6.0 / (fi + fo)), gain=2.5)
        record("xavier_normal_", shape, "normal", math.sqrt(2.0 / (fi + fo)))
        record("xavier_normal_", shape, "normal", nn.init.calculate_gain("tanh") * math.sqrt(2.0 / (fi + fo)),
               gain=nn.init.calculate_gain("tanh"))
        for mode in ["fan_in", "fan_out"]:
            fan = fi if mode == "fan_in" else fo
            for nl, a in [("leaky_relu", 0.0), ("leaky_relu", math.sqrt(5)), ("relu", 0.0), ("tanh", 0.0),
                          ("linear", 0.0), ("leaky_relu", 0.2)]:
                gain = nn.init.calculate_gain(nl, a)
                record("kaiming_uniform_", shape, "uniform", gain * math.sqrt(3.0 / fan), a=a, mode=mode,
                       nonlinearity=nl)
                record("kaiming_normal_", shape, "normal", gain / math.sqrt(fan), a=a, mode=mode, nonlinearity=nl)
        record("uniform_", shape, "uniform", 0.7, a=-0.7, b=0.7)
        record("normal_", shape, "normal", 0.3, mean=0.0, std=0.3)
    # Linear's default init: kaiming_uniform_(a=sqrt(5)) => bound 1/sqrt(fan_in); bias bound 1/sqrt(fan_in)
    linear = []
    for fi, fo in [(784, 256), (64, 128), (3, 2)]:
        lin = nn.Linear(fi, fo)
        bound = 1 / math.sqrt(fi)
        assert lin.weight.abs().max().item() <= bound and lin.bias.abs().max().item() <= bound
        linear.append({"in": fi, "out": fo, "weight_bound": bound, "bias_bound": bound})
    gains = []
    for nl, p in [("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None), ("conv_transpose1d", None),
                  ("conv_transpose2d", None), ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None),
                  ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)),
                  ("selu", None)]:
        gains.append({"nonlinearity": nl, "param": p, "gain": nn.init.calculate_gain(nl, p)})
    return {"rules": rules, "linear": linear, "gains": gains}


# ----------------------------------------------------------------------------------------------------------- errors

def errors():
    out = []

    def add(eid, f):
        e = expect_error(f)
        assert e is not None, eid
        out.append({"id": eid, **e})

    x = torch.randn(3, 5)
    add("ce_target_oob", lambda: F.cross_entropy(x, torch.tensor([1, 2, 5])))
    add("ce_target_negative", lambda: F.cross_entropy(x, torch.tensor([1, -1, 2])))
    add("nll_target_oob", lambda: F.nll_loss(x, torch.tensor([1, 2, 7])))
    add("nll_target_oob_3d", lambda: F.nll_loss(torch.randn(2, 5, 3), torch.full((2, 3), 7)))
    add("nll_target_oob_1d", lambda: F.nll_loss(torch.randn(5), torch.tensor(7)))
    add("ce_batch_mismatch", lambda: F.cross_entropy(x, torch.tensor([1, 2])))
    add("ce_float_target", lambda: F.cross_entropy(x, torch.tensor([1.0, 2.0, 0.0])))
    add("ce_bool_target", lambda: F.cross_entropy(x, torch.tensor([True, False, True])))
    add("ce_2d_target", lambda: F.cross_entropy(x, torch.zeros(3, 2, dtype=torch.long)))
    add("ce_3d_target_shape", lambda: F.cross_entropy(torch.randn(2, 5, 4), torch.zeros(2, 3, dtype=torch.long)))
    add("ce_3d_target_rank", lambda: F.cross_entropy(torch.randn(2, 5, 4), torch.zeros(2, 4, 1, dtype=torch.long)))
    add("ce_1d_input_1d_target", lambda: F.cross_entropy(torch.randn(5), torch.tensor([2])))
    add("ce_weight_size", lambda: F.cross_entropy(x, torch.tensor([1, 2, 0]), weight=torch.ones(4)))
    add("ce_weight_size_3d", lambda: F.cross_entropy(torch.randn(2, 3, 4), torch.zeros(2, 4, dtype=torch.long),
                                                      weight=torch.ones(4)))
    add("ce_bad_reduction", lambda: F.cross_entropy(x, torch.tensor([1, 2, 0]), reduction="avg"))
    add("ce_prob_ignore_index", lambda: F.cross_entropy(x, torch.rand(3, 5), ignore_index=1))
    add("ce_prob_long_target", lambda: F.cross_entropy(torch.randn(4), torch.tensor([0, 1, 0, 0])))
    add("ce_prob_weight_size", lambda: F.cross_entropy(x, torch.rand(3, 5), weight=torch.ones(4)))
    add("ce_label_smoothing_range", lambda: F.cross_entropy(x, torch.tensor([1, 2, 0]), label_smoothing=1.5))
    add("ce_0d_input", lambda: F.cross_entropy(torch.tensor(1.0), torch.tensor([0])))
    add("nll_0d_input", lambda: F.nll_loss(torch.tensor(1.0), torch.tensor(0)))
    add("nll_0d_target_2d_input", lambda: F.nll_loss(torch.randn(2, 5), torch.tensor(1)))
    add("nll_4d_target_rank", lambda: F.nll_loss(torch.randn(2, 5, 3, 4), torch.zeros(2, 3, dtype=torch.long)))
    add("nll_4d_target_shape", lambda: F.nll_loss(torch.randn(2, 5, 3, 4), torch.zeros(2, 3, 3, dtype=torch.long)))
    add("bce_out_of_range", lambda: F.binary_cross_entropy(torch.tensor([0.5, 1.5]), torch.tensor([0.0, 1.0])))
    add("bce_nan_input", lambda: F.binary_cross_entropy(torch.tensor([0.5, float("nan")]), torch.tensor([0.0, 1.0])))
    add("bce_target_size", lambda: F.binary_cross_entropy(torch.rand(3, 1), torch.rand(3)))
    add("bce_weight_size", lambda: F.binary_cross_entropy(torch.rand(3), torch.rand(3), weight=torch.rand(2)))
    add("bce_logits_target_size", lambda: F.binary_cross_entropy_with_logits(torch.rand(3, 1), torch.rand(3)))
    add("mse_bad_reduction", lambda: F.mse_loss(torch.rand(3), torch.rand(3), reduction="avg"))
    add("mse_shapes", lambda: F.mse_loss(torch.rand(3), torch.rand(4)))
    add("smooth_l1_negative_beta", lambda: F.smooth_l1_loss(torch.rand(3), torch.rand(3), beta=-1.0))
    add("huber_zero_delta", lambda: F.huber_loss(torch.rand(3), torch.rand(3), delta=0.0))
    add("dropout_p_range", lambda: F.dropout(torch.rand(3), 1.5))
    add("dropout_module_p_range", lambda: nn.Dropout(-0.1))
    add("layernorm_input_shape", lambda: nn.LayerNorm(4)(torch.rand(2, 3)))
    add("layernorm_input_shape_2d", lambda: nn.LayerNorm((3, 4))(torch.rand(2, 4, 3)))
    add("layernorm_weight_shape", lambda: F.layer_norm(torch.rand(2, 3), (3,), weight=torch.ones(4)))
    add("batchnorm_one_value", lambda: nn.BatchNorm1d(3)(torch.rand(1, 3)))
    add("batchnorm_one_value_3d", lambda: nn.BatchNorm1d(3)(torch.rand(1, 3, 1)))
    add("batchnorm_4d", lambda: nn.BatchNorm1d(3)(torch.rand(2, 3, 2, 2)))
    add("batchnorm_1d", lambda: nn.BatchNorm1d(3)(torch.rand(3)))
    add("batchnorm_channels", lambda: nn.BatchNorm1d(3)(torch.rand(2, 4)))
    add("batchnorm_channels_notrack", lambda: nn.BatchNorm1d(3, track_running_stats=False)(torch.rand(2, 4)))
    add("embedding_oob", lambda: nn.Embedding(3, 2)(torch.tensor([3])))
    add("embedding_negative", lambda: nn.Embedding(3, 2)(torch.tensor([-1])))
    add("embedding_float_indices", lambda: nn.Embedding(3, 2)(torch.tensor([1.0])))
    add("embedding_padding_range", lambda: nn.Embedding(3, 2, padding_idx=3))
    add("linear_shapes", lambda: nn.Linear(3, 2)(torch.rand(4, 2)))
    add("module_to_int", lambda: nn.Linear(3, 2).to(torch.long))
    add("init_kaiming_mode", lambda: nn.init.kaiming_uniform_(torch.empty(3, 2), mode="fan"))
    add("init_kaiming_1d", lambda: nn.init.kaiming_uniform_(torch.empty(3)))
    add("init_kaiming_normal_1d", lambda: nn.init.kaiming_normal_(torch.empty(3)))
    add("init_xavier_1d", lambda: nn.init.xavier_uniform_(torch.empty(3)))
    add("init_xavier_normal_1d", lambda: nn.init.xavier_normal_(torch.empty(3)))
    add("init_gain_unknown", lambda: nn.init.calculate_gain("foo"))
    add("init_kaiming_nonlinearity", lambda: nn.init.kaiming_normal_(torch.empty(3, 2), nonlinearity="bar"))
    add("gelu_approximate", lambda: nn.GELU(approximate="fast")(torch.rand(2)))
    m = nn.Linear(2, 2)
    add("register_parameter_dot", lambda: m.register_parameter("a.b", None))
    add("register_parameter_empty", lambda: m.register_parameter("", None))
    add("register_parameter_taken", lambda: m.register_buffer("weight", None))
    add("register_buffer_dot", lambda: m.register_buffer("a.b", None))
    add("register_buffer_empty", lambda: m.register_buffer("", None))
    add("register_module_dot", lambda: m.add_module("a.b", None))
    add("register_module_empty", lambda: m.add_module("", None))
    add("register_module_taken", lambda: m.add_module("bias", None))
    add("get_submodule_missing", lambda: nn.Sequential(nn.Linear(2, 2)).get_submodule("3"))
    add("get_parameter_missing", lambda: nn.Sequential(nn.Linear(2, 2)).get_parameter("0.gamma"))
    return out


def reprs():
    """Reprs of modules built with options the numeric cases do not cover."""
    out = []
    for name, args in [("Linear", {"in": 784, "out": 256}), ("Linear", {"in": 3, "out": 2, "bias": False}),
                       ("GELU", {"approximate": "tanh"}), ("Dropout", {"p": 0.1}), ("Dropout", {"p": 1e-5}),
                       ("LayerNorm", {"shape": [3, 4], "eps": 1e-6, "affine": False}),
                       ("LayerNorm", {"shape": [8], "eps": 0.01}),
                       ("BatchNorm1d", {"n": 4, "momentum": None, "affine": False, "track": False}),
                       ("BatchNorm1d", {"n": 16, "eps": 0.001, "momentum": 0.01}),
                       ("Embedding", {"num": 10, "dim": 3, "padding_idx": -2}),
                       ("Flatten", {"start_dim": 0, "end_dim": 2}),
                       ("Sequential", {"modules": []}),
                       ("Sequential", {"modules": [{"module": "Flatten"}, {"module": "Sequential", "args": {"modules": [
                           {"module": "Linear", "args": {"in": 4, "out": 2}}, {"module": "Sequential", "args": {
                               "modules": [{"module": "SiLU"}]}}]}}, {"module": "Sigmoid"}]}),
                       ("Net", {})]:
        out.append({"module": name, "args": args, "repr": repr(build(name, args))})
    for ctor, r in [("MSELoss", nn.MSELoss()), ("L1Loss", nn.L1Loss(reduction="sum")),
                    ("SmoothL1Loss", nn.SmoothL1Loss(beta=0.5)), ("HuberLoss", nn.HuberLoss(delta=2.0)),
                    ("CrossEntropyLoss", nn.CrossEntropyLoss(label_smoothing=0.1)), ("NLLLoss", nn.NLLLoss()),
                    ("BCELoss", nn.BCELoss()), ("BCEWithLogitsLoss", nn.BCEWithLogitsLoss())]:
        out.append({"module": ctor, "args": {}, "repr": repr(r)})
    return out


def main():
    torch.manual_seed(0)
    data = {"modules": modules(), "losses": losses(), "bn_runs": bn_runs(), "state": state(), "init": init(),
            "errors": errors(), "reprs": reprs()}
    with open(os.path.join(HERE, "nn.json"), "w") as f:
        json.dump(data, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("modules", len(data["modules"]), "losses", len(data["losses"]), "bn_runs", len(data["bn_runs"]),
          "loads", len(data["state"]["loads"]), "init rules", len(data["init"]["rules"]), "errors",
          len(data["errors"]))


if __name__ == "__main__":
    main()
