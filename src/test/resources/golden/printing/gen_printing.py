#!/usr/bin/python3
"""Golden cases for dev.vectorgrad.format.TensorFormatter: PyTorch's own str(tensor).

Run with the interpreter that has PyTorch 1.13 installed:
    /usr/bin/python3 src/test/resources/golden/printing/gen_printing.py
It rewrites printing.json next to this script. Each case records the shape, the dtype, the flat
row-major values (repr of the Python float, i.e. the exact double; float32 values are their exact
double widening), the suffix items that come after dtype (grad_fn / requires_grad, as PyTorch
shows them) and the exact str(t).
"""
import json
import math
import os

import torch

torch.set_printoptions(profile="default")
torch.manual_seed(1234)

F32 = torch.float32
F64 = torch.float64
cases = []


def add(name, t):
    """Record str(t) for tensor t (which may require grad or carry a grad_fn)."""
    if t.grad_fn is not None:
        suffixes = ["grad_fn=<{}>".format(type(t.grad_fn).__name__)]
    elif t.requires_grad:
        suffixes = ["requires_grad=True"]
    else:
        suffixes = []
    assert t.dtype in (F32, F64), name
    flat = t.detach().reshape(-1).tolist()  # Python floats: exact doubles of the elements
    cases.append(
        {
            "name": name,
            "shape": list(t.shape),
            "dtype": "float64" if t.dtype == F64 else "float32",
            "values": [repr(float(v)) for v in flat],
            "suffixes": suffixes,
            "expected": str(t),
        }
    )


def tensor(values, dtype=F32):
    return torch.tensor(values, dtype=dtype)


nan, inf = math.nan, math.inf

# --- the founding examples -------------------------------------------------------------------
add("2x2 of 0.25", torch.full((2, 2), 0.25))
add("0-dim 0.25", tensor(0.25))
x = torch.full((2, 2), 0.25, requires_grad=True)
add("0-dim mean with grad_fn", x.mean())
add("0-dim mean of (x*2) with grad_fn", (torch.ones(3, requires_grad=True) * 2).mean())
add("0-dim mean of (x*2) non-integer", (torch.tensor([0.1, 0.2, 0.4], requires_grad=True) * 2).mean())
add("leaf requiring grad", torch.tensor([0.5, -1.25, 3.0], requires_grad=True))
add("float64 result with grad_fn", torch.tensor([[1.5, 2.0]], dtype=F64, requires_grad=True) * 2)

# --- 0-dim ---------------------------------------------------------------------------------------
add("0-dim negative", tensor(-3.14159))
add("0-dim integer-valued", tensor(3.0))
add("0-dim zero", tensor(0.0))
add("0-dim nan", tensor(nan))
add("0-dim -inf float64", tensor(-inf, F64))
add("0-dim float64", tensor(0.25, F64))
add("0-dim tiny (scientific)", tensor(1.5e-7))
add("0-dim huge float64 (scientific)", tensor(6.02214076e23, F64))

# --- empty ------------------------------------------------------------------------------------
add("empty (0,)", torch.empty(0))
add("empty (0,) float64", torch.empty(0, dtype=F64))
add("empty (0, 3)", torch.empty(0, 3))
add("empty (2, 0, 4) float64", torch.empty(2, 0, 4, dtype=F64))
add("empty (0,) requiring grad", torch.empty(0, requires_grad=True))

# --- integer-valued floats (int mode) ---------------------------------------------------------
add("integers 1., 2.", tensor([1.0, 2.0]))
add("negative integers", tensor([-1.0, 20.0, -300.0, 0.0]))
add("integers with nan and inf", tensor([1.0, nan, 2.0, inf, -inf]))
add("integers ratio > 1000 (scientific)", tensor([1.0, 2000.0, 3.0]))
add("integers above 1e8 (scientific)", tensor([1.0e9, 5.0], F64))
add("integers up to 1e8 float64", tensor([1.0e8, 99999999.0, -123456.0], F64))
add("zeros 2x3", torch.zeros(2, 3))
add("signed zeros", tensor([-0.0, 0.0]))
add("arange 30 (wrapped)", torch.arange(30, dtype=F32))

