#!/usr/bin/python3
"""Goldens for dev.vectorgrad.optim from real PyTorch 1.13 (Debian's python3-torch).

Run from this directory:  /usr/bin/python3 gen_optim.py   (writes optim.json beside it)

Optimizers: every case starts from the same explicit parameters (sizes 1, 7, 33, 1025, so that
vector loops have tails) and is fed, at every one of 100 steps, gradients taken from an explicit
bank (grad_schedule[t][j] = index into the bank, or -1: that parameter has no gradient at that
step, so its state starts late or skips steps, as PyTorch skips params whose grad is None).
Nothing depends on random streams matching: all values travel in the JSON. Every optimizer runs
with foreach=False (the single-tensor formulas the Java kernels mirror).

Schedulers: learning-rate (and momentum) sequences over many steps, closed-form jumps, resumption
with last_epoch, and a state-dict round trip in the middle of each schedule.

The file also records a probe of how this torch build rounds the ops the optimizers use (fused
multiply-add in add(alpha)/addcmul, separate roundings elsewhere); the Java test demands bit
equality for float32 only where the probe confirmed the rounding the Java kernels implement.
"""
import json
import math
import warnings
from fractions import Fraction

import numpy as np
import torch

warnings.filterwarnings("ignore")
torch.set_num_threads(1)

STEPS = 100
SIZES = [1, 7, 33, 1025]
BANK = 7
DTYPES = {"float32": torch.float32, "float64": torch.float64}
MIDPOINT = 50


def num(x, dtype):
    """A value as JSON: float32 as its shortest repr (Java's Float.parseFloat reads it back exactly)."""
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if dtype == "float32":
        return float(str(np.float32(x)))
    return x


def values(t):
    dtype = "float32" if t.dtype == torch.float32 else "float64"
    return [num(v, dtype) for v in t.detach().reshape(-1).tolist()]


def tensor_json(t):
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "values": values(t)}


def plain(v):
    """A state-dict value as JSON."""
    if isinstance(v, torch.Tensor):
        return tensor_json(v)
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if callable(v):
        return v.__name__
    return v


# ---------------------------------------------------------------------------------------------- probe

def probe():
    """How this torch rounds the ops of the optimizers, on random float32 data with vector tails."""
    g = torch.Generator().manual_seed(7)
    n = 1000 + 37
    a, b = torch.randn(n, generator=g), torch.randn(n, generator=g)
    c = torch.rand(n, generator=g) + 0.1
    A, B, C = a.tolist(), b.tolist(), c.tolist()
    f = lambda x: float(np.float32(x))

    def fma(x, y, z):
        return f(Fraction(x) * Fraction(y) + Fraction(z))

    def same(t, expected):
        return t.tolist() == [f(e) for e in expected]

    v = f(0.37)
    return {
        "add_alpha_is_fma": same(a.clone().add_(b, alpha=0.37), [fma(B[i], v, A[i]) for i in range(n)]),
        "addcmul_is_fma_of_value_times_t1": same(a.clone().addcmul_(b, c, value=0.37),
                                                 [fma(f(v * B[i]), C[i], A[i]) for i in range(n)]),
        "addcdiv_is_rounded_steps": same(a.clone().addcdiv_(b, c, value=0.37),
                                         [f(A[i] + f(f(v * B[i]) / C[i])) for i in range(n)]),
        "mul_scalar_in_float32": same(a * 0.9, [f(A[i] * f(0.9)) for i in range(n)]),
        "div_scalar_in_float32": same(c / 0.7316, [f(C[i] / f(0.7316)) for i in range(n)]),
        "sqrt_correctly_rounded": same(c.sqrt(), [f(math.sqrt(C[i])) for i in range(n)]),
    }


# ---------------------------------------------------------------------------------------------- data

def make_data():
    g = torch.Generator().manual_seed(1234)
    scales = [1.0, 0.1, 3.0, 0.01]
    data = {}
    for name, dt in DTYPES.items():
        init = [torch.randn(s, generator=g, dtype=torch.float64).to(dt) for s in SIZES]
        bank = []
        for k in range(BANK):
            gs = []
            for j, s in enumerate(SIZES):
                t = (torch.randn(s, generator=g, dtype=torch.float64) * scales[(j + k) % 4]).to(dt)
                if k == 3 and s > 1:
                    t[::5] = 0          # exact zeros in the gradient
                gs.append(t)
            bank.append(gs)
        data[name] = {"init": init, "bank": bank}
    return data


