#!/usr/bin/python3
"""Golden cases for dev.vectorgrad.format.TensorFormatter: PyTorch's own str(tensor).

Float32/float64 cases come first, int64 and bool cases after them. Run with the interpreter that
has PyTorch 1.13 installed:
    /usr/bin/python3 src/test/resources/golden/printing/gen_printing.py
It rewrites printing.json next to this script. Each case records the shape, the dtype, the flat
row-major values as strings (floats: repr of the Python float, i.e. the exact double, float32 values
being their exact double widening; int64: the decimal integer; bool: "True" / "False"), the suffix
items that come after dtype (grad_fn / requires_grad / names, as PyTorch shows them) and the exact
str(t).
"""
import json
import math
import os
import warnings

import torch

torch.set_printoptions(profile="default")
warnings.filterwarnings("ignore", message="Named tensors")  # named tensors are only used for their suffix
torch.manual_seed(1234)

F32 = torch.float32
F64 = torch.float64
I64 = torch.int64
BOOL = torch.bool
DTYPE_NAMES = {F32: "float32", F64: "float64", I64: "int64", BOOL: "bool"}
cases = []


def add(name, t):
    """Record str(t) for tensor t (which may require grad or carry a grad_fn)."""
    if t.grad_fn is not None:
        suffixes = ["grad_fn=<{}>".format(type(t.grad_fn).__name__)]
    elif t.requires_grad:
        suffixes = ["requires_grad=True"]
    else:
        suffixes = []
    if t.names != (None,) * t.dim():
        suffixes.append("names={}".format(t.names))
    assert t.dtype in DTYPE_NAMES, name
    flat = t.detach().rename(None).reshape(-1).tolist()
    if t.dtype in (F32, F64):
        values = [repr(float(v)) for v in flat]  # Python floats: exact doubles of the elements
    elif t.dtype == I64:
        values = [repr(int(v)) for v in flat]  # decimal strings: exact beyond 2**53
    else:
        values = [repr(bool(v)) for v in flat]  # "True" / "False"
    cases.append(
        {
            "name": name,
            "shape": list(t.shape),
            "dtype": DTYPE_NAMES[t.dtype],
            "values": values,
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

# ===== int64 and bool tensors ==================================================================
# PyTorch prints these with "{}".format(value), right-aligned to the widest printed value; the dtype
# is shown only for empty tensors (int64 and bool count as default dtypes). Integer and bool tensors
# cannot require grad, so the only suffix that a real tensor can add after dtype is names=...
gen = torch.Generator().manual_seed(4321)


def randint(low, high, *shape):
    return torch.randint(low, high, shape, generator=gen, dtype=I64)


def randbool(*shape, p=0.5):
    return torch.rand(shape, generator=gen) < p


I64_MIN, I64_MAX = -(2**63), 2**63 - 1

# --- int64 0-dim ---------------------------------------------------------------------------------
add("int64 0-dim 5", torch.tensor(5))
add("int64 0-dim -7", torch.tensor(-7))
add("int64 0-dim 0", torch.tensor(0))
add("int64 0-dim 2**62", torch.tensor(2**62))
add("int64 0-dim -2**63", torch.tensor(I64_MIN))
add("int64 0-dim 2**63-1", torch.tensor(I64_MAX))
add("int64 0-dim sum", torch.arange(10).sum())

# --- int64 vectors and matrices -----------------------------------------------------------------
add("int64 [1, 2, 3]", torch.tensor([1, 2, 3]))
add("int64 single element", torch.tensor([42]))
add("int64 zeros", torch.zeros(3, dtype=I64))
add("int64 negative widths", torch.tensor([-1, 20, -300, 0]))
add("int64 zero and minus one", torch.tensor([0, -1]))
add("int64 large values", torch.tensor([2**62, I64_MIN, I64_MAX, 0, 1]))
add("int64 beyond double precision", torch.tensor([2**53 + 1, -(2**53) - 1, 2**62 + 1, I64_MAX - 1, I64_MIN + 1]))
add("int64 arange(40) - 20 (wrapped)", torch.arange(40) - 20)
add("int64 arange(30)", torch.arange(30))
add("int64 2x3", torch.tensor([[1, -2, 3], [40, 5, -600]]))
add("int64 argmax rows", torch.randn(4, 5, generator=gen).argmax(1))
add("int64 randint(3, 4) widths", randint(-1000, 100000, 3, 4))
add("int64 randint(2, 3, 4)", randint(-50, 50, 2, 3, 4))
add("int64 randint(2, 2, 2, 3)", randint(0, 10, 2, 2, 2, 3))
add("int64 randint(1, 1, 1)", randint(0, 10, 1, 1, 1))
add("int64 randint(3, 1, 2) big", randint(-(10**12), 10**12, 3, 1, 2))
add("int64 randint(2, 30) (wrapped rows)", randint(-100, 100, 2, 30))
add("int64 randint(2, 2, 20) (wrapped, nested)", randint(-10**6, 10**6, 2, 2, 20))
add("int64 extremes (3, 5) (wrapped, 3 per line)",
    torch.tensor([[I64_MIN, I64_MAX, 0, -1, 1]] * 3))
add("int64 extremes 2x2x7 (wrapped at depth 3)", torch.tensor(I64_MIN).expand(2, 2, 7).clone() + randint(0, 2**40, 2, 2, 7))
add("int64 column of extremes", torch.tensor([[I64_MIN], [I64_MAX]]))

# --- int64 summarised (numel > 1000) ---------------------------------------------------------------
add("int64 arange(2000)", torch.arange(2000))
add("int64 arange(1001) - 500", torch.arange(1001) - 500)
add("int64 arange(1000) not summarised", torch.arange(1000) * 7 - 3000)
add("int64 randint(35, 40)", randint(-10**9, 10**9, 35, 40))
add("int64 randint(3, 70, 5)", randint(-999, 1000, 3, 70, 5))
add("int64 randint(2, 600) rows summarised", randint(0, 100, 2, 600))
add("int64 randint(600, 2)", randint(-5, 5, 600, 2))
add("int64 randint(10, 10, 11)", randint(-(2**40), 2**40, 10, 10, 11))
add("int64 randint(35, 30) extremes", randint(I64_MIN, I64_MAX, 35, 30))
t = torch.ones(2000, dtype=I64)
t[1000] = I64_MIN  # hidden in the summarised middle: must not widen the columns
add("int64 wide value hidden by summary", t)
t = torch.ones(40, 40, dtype=I64)
t[20, 20] = -(10**15)  # hidden
t[39, 0] = 123456  # shown
add("int64 summary width from shown values", t)

# --- bool ----------------------------------------------------------------------------------------
add("bool 0-dim True", torch.tensor(True))
add("bool 0-dim False", torch.tensor(False))
add("bool [True, False]", torch.tensor([True, False]))
add("bool all True", torch.tensor([True, True, True]))
add("bool all False", torch.tensor([False, False]))
add("bool comparison 2x3", torch.tensor([[1, 2, 3], [4, 5, 6]]) > 2)
add("bool all True 2x2", torch.ones(2, 2, dtype=BOOL))
add("bool rand(30) (wrapped)", randbool(30))
add("bool all True (30) (wrapped, width 4)", torch.ones(30, dtype=BOOL))
add("bool rand(2, 3, 4)", randbool(2, 3, 4))
add("bool rand(2, 2, 2, 3)", randbool(2, 2, 2, 3))
add("bool rand(2, 25) (wrapped rows)", randbool(2, 25))
add("bool rand(2000)", randbool(2000))
add("bool rand(40, 40)", randbool(40, 40))
add("bool rand(10, 10, 11)", randbool(10, 10, 11))
add("bool rand(3, 70, 5)", randbool(3, 70, 5))
t = torch.ones(2000, dtype=BOOL)
t[1000] = False  # hidden: still width 4
add("bool False hidden by summary", t)
t = torch.ones(40, 40, dtype=BOOL)
t[39, 39] = False  # shown: width 5
add("bool summary with one shown False", t)

# --- empty ---------------------------------------------------------------------------------------
add("int64 empty (0,)", torch.empty(0, dtype=I64))
add("int64 empty (0, 3)", torch.empty(0, 3, dtype=I64))
add("int64 empty (2, 0, 4)", torch.empty(2, 0, 4, dtype=I64))
add("int64 empty (3, 0)", torch.empty(3, 0, dtype=I64))
add("bool empty (0,)", torch.empty(0, dtype=BOOL))
add("bool empty (0, 3)", torch.empty(0, 3, dtype=BOOL))
add("bool empty (1, 0)", torch.empty(1, 0, dtype=BOOL))

# --- suffixes: names=... after size and dtype, wrapped at the line width ---------------------------
add("int64 named", torch.tensor([1, 2], names=("N",)))
add("int64 named 2x2", torch.tensor([[1, 2], [3, 4]], names=("A", None)))
add("bool named", torch.tensor([True, False], names=("N",)))
add("int64 empty named", torch.empty(0, 3, dtype=I64, names=("A", "B")))
add("bool empty named", torch.empty(0, dtype=BOOL, names=("N",)))
add("int64 empty, long names wrap",
    torch.empty(0, 3, dtype=I64, names=("a_rather_long_dimension_name", "another_long_dimension_name")))
add("bool empty, long size and names wrap",
    torch.empty(0, 1, 2, 3, 4, 5, 6, 7, 8, dtype=BOOL, names=tuple("dimension_%d" % i for i in range(9))))
add("int64 wrapped, names wrap", (torch.arange(40) - 20).rename("a_long_dimension_name_for_wrapping"))


# names suffixes whose length puts PyTorch's check (last_line_len + len(suffix) + 2 > 80) exactly on
# the boundary: 80 stays on the line, 81 moves to the next.
def names_check(t, names):
    body = "tensor(" + torch._tensor_str._tensor_str(t, len("tensor("))
    last = len(body) - body.rfind("\n") + 1
    return last + len("names={}".format(names)) + 2


for label, t in (
    ("int64 (5,)", torch.tensor([1, -22, 333, 4, 5])),
    ("int64 (2, 6)", randint(-99, 99, 2, 6)),
    ("int64 (30,)", randint(0, 10, 30)),
    ("bool (4,)", torch.tensor([True, False, True, True])),
    ("bool (2, 2)", torch.tensor([[True, True], [True, True]])),
    ("bool (2000,)", randbool(2000)),
):
    for target in (80, 81):
        for n in range(1, 80):
            names = ("d" * n,) + (None,) * (t.dim() - 1)
            if names_check(t, names) == target:
                add("names check at {} ({})".format(target, label), t.refine_names(*names))
                break
        else:
            raise AssertionError("no name length reaches {} for {}".format(target, label))

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "printing.json"), "w") as f:
    # One case per line keeps the file diffable without spreading huge value lists over lines.
    f.write('{"torch_version": %s, "cases": [\n' % json.dumps(torch.__version__))
    f.write(",\n".join(json.dumps(case) for case in cases))
    f.write("\n]}\n")
print("wrote", len(cases), "cases")