# --- nan / inf --------------------------------------------------------------------------------
add("only non-finite", tensor([nan, inf, -inf]))
add("fixed with nan and inf", tensor([1.5, nan, -inf, 0.0, -2.25]))
add("scientific with nan, zero, -0.", tensor([0.0, 1e-5, nan, -inf, -0.0, 3.0]))
add("negative zero in fixed mode", tensor([-0.0, 1.5]))

# --- fixed / scientific switch -----------------------------------------------------------------
add("min < 1e-4 (scientific)", tensor([1e-5, 1.0]))
add("min == 1e-4 float64 (fixed)", tensor([1e-4, 0.05], F64))
add("min == 1e-4 float32 rounds below (scientific)", tensor([1e-4, 0.05]))
add("ratio > 1000 (scientific)", tensor([0.001, 2.5]))
add("ratio == 1000 float64 (fixed)", tensor([0.002, 2.0], F64))
add("max > 1e8 (scientific)", tensor([1.5, 123456789.5], F64))
add("wide fixed values", tensor([12345.5, -100.25, 17.0], F64))
add("fixed values near 1e8", tensor([99999999.5, -123456.75], F64))
add("huge and tiny float64 exponents", tensor([1e100, 1e-300, -2.5e-308], F64))
add("negative scientific", tensor([-1.2345e-6, 7.5e-3, -42.0]))

# --- rounding ties and carries (Python rounds the exact binary value half-even) -----------------
add("exact ties at 4 decimals", tensor([0.03125, 0.09375, 1.03125, -0.15625]))
add("exact ties at 4 decimals float64", tensor([0.03125, 0.09375, 1.03125, -0.15625], F64))
add("tie-like 2.5e-5 and 0.00005", tensor([2.5e-5, 0.00005, 1.0]))
add("tie-like 2.5e-5 and 0.00005 float64", tensor([2.5e-5, 0.00005, 1.0], F64))
add("scientific mantissa ties", tensor([1.03125e-5, 2.4375e-5, 1.0], F64))
add("carry to next digit", tensor([9.99996, 0.99999, 99.99995], F64))
add("carry in scientific", tensor([9.99996e-5, 9.99995e-7], F64))
# decimal values whose float32 and float64 roundings print differently
diff = [1.00005, 2.00005, 0.10005, 3.14165, 0.00015, 1.00015]
add("float32 differs from float64 (fixed)", tensor(diff[:4]))
add("float32 differs from float64 (fixed) as float64", tensor(diff[:4], F64))
add("float32 differs from float64 (scientific)", tensor([0.00015, 1.00005e-5, 2.00005e-6]))
add("float32 differs from float64 (scientific) as float64", tensor([0.00015, 1.00005e-5, 2.00005e-6], F64))
add("float32 0.1 + 0.2", tensor([0.1]) + tensor([0.2]))

# --- random values at several scales -------------------------------------------------------------
add("randn(5)", torch.randn(5))
add("randn(3, 4) * 100", torch.randn(3, 4) * 100)
add("rand(4, 3) * 1e-3 (scientific)", torch.rand(4, 3) * 1e-3)
add("randn(4, 5) * 1e6 float64 (scientific)", torch.randn(4, 5, dtype=F64) * 1e6)
add("randn(2, 3, 4)", torch.randn(2, 3, 4))
add("randn(2, 2, 2, 3) float64", torch.randn(2, 2, 2, 3, dtype=F64))
add("randn(1, 1, 1)", torch.randn(1, 1, 1))
add("randn(3, 1, 2) * 1e-6", torch.randn(3, 1, 2) * 1e-6)
add("randn(30) (wrapped)", torch.randn(30))
add("randn(30) float64 (wrapped)", torch.randn(30, dtype=F64))
add("randn(2, 30) (wrapped rows)", torch.randn(2, 30))
add("randn(2, 2, 20) * 1e-6 (wrapped scientific)", torch.randn(2, 2, 20) * 1e-6)
add("rand(7) integers mixed", torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.5]))