def grad_schedule():
    sched = []
    for t in range(STEPS):
        row = []
        for j in range(len(SIZES)):
            if j == 0 and t < 3:
                row.append(-1)          # param 0 gets its first gradient at step 3
            elif j == 1 and t % 5 == 2:
                row.append(-1)          # param 1 skips every fifth step
            else:
                row.append((3 * t + j) % BANK)
        sched.append(row)
    return sched


# ---------------------------------------------------------------------------------------------- cases

OPTIMIZERS = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW,
              "RMSprop": torch.optim.RMSprop}

# name, optimizer, lr, options (defaults, fluent setters in Java), extra groups [(params, options)],
# lr changes {step: [lr per group]}, whether to record the midpoint state dict
CASES = [
    ("sgd_plain", "SGD", 0.05, {}, None, None, False),
    ("sgd_momentum", "SGD", 0.05, {"momentum": 0.9}, None, None, True),
    ("sgd_momentum_dampening", "SGD", 0.05, {"momentum": 0.9, "dampening": 0.3}, None, None, False),
    ("sgd_nesterov", "SGD", 0.05, {"momentum": 0.9, "nesterov": True}, None, None, False),
    ("sgd_weight_decay", "SGD", 0.05, {"weight_decay": 0.01}, None, None, False),
    ("sgd_all_maximize", "SGD", 0.01, {"momentum": 0.8, "dampening": 0.1, "weight_decay": 1e-3, "maximize": True},
     None, None, False),
    ("sgd_nesterov_wd_maximize", "SGD", 0.02, {"momentum": 0.5, "nesterov": True, "weight_decay": 0.1, "maximize": True},
     None, None, False),
    ("sgd_groups", "SGD", 0.05, {"momentum": 0.9},
     [([1, 3], {"lr": 0.01, "momentum": 0.5, "weight_decay": 0.1})], {40: [0.02, 0.005]}, True),
    ("adam_default", "Adam", 1e-2, {}, None, None, False),
    ("adam_betas_eps", "Adam", 1e-2, {"betas": (0.8, 0.99), "eps": 1e-6}, None, None, False),
    ("adam_weight_decay", "Adam", 1e-2, {"weight_decay": 0.1}, None, None, False),
    ("adam_amsgrad", "Adam", 1e-2, {"amsgrad": True}, None, None, True),
    ("adam_amsgrad_wd_maximize", "Adam", 3e-3, {"amsgrad": True, "weight_decay": 0.05, "maximize": True},
     None, None, False),
    ("adam_groups", "Adam", 1e-2, {},
     [([1, 3], {"lr": 1e-3, "amsgrad": True, "betas": (0.5, 0.9)})], {60: [5e-3, 2e-3]}, False),
    ("adamw_default", "AdamW", 1e-2, {}, None, None, True),
    ("adamw_no_decay", "AdamW", 1e-2, {"weight_decay": 0.0}, None, None, False),
    ("adamw_amsgrad_maximize", "AdamW", 1e-2, {"amsgrad": True, "maximize": True, "weight_decay": 0.1},
     None, None, False),
    ("adamw_groups", "AdamW", 1e-2, {"betas": (0.85, 0.995)},
     [([0, 2], {"lr": 2e-3, "weight_decay": 0.5, "eps": 1e-4})], None, False),
    ("rmsprop_default", "RMSprop", 1e-2, {}, None, None, False),
    ("rmsprop_centered", "RMSprop", 1e-2, {"centered": True}, None, None, False),
    ("rmsprop_momentum", "RMSprop", 1e-2, {"momentum": 0.9}, None, None, False),
    ("rmsprop_centered_momentum_wd", "RMSprop", 5e-3,
     {"alpha": 0.9, "eps": 1e-6, "weight_decay": 0.01, "momentum": 0.5, "centered": True}, None, None, True),
    ("rmsprop_maximize", "RMSprop", 1e-2, {"maximize": True, "alpha": 0.95}, None, None, False),
    ("rmsprop_groups", "RMSprop", 1e-2, {"momentum": 0.3},
     [([1, 2], {"lr": 3e-3, "centered": True, "momentum": 0.0})], {70: [2e-3, 1e-3]}, False),
]