# --- summarised (numel > 1000) ---------------------------------------------------------------
add("arange(2000)", torch.arange(2000, dtype=F32))
add("randn(2000) float64", torch.randn(2000, dtype=F64))
add("randn(1001)", torch.randn(1001))
# exact eighths keep the file small; still fixed mode with a varying width
add("arange(10000) % 97 / 8 as (100, 100)", (torch.arange(10000, dtype=F32) % 97 / 8 - 5).reshape(100, 100))
add("randn(40, 30)", torch.randn(40, 30))
add("randn(3, 400, 5) rounded, float64", torch.round(torch.randn(3, 400, 5, dtype=F64) * 1000) / 1000)
add("randn(2, 600) rows summarised", torch.randn(2, 600))
add("randn(600, 2) float64", torch.randn(600, 2, dtype=F64))
add("randn(10, 10, 20) * 1e5", torch.randn(10, 10, 20) * 1e5)
t = torch.full((2000,), 1.5)
t[1000] = 1e-10  # hidden in the summarised middle: must not switch to scientific
t[1001] = nan
add("tiny value hidden by summary", t)
t = torch.full((40, 40), 2.0)
t[20, 20] = 0.5  # hidden: still int mode
t[0, 39] = 1e9  # shown: scientific
add("summary decides scientific from shown values", t)

# --- suffix placement (wrapped to a new line when the last line is too long) ------------------
add("randn(30) requiring grad (suffix wraps)", torch.randn(30, requires_grad=True))
add("randn(25) float64 * 2 (dtype and grad_fn wrap)", torch.randn(25, dtype=F64, requires_grad=True) * 2)
add("randn(6) float64 requiring grad", torch.randn(6, dtype=F64, requires_grad=True))
add("randn(10) float64 requiring grad", torch.randn(10, dtype=F64, requires_grad=True))
add("randn(2, 7) float64 requiring grad", torch.randn(2, 7, dtype=F64, requires_grad=True))
add("randn(3, 4) sum(1) grad_fn", torch.randn(3, 4, requires_grad=True).sum(1))
add("randn(2000) requiring grad", torch.randn(2000, requires_grad=True))
add("randn(7) * 1e-5 float64 requiring grad", (torch.randn(7, dtype=F64) * 1e-5).requires_grad_())

# Tensors whose suffix decision sits exactly on the line-width boundary (PyTorch's check is
# last_line_len + len(suffix) + 2 > linewidth, where last_line_len counts two more characters than
# the last line really has). The tensors are picked by searching small shapes for that boundary.
def suffix_checks(t):
    body = "tensor(" + torch._tensor_str._tensor_str(t.detach(), len("tensor("))
    suffixes = (["dtype=torch.float64"] if t.dtype == F64 else []) + ["requires_grad=True"]
    last = len(body) - body.rfind("\n") + 1
    checks = []
    for suffix in suffixes:
        checks.append(last + len(suffix) + 2)
        last = len("tensor(") + len(suffix) if checks[-1] > 80 else last + len(suffix) + 2
    return checks


found = {}
for dtype in (F32, F64):
    for rows in (None, 2):
        for value in (1.0, 10.0, 100.0, 1000.0, 1.5, -12.5, 123.25, 1e-5, -1e-5, 100000.5):
            for n in range(1, 31):
                shape = (n,) if rows is None else (rows, n)
                t = torch.full(shape, value, dtype=dtype, requires_grad=True)
                for check in suffix_checks(t):
                    key = (dtype, rows is None, check)
                    if check in (80, 81) and key not in found:
                        found[key] = t
for (dtype, flat, check), t in sorted(found.items(), key=lambda kv: (str(kv[0][0]), kv[0][1], kv[0][2])):
    add("suffix check at {} ({}, shape {})".format(check, str(dtype)[6:], tuple(t.shape)), t)

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "printing.json"), "w") as f:
    # One case per line keeps the file diffable without spreading huge value lists over lines.
    f.write('{"torch_version": %s, "cases": [\n' % json.dumps(torch.__version__))
    f.write(",\n".join(json.dumps(case) for case in cases))
    f.write("\n]}\n")
print("wrote", len(cases), "cases")