def run_case(case, dtype, data, sched):
    name, opt_name, lr, options, extra, lr_changes, midpoint = case
    params = [t.clone().requires_grad_(True) for t in data[dtype]["init"]]
    extra = extra or []
    in_extra = {j for ps, _ in extra for j in ps}
    groups = [{"params": [params[j] for j in range(len(SIZES)) if j not in in_extra]}]
    for ps, opts in extra:
        groups.append(dict(opts, params=[params[j] for j in ps]))
    opt = OPTIMIZERS[opt_name](groups, lr=lr, foreach=False, **options)
    out = {"name": name, "optimizer": opt_name, "dtype": dtype, "lr": lr, "options": plain(options),
           "groups": [{"params": [j for j in range(len(SIZES)) if j not in in_extra], "options": {}}]
           + [{"params": ps, "options": plain(opts)} for ps, opts in extra],
           "lr_changes": {str(k): v for k, v in (lr_changes or {}).items()}}
    for t in range(STEPS):
        if lr_changes and t in lr_changes:
            for g, new_lr in zip(opt.param_groups, lr_changes[t]):
                g["lr"] = new_lr
        if midpoint and t == MIDPOINT and dtype == "float32":
            out["midpoint"] = {"step": t, "params": [values(p) for p in params],
                               "state_dict": plain(opt.state_dict())}
        for j, p in enumerate(params):
            k = sched[t][j]
            p.grad = None if k < 0 else data[dtype]["bank"][k][j].clone()
        opt.step()
        if t == 0:
            out["after_first_step"] = [values(p) for p in params]
    out["final"] = [values(p) for p in params]
    out["state_dict"] = plain(opt.state_dict())
    return out


# ---------------------------------------------------------------------------------------------- schedulers

S = torch.optim.lr_scheduler

SCHEDULERS = [
    # name, optimizer (name, lrs of two groups, options), scheduler factory, args as JSON, steps, midpoint
    ("step_lr", ("SGD", [0.1, 0.05], {"momentum": 0.9}), lambda o: S.StepLR(o, step_size=3, gamma=0.5),
     {"type": "StepLR", "step_size": 3, "gamma": 0.5}, 40, 17),
    ("step_lr_default_gamma", ("SGD", [0.1, 0.3], {}), lambda o: S.StepLR(o, step_size=7),
     {"type": "StepLR", "step_size": 7}, 30, 10),
    ("cosine", ("SGD", [0.1, 0.05], {}), lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
     {"type": "CosineAnnealingLR", "T_max": 10, "eta_min": 0.001}, 45, 23),
    ("cosine_no_eta", ("Adam", [0.01, 0.003], {}), lambda o: S.CosineAnnealingLR(o, T_max=7),
     {"type": "CosineAnnealingLR", "T_max": 7}, 30, 12),
    ("linear_default", ("SGD", [0.1, 0.05], {}), lambda o: S.LinearLR(o),
     {"type": "LinearLR"}, 12, 3),
    ("linear_warmup", ("AdamW", [0.001, 0.01], {}),
     lambda o: S.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=10),
     {"type": "LinearLR", "start_factor": 0.1, "end_factor": 0.9, "total_iters": 10}, 15, 6),
    ("one_cycle_sgd", ("SGD", [0.1, 0.05], {"momentum": 0.9}),
     lambda o: S.OneCycleLR(o, max_lr=[0.5, 0.3], total_steps=50),
     {"type": "OneCycleLR", "max_lr": [0.5, 0.3], "total_steps": 50}, 49, 20),
    ("one_cycle_adam_linear_three_phase", ("Adam", [0.001, 0.002], {}),
     lambda o: S.OneCycleLR(o, max_lr=0.01, total_steps=40, pct_start=0.25, anneal_strategy="linear",
                            three_phase=True, div_factor=10.0, final_div_factor=100.0,
                            base_momentum=0.8, max_momentum=0.9),
     {"type": "OneCycleLR", "max_lr": 0.01, "total_steps": 40, "pct_start": 0.25, "anneal_strategy": "linear",
      "three_phase": True, "div_factor": 10.0, "final_div_factor": 100.0, "base_momentum": 0.8, "max_momentum": 0.9},
     40, 11),
    ("one_cycle_epochs_no_momentum", ("RMSprop", [0.01, 0.02], {}),
     lambda o: S.OneCycleLR(o, max_lr=0.05, epochs=4, steps_per_epoch=10, cycle_momentum=False),
     {"type": "OneCycleLR", "max_lr": 0.05, "epochs": 4, "steps_per_epoch": 10, "cycle_momentum": False}, 40, 25),
]


def make_optimizer(spec):
    opt_name, lrs, options = spec
    ps = [torch.zeros(3, requires_grad=True), torch.zeros(2, requires_grad=True)]
    groups = [{"params": [ps[0]]}, {"params": [ps[1]], "lr": lrs[1]}]
    return OPTIMIZERS[opt_name](groups, lr=lrs[0], foreach=False, **options)


def momentum_of(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


def run_scheduler(spec):
    name, ospec, factory, args, steps, mid = spec
    opt = make_optimizer(ospec)
    sched = factory(opt)
    lrs, moms = [sched.get_last_lr()], [momentum_of(opt)]
    out = {"name": name, "optimizer": {"type": ospec[0], "lrs": ospec[1], "options": ospec[2]}, "scheduler": args,
           "steps": steps, "midpoint": mid}
    for t in range(1, steps + 1):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
        moms.append(momentum_of(opt))
        if t == mid:
            out["state_dict"] = plain(sched.state_dict())
            out["optimizer_param_groups"] = plain(opt.state_dict()["param_groups"])
            # resume: a new optimizer and scheduler, then the saved states (the documented order)
            opt2 = make_optimizer(ospec)
            sched2 = factory(opt2)
            opt2.load_state_dict(opt.state_dict())
            sched2.load_state_dict(sched.state_dict())
            resumed = []
            for _ in range(t + 1, steps + 1):
                opt2.step()
                sched2.step()
                resumed.append(sched2.get_last_lr())
            out["resumed_lrs"] = resumed
    out["lrs"] = lrs
    out["momentums"] = moms
    if args["type"] == "OneCycleLR":
        try:
            sched.step()
            sched.step()
            out["overstep_error"] = None
        except ValueError as e:
            out["overstep_error"] = str(e)
    return out


def closed_forms():
    """step(epoch) jumps with the closed forms (deprecated in PyTorch, but supported)."""
    out = []
    epochs = [0, 3, 5, 9, 10, 2, 17, 4]
    for name, factory, args in [
        ("step_lr", lambda o: S.StepLR(o, step_size=3, gamma=0.5), {"type": "StepLR", "step_size": 3, "gamma": 0.5}),
        ("cosine", lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
         {"type": "CosineAnnealingLR", "T_max": 10, "eta_min": 0.001}),
        ("linear", lambda o: S.LinearLR(o, start_factor=0.25, total_iters=6),
         {"type": "LinearLR", "start_factor": 0.25, "end_factor": 1.0, "total_iters": 6}),
    ]:
        opt = make_optimizer(("SGD", [0.1, 0.05], {}))
        sched = factory(opt)
        lrs = []
        for e in epochs:
            sched.step(e)
            lrs.append(sched.get_last_lr())
        out.append({"name": name, "scheduler": args, "epochs": epochs, "lrs": lrs})
    return out


def resumed_with_last_epoch():
    """Schedulers created with last_epoch >= 0 over groups that carry initial_lr."""
    out = []
    for name, factory, args in [
        ("cosine_resume", lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001, last_epoch=4),
         {"type": "CosineAnnealingLR", "T_max": 10, "eta_min": 0.001, "last_epoch": 4}),
        ("step_resume", lambda o: S.StepLR(o, step_size=3, gamma=0.5, last_epoch=5),
         {"type": "StepLR", "step_size": 3, "gamma": 0.5, "last_epoch": 5}),
        ("linear_resume", lambda o: S.LinearLR(o, start_factor=0.5, end_factor=1.0, total_iters=8, last_epoch=2),
         {"type": "LinearLR", "start_factor": 0.5, "end_factor": 1.0, "total_iters": 8, "last_epoch": 2}),
    ]:
        ps = [torch.zeros(3, requires_grad=True), torch.zeros(2, requires_grad=True)]
        opt = torch.optim.SGD([{"params": [ps[0]], "initial_lr": 0.2}, {"params": [ps[1]], "lr": 0.03, "initial_lr": 0.1}],
                              lr=0.07, foreach=False)
        sched = factory(opt)
        lrs = [sched.get_last_lr()]
        for _ in range(20):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        out.append({"name": name, "scheduler": args, "group_lrs": [0.07, 0.03], "initial_lrs": [0.2, 0.1], "lrs": lrs})
    return out


def main():
    data = make_data()
    sched = grad_schedule()
    cases = [run_case(c, dt, data, sched) for dt in DTYPES for c in CASES]
    doc = {
        "torch_version": torch.__version__,
        "cpu_capability": torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, "cpu") else
        [l.split(":")[1].strip() for l in torch.__config__.show().splitlines() if "CPU capability" in l][0],
        "rounding_probe": probe(),
        "steps": STEPS,
        "sizes": SIZES,
        "grad_schedule": sched,
        "data": {dt: {"init": [values(t) for t in d["init"]], "bank": [[values(t) for t in gs] for gs in d["bank"]]}
                 for dt, d in data.items()},
        "cases": cases,
        "schedulers": [run_scheduler(s) for s in SCHEDULERS],
        "closed_forms": closed_forms(),
        "resumed": resumed_with_last_epoch(),
    }
    with open("optim.json", "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
