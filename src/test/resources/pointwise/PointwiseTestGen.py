# Writes src/test/java/dev/vectorgrad/PointwiseGoldenCases.java from PyTorch 1.13:
#   /usr/bin/python3 src/test/resources/pointwise/PointwiseTestGen.py > src/test/java/dev/vectorgrad/PointwiseGoldenCases.java
# Each case is written twice, as a Python expression evaluated here and as the Java expression that
# PointwiseTest evaluates; the helpers F/D/L/B (1-D float32/float64/int64/bool tensors) and
# F0/D0/L0 (0-dim) mean the same on both sides.
import math
import torch

nan, inf = float('nan'), float('inf')
F = lambda *v: torch.tensor(v, dtype=torch.float32)
D = lambda *v: torch.tensor(v, dtype=torch.float64)
L = lambda *v: torch.tensor(v, dtype=torch.int64)
B = lambda *v: torch.tensor(v, dtype=torch.bool)
F0 = lambda v: torch.tensor(v, dtype=torch.float32)
D0 = lambda v: torch.tensor(v, dtype=torch.float64)
L0 = lambda v: torch.tensor(v, dtype=torch.int64)

def jnum(v):
    if isinstance(v, bool): return '1' if v else '0'
    if isinstance(v, int): return str(v) + 'L'
    if math.isnan(v): return 'NaN'
    if math.isinf(v): return 'INF' if v > 0 else '-INF'
    if v == 0 and math.copysign(1, v) < 0: return '-0.0'
    return repr(float(v))

def jvals(t):
    vals = t.flatten().tolist()
    if t.dtype in (torch.int64, torch.bool):
        return 'new long[] {' + ', '.join(str(int(v)) + 'L' for v in vals) + '}'
    return 'new double[] {' + ', '.join(jnum(v) for v in vals) + '}'

JTYPE = {torch.float32: 'FLOAT32', torch.float64: 'FLOAT64', torch.int64: 'INT64', torch.bool: 'BOOL'}

# Java spells the seeds of the random tensors below out as literals; these are their values.
torch.manual_seed(0)
LA = torch.randn(20)
LE = torch.randn(20) * 3
S, T1, T2 = torch.randn(7), torch.randn(7), torch.randn(7)
def lit(t):
    return '(' + ', '.join(jnum(v) for v in t.tolist()) + ')'
JLA, JLE, JS, JT1, JT2 = ('F' + lit(t) for t in (LA, LE, S, T1, T2))

X = 'F(-0.0, 0.0, -inf, inf, nan, -8.0, 1.1, -2.3, 3.7, 1e-3, 1000.0, -1.0)'
PB = 'F(1.0, -1.0, -1.0, nan, 0.0, -0.0, -0.0, -2.0, 2.0, 0.5, inf, -inf)'
PE = 'F(nan, inf, -inf, 0.0, -1.0, -1.0, -2.0, 0.5, -0.5, 30.0, -0.5, 3.0)'
M1 = 'F(-0.0, 0.0, 1.0, nan, 2.0, -inf, 5.0)'
M2 = 'F(0.0, -0.0, nan, 1.0, 3.0, 7.0, inf)'
A1 = 'F(0.0, -0.0, 0.0, -0.0, 1.0, -1.0, inf, -inf, nan, 1.0, 3.0)'
A2 = 'F(0.0, 0.0, -0.0, -0.0, inf, -inf, inf, -inf, 1.0, 0.0, -4.0)'
R1 = 'F(5.0, -5.0, -0.0, 0.0, 5.0, -1e-20, inf, 7.5, -7.5, 7.5, -7.5, nan, 5.0, 1e10)'
R2 = 'F(inf, inf, 2.0, -2.0, 0.0, 1.0, 2.0, 2.0, 2.0, -2.0, -2.0, 1.0, nan, 3.3)'
C1 = 'F(1.0, nan, inf, -inf, -0.0, 0.0, 2.0, nan)'
C2 = 'F(1.0, nan, inf, inf, 0.0, -0.0, 1.0, 1.0)'
BIG = 'L(1, 9007199254740993, -5)'
BIG2 = 'L(2, 9007199254740992, -5)'
JBIG = 'L(1, 9007199254740993L, -5)'
JBIG2 = 'L(2, 9007199254740992L, -5)'

def j(expr):
    """The Java spelling of a case expression written in the shared mini-language."""
    out = expr.replace('nan', 'NaN').replace('inf', 'INF').replace('True', 'true').replace('False', 'false')
    return out

# (name, python expression, java expression, tolerance in ulps of the result type)
cases = []
def case(name, py, java=None, ulps=0):
    cases.append((name, py, java if java is not None else j(py), ulps))

for e in ['0.0', '1.0', '2.0', '3.0', '-2.0', '0.5', '-0.5', '-1.0', '2.2', '-1.3', '1.5']:
    # std::pow of float rounds a double result once (PyTorch's scalar loop): 1 ulp for the non-special exponents
    case(f'float32 pow({e}) specials', f'{X}.pow({e})', ulps=1 if e in ('2.2', '-1.3', '1.5') else 0)
case('float64 pow(2.2) specials', f'{X}.double().pow(2.2)', f'{j(X)}.to(DType.FLOAT64).pow(2.2)', ulps=1)
case('float64 pow(3.0) specials', f'{X}.double().pow(3.0)', f'{j(X)}.to(DType.FLOAT64).pow(3.0)')
case('float32 pow(tensor) C special cases', f'{PB}.pow({PE})', ulps=1)
case('float64 pow(tensor) C special cases', f'{PB}.double().pow({PE}.double())',
     f'{j(PB)}.to(DType.FLOAT64).pow({j(PE)}.to(DType.FLOAT64))', ulps=1)
case('int64 pow(int64): negative exponents, wrapping', 'L(2, -3, 1, -1, -1, 2, 0, 0, 3).pow(L(-1, 3, -3, -3, -2, 70, 0, 5, 39))')
case('int64 pow(bool)', 'L(2, 3).pow(B(True, False))')
case('pow(2.0, int64) is float32', 'torch.pow(2.0, L(2, 3, -1))', 'Tensor.pow(2.0, L(2, 3, -1))')
case('pow(2.5, float64)', 'torch.pow(2.5, D(2, 0.5, -1))', 'Tensor.pow(2.5, D(2, 0.5, -1))')
case('pow(0.1, float32): base rounded to float', 'torch.pow(0.1, F(2.0, 0.5, -1.0, 7.0))', 'Tensor.pow(0.1, F(2.0, 0.5, -1.0, 7.0))', ulps=1)
case('pow(1.0, x) is 1 even for NaN', 'torch.pow(1.0, F(nan, inf, -inf))', 'Tensor.pow(1.0, F(NaN, INF, -INF))')
case('int64 pow(2.0) is float32', 'L(2, 3, -4).pow(2.0)')
case('int64 pow(0.5) is float32', 'L(2, 3, -4).pow(0.5)')
case('bool pow(2.0) is float32', 'B(True, False).pow(2.0)')
case('int64 pow(float64 0-dim) is float64', 'L(2).pow(D0(2.5))')
case('float32 pow(float64 0-dim) stays float32', 'F(1.1).pow(D0(2.5))', ulps=1)
case('int64 ** int64 16777217 exact', 'L(4097).pow(L(2))')

case('maximum: NaN propagates, ties give the first', f'torch.maximum({M1}, {M2})', f'{j(M1)}.maximum({j(M2)})')
case('minimum: NaN propagates, ties give the first', f'torch.minimum({M1}, {M2})', f'{j(M1)}.minimum({j(M2)})')
case('maximum int64 exact beyond 2^53', f'torch.maximum({BIG}, {BIG2})', f'{JBIG}.maximum({JBIG2})')
case('minimum int64 exact beyond 2^53', f'torch.minimum({BIG}, {BIG2})', f'{JBIG}.minimum({JBIG2})')
case('maximum bool', 'torch.maximum(B(True, False, False), B(False, False, True))', 'B(true, false, false).maximum(B(false, false, true))')
case('minimum bool', 'torch.minimum(B(True, False, True), B(False, False, True))', 'B(true, false, true).minimum(B(false, false, true))')
case('maximum int64 float32', 'torch.maximum(L(1, 5), F(2.5, 1.0))', 'L(1, 5).maximum(F(2.5, 1.0))')
case('maximum int64 float64 0-dim is float64', 'torch.maximum(L(1, 5), D0(2.5))', 'L(1, 5).maximum(D0(2.5))')
case('maximum float32 float64 0-dim stays float32', 'torch.maximum(F(0.1, 5), D0(0.1))', 'F(0.1, 5).maximum(D0(0.1))')
case('maximum broadcast (3, 1) (2,)', 'torch.maximum(F(1, 5, 3).reshape(3, 1), F(2, 4))', 'F(1, 5, 3).reshape(3, 1).maximum(F(2, 4))')

case('float32 atan2 signed zeros and infinities', f'torch.atan2({A1}, {A2})', f'{j(A1)}.atan2({j(A2)})', ulps=1)
case('float64 atan2 signed zeros and infinities', f'torch.atan2({A1}.double(), {A2}.double())',
     f'{j(A1)}.to(DType.FLOAT64).atan2({j(A2)}.to(DType.FLOAT64))', ulps=1)
case('int64 atan2 is float32', 'torch.atan2(L(1, 0, -3), L(1, -1, 4))', 'L(1, 0, -3).atan2(L(1, -1, 4))', ulps=1)
case('bool atan2 is float32', 'torch.atan2(B(True), B(True))', 'B(true).atan2(B(true))', ulps=1)

case('float32 fmod specials', f'torch.fmod({R1}, {R2})', f'{j(R1)}.fmod({j(R2)})')
case('float32 remainder specials', f'torch.remainder({R1}, {R2})', f'{j(R1)}.remainder({j(R2)})')
case('float64 fmod specials', f'torch.fmod({R1}.double(), {R2}.double())', f'{j(R1)}.to(DType.FLOAT64).fmod({j(R2)}.to(DType.FLOAT64))')
case('float64 remainder specials', f'torch.remainder({R1}.double(), {R2}.double())', f'{j(R1)}.to(DType.FLOAT64).remainder({j(R2)}.to(DType.FLOAT64))')
case('float32 fmod(-2.5)', f'torch.fmod({R1}, -2.5)', f'{j(R1)}.fmod(-2.5)')
case('float32 remainder(-2.5)', f'torch.remainder({R1}, -2.5)', f'{j(R1)}.remainder(-2.5)')
case('float32 remainder(0.1): divisor rounded to float', 'torch.remainder(F(1.0, -1.0, 0.35), 0.1)', 'F(1.0, -1.0, 0.35).remainder(0.1)')
case('float64 remainder(0.1)', 'torch.remainder(D(1.0, -1.0, 0.35), 0.1)', 'D(1.0, -1.0, 0.35).remainder(0.1)')
case('int64 fmod exact', 'torch.fmod(L(7, -7, 7, -7, 0, 9223372036854775807, -9223372036854775807), L(3, 3, -3, -3, 5, 10, 10))',
     'L(7, -7, 7, -7, 0, 9223372036854775807L, -9223372036854775807L).fmod(L(3, 3, -3, -3, 5, 10, 10))')
case('int64 remainder exact', 'torch.remainder(L(7, -7, 7, -7, 0, 9223372036854775807, -9223372036854775807), L(3, 3, -3, -3, 5, 10, 10))',
     'L(7, -7, 7, -7, 0, 9223372036854775807L, -9223372036854775807L).remainder(L(3, 3, -3, -3, 5, 10, 10))')
case('int64 fmod(2.0) is float32', 'torch.fmod(L(7, -7, 0), 2.0)', 'L(7, -7, 0).fmod(2.0)')
case('int64 remainder(-2.0) is float32', 'torch.remainder(L(7, -7, 0), -2.0)', 'L(7, -7, 0).remainder(-2.0)')
case('int64 fmod(0.0) is NaN, not an error', 'torch.fmod(L(7, -7, 0), 0.0)', 'L(7, -7, 0).fmod(0.0)')
case('bool fmod(2.0) is float32', 'torch.fmod(B(True, False), 2.0)', 'B(true, false).fmod(2.0)')
case('int64 fmod(float64 0-dim) is float64', 'torch.fmod(L(5), D0(2.5))', 'L(5).fmod(D0(2.5))')
case('int64 remainder(bool)', 'torch.remainder(L(5, -5), B(True, True))', 'L(5, -5).remainder(B(true, true))')

for op in ['eq', 'ne', 'lt', 'le', 'gt', 'ge']:
    case(f'{op}: NaN, infinities, signed zeros', f'{C1}.{op}({C2})')
    case(f'{op}(0.0)', f'{C1}.{op}(0.0)')
    case(f'{op}(NaN)', f'{C1}.{op}(nan)')
    case(f'{op} int64 exact beyond 2^53', f'{BIG}.{op}({BIG2})', f'{JBIG}.{op}({JBIG2})')
case('int64 eq(16777216.0) compares in float32', 'L(16777217, 16777216, 1).eq(16777216.0)')
case('int64 eq(float64 0-dim) compares in float64', 'L(16777217, 16777216, 1).eq(D0(16777216.0))')
case('float32 eq(0.1): the scalar is rounded to float', 'F(0.1, 0.2).eq(0.1)')
case('float64 eq(0.1)', 'D(0.1, 0.2).eq(0.1)')
case('float32 eq(float64 0-dim): compared in float32', 'F(0.1, 0.2).eq(D0(0.1))')
case('float32 eq(float64 with dims): compared in float64', 'F(0.1, 0.2).eq(D(0.1))')
case('bool lt(0.5)', 'B(True, False).lt(0.5)')
case('bool eq(int64)', 'B(True, False, True).eq(L(1, 0, 2))')
case('bool ge(bool)', 'B(True, False, False).ge(B(False, True, False))')
case('int64 gt(2.5)', 'L(2, 3, -3).gt(2.5)')
case('lt broadcast (3, 1) (2,)', 'F(1.0, 2.0, 3.0).reshape(3, 1).lt(F(1.5, 2.5))')

G1 = 'F(nan, -0.0, 2.0, 0.0, inf)'
G2 = 'L(1, 1, 0, 0, -3)'
case('logical_and: NaN is true, -0.0 false', f'torch.logical_and({G1}, {G2})', f'{j(G1)}.logicalAnd({G2})')
case('logical_or', f'torch.logical_or({G1}, {G2})', f'{j(G1)}.logicalOr({G2})')
case('logical_xor', f'torch.logical_xor({G1}, {G2})', f'{j(G1)}.logicalXor({G2})')
case('logical_not float', f'torch.logical_not({G1})', f'{j(G1)}.logicalNot()')
case('logical_not int64', f'torch.logical_not({G2})', f'{G2}.logicalNot()')
case('logical_and broadcast', 'torch.logical_and(L(1, 0).reshape(2, 1), B(True, False, True))', 'L(1, 0).reshape(2, 1).logicalAnd(B(true, false, true))')

# lerp: PyTorch 1.13 rounds a + w * (end - a) (w < 0.5) or end - (end - a) * (1 - w) with one fused multiply-add
la, le = 'LA', 'LE'
for w in ['0.3', '0.7', '-1.5', '-0.5', '0.5', '1.5']:
    case(f'float32 lerp({w}) fused', f'torch.lerp(LA, LE, {w})', f'{JLA}.lerp({JLE}, {w})')
for w in ['0.3', '0.7']:
    case(f'float64 lerp({w})', f'torch.lerp(LA.double(), LE.double(), {w})', f'{JLA}.to(DType.FLOAT64).lerp({JLE}.to(DType.FLOAT64), {w})')
case('lerp infinities and NaN', 'torch.lerp(F(inf, 1.0, nan, 1.0), F(inf, inf, 1.0, 2.0), 0.5)', 'F(INF, 1.0, NaN, 1.0).lerp(F(INF, INF, 1.0, 2.0), 0.5)')
case('lerp broadcast (3, 1) (2,)', 'torch.lerp(F(1, 2, 3).reshape(3, 1), F(10, 20), 0.25)', 'F(1, 2, 3).reshape(3, 1).lerp(F(10, 20), 0.25)')

# addcmul is rounded as fma(value * t1, t2, self) (PyTorch's CPU build contracts the scalar loop too);
# addcdiv as ((value * t1) / t2) + self
case('float32 addcmul(0.1)', 'torch.addcmul(S, T1, T2, value=0.1)', f'{JS}.addcmul({JT1}, {JT2}, 0.1)')
case('float32 addcdiv(0.1)', 'torch.addcdiv(S, T1, T2, value=0.1)', f'{JS}.addcdiv({JT1}, {JT2}, 0.1)')
case('int64 addcmul(2.7): value truncated to int64', 'torch.addcmul(L(1, 2), L(3, 4), L(5, 6), value=2.7)', 'L(1, 2).addcmul(L(3, 4), L(5, 6), 2.7)')
case('int64 addcmul(-2.7)', 'torch.addcmul(L(1, 2), L(3, 4), L(5, 6), value=-2.7)', 'L(1, 2).addcmul(L(3, 4), L(5, 6), -2.7)')
case('int64 addcmul(0.5) adds nothing', 'torch.addcmul(L(1, 2), L(3, 4), L(5, 6), value=0.5)', 'L(1, 2).addcmul(L(3, 4), L(5, 6), 0.5)')
case('addcmul float32, float64 0-dim, int64: float32', 'torch.addcmul(F(1., 2), D0(3), L(5, 6), value=0.1)', 'F(1., 2).addcmul(D0(3), L(5, 6), 0.1)')
case('addcmul of 0-dims: float64', 'torch.addcmul(F0(1.), D0(3), L0(5), value=0.1)', 'F0(1.).addcmul(D0(3), L0(5), 0.1)')
case('addcmul int64, int64, float32: float32', 'torch.addcmul(L(1, 2), L(3), F(5.0), value=0.5)', 'L(1, 2).addcmul(L(3), F(5.0), 0.5)')
case('addcdiv int64, float32, int64: float32', 'torch.addcdiv(L(1, 2), F(3., 4), L(5, 6), value=2.0)', 'L(1, 2).addcdiv(F(3., 4), L(5, 6), 2.0)')
case('addcmul broadcast (2,) (1,) (2, 1)', 'torch.addcmul(F(1., 2), F(3.), F(5., 6).reshape(2, 1), value=0.1)', 'F(1., 2).addcmul(F(3.), F(5., 6).reshape(2, 1), 0.1)')

case('float32 add_(float64): computed in float64, rounded once', 'F(16777216.0).add_(D(1.0))')
case('float32 mul_(float64)', 'F(0.1).mul_(D(3.0))')
case('float32 div_(float64)', 'F(1.0).div_(D(3.0))')
case('float32 sub_(float64 0-dim)', 'F(1.0).sub_(D0(0.1))')
case('float64 mul_(float32)', 'D(0.1).mul_(F(3.0))')
case('float64 add_(0.1)', 'D(1.0).add_(0.1)')
case('float32 add_(1.0) at 2^24', 'F(16777216.0).add_(1.0)')
case('float32 mul_(0.1)', 'F(3.0).mul_(0.1)')
case('float32 div_(3.0)', 'F(1.0).div_(3.0)')
case('float32 sub_(0.1)', 'F(1.0).sub_(0.1)')
case('int64 mul_(bool)', 'L(3, 4).mul_(B(True, False))')
case('int64 sub_(int64) broadcast', 'L(3, 4).sub_(L(5))')
case('bool mul_(bool)', 'B(True, True, False).mul_(B(True, False, True))')
case('float32 div_(int64)', 'F(1.0, 2.0).div_(L(3, 0))')

errors = []
def error(name, py, java=None):
    errors.append((name, py, java if java is not None else j(py)))

error('int64 fmod by zero', 'torch.fmod(L(7, -7), L(2, 0))', 'L(7, -7).fmod(L(2, 0))')
error('int64 remainder by zero', 'torch.remainder(L(7, -7), L0(0))', 'L(7, -7).remainder(L0(0))')
error('int64 remainder by false', 'torch.remainder(L(7), B(False))', 'L(7).remainder(B(false))')
error('bool fmod', 'torch.fmod(B(True), B(True))', 'B(true).fmod(B(true))')
error('bool remainder', 'torch.remainder(B(True), B(True))', 'B(true).remainder(B(true))')
error('bool pow', 'torch.pow(B(True), B(True))', 'B(true).pow(B(true))')
error('lerp dtypes differ', 'torch.lerp(F(1.0), D(2.0), 0.5)', 'F(1.0).lerp(D(2.0), 0.5)')
error('lerp dtypes differ (int64 end)', 'torch.lerp(F(1.0), L(2), 0.5)', 'F(1.0).lerp(L(2), 0.5)')
error('lerp dtypes differ (int64 self)', 'torch.lerp(L(1), F(2.0), 0.5)', 'L(1).lerp(F(2.0), 0.5)')
error('lerp of int64', 'torch.lerp(L(1), L(2), 0.5)', 'L(1).lerp(L(2), 0.5)')
error('lerp of bool', 'torch.lerp(B(True), B(False), 0.5)', 'B(true).lerp(B(false), 0.5)')
error('lerp shapes', 'torch.lerp(F(1.0, 2.0), F(1.0, 2.0, 3.0), 0.5)', 'F(1.0, 2.0).lerp(F(1.0, 2.0, 3.0), 0.5)')
error('addcdiv of int64', 'torch.addcdiv(L(1, 2), L(3, 4), L(5, 6), value=2.0)', 'L(1, 2).addcdiv(L(3, 4), L(5, 6), 2.0)')
error('addcdiv float self, int64 and bool', 'torch.addcdiv(F(1.0), L(3), B(True), value=2.0)', 'F(1.0).addcdiv(L(3), B(true), 2.0)')
error('addcmul of bool', 'torch.addcmul(B(True), B(True), B(True), value=2.0)', 'B(true).addcmul(B(true), B(true), 2.0)')
error('eq shapes', 'F(1, 2).eq(F(1, 2, 3))', 'F(1, 2).eq(F(1, 2, 3))')
error('maximum shapes', 'torch.maximum(F(1, 2), F(1, 2, 3))', 'F(1, 2).maximum(F(1, 2, 3))')
error('int64 add_(2.5)', 'L(1, 2).add_(2.5)')
error('int64 mul_(2.0)', 'L(1, 2).mul_(2.0)')
error('int64 div_(int64)', 'L(1, 2).div_(L(1, 2))')
error('bool add_(1.0)', 'B(True).add_(1.0)', 'B(true).add_(1.0)')
error('bool mul_(2.0)', 'B(True).mul_(2.0)', 'B(true).mul_(2.0)')
error('bool sub_(1.0)', 'B(True).sub_(1.0)', 'B(true).sub_(1.0)')
error('bool sub_(bool)', 'B(True).sub_(B(True))', 'B(true).sub_(B(true))')
error('int64 sub_(bool)', 'L(1, 2).sub_(B(True))', 'L(1, 2).sub_(B(true))')
error('bool div_(bool)', 'B(True).div_(B(True))', 'B(true).div_(B(true))')
error('int64 mul_(float64 0-dim)', 'L(3).mul_(D0(2))')
error('bool mul_(int64)', 'B(True).mul_(L(2))', 'B(true).mul_(L(2))')
error('mul_ shapes', 'F(1.0).mul_(F(1.0, 2.0).reshape(2, 1))')
error('mul_ of an expanded tensor', 'F(1.0, 2.0).expand(2, 2).mul_(2.0)')
error('div_ of an expanded tensor', 'F(1.0, 2.0).expand(2, 2).div_(F(2.0))')


# Gradients at the kinks and special points, float64 leaves, upstream gradient of ones:
# (name, leaf values, python function of the leaf list t, java function of the leaf array t)
grads = []
def grad(name, leaves, py, java=None):
    grads.append((name, leaves, py, java if java is not None else j(py)))

grad('pow(tensor) at 0, negative base, zero exponent', [[0.0, 0.0, -2.0, 2.0, 0.0], [0.0, 2.0, 0.5, 0.0, -1.0]], 't[0].pow(t[1])')
grad('pow(0.0): zero gradient even at NaN', [[0.0, -2.0, nan]], 't[0].pow(0.0)')
grad('pow(2.0)', [[0.0, -2.0, 3.0]], 't[0].pow(2.0)')
grad('pow(0.5) at 0 and below', [[0.0, -2.0, 2.0]], 't[0].pow(0.5)')
grad('pow(-1.0) at -0.0 and 0', [[-0.0, 0.0, 2.0]], 't[0].pow(-1.0)')
grad('pow(1.0) at NaN', [[nan, 2.0]], 't[0].pow(1.0)')
grad('pow(0.0, e): zero where e >= 0', [[0.0, 2.0, 0.5, -1.0]], 'torch.pow(0.0, t[0])', 'Tensor.pow(0.0, t[0])')
grad('pow(-2.0, e): NaN', [[0.0, 2.0]], 'torch.pow(-2.0, t[0])', 'Tensor.pow(-2.0, t[0])')
grad('pow(1.0, e)', [[0.0, nan]], 'torch.pow(1.0, t[0])', 'Tensor.pow(1.0, t[0])')
grad('maximum: ties split, NaN gives both', [[1.0, 2.0, nan, 3.0, nan], [1.0, 1.0, 1.0, nan, nan]], 'torch.maximum(t[0], t[1])', 't[0].maximum(t[1])')
grad('minimum: ties split, NaN gives both', [[1.0, 2.0, nan, 3.0, nan], [1.0, 1.0, 1.0, nan, nan]], 'torch.minimum(t[0], t[1])', 't[0].minimum(t[1])')
grad('maximum broadcast with ties', [[1.0, 2.0, 3.0], [2.0]], 'torch.maximum(t[0], t[1])', 't[0].maximum(t[1])')
grad('atan2 at the origin', [[0.0, 1.0, -0.0], [0.0, 0.0, -1.0]], 'torch.atan2(t[0], t[1])', 't[0].atan2(t[1])')
grad('fmod: trunc quotient', [[7.5, -7.5, 7.5, -7.5, 6.0], [2.0, 2.0, -2.0, -2.0, 2.0]], 'torch.fmod(t[0], t[1])', 't[0].fmod(t[1])')
grad('remainder: floor quotient', [[7.5, -7.5, 7.5, -7.5, 6.0], [2.0, 2.0, -2.0, -2.0, 2.0]], 'torch.remainder(t[0], t[1])', 't[0].remainder(t[1])')
grad('remainder by zero', [[1.0, -1.0], [0.0, 0.0]], 'torch.remainder(t[0], t[1])', 't[0].remainder(t[1])')
grad('fmod(0.0) scalar', [[1.0, -1.0]], 'torch.fmod(t[0], 0.0)', 't[0].fmod(0.0)')
grad('addcdiv by zero', [[1.0, 1.0], [1.0, 0.0], [0.0, 2.0]], 'torch.addcdiv(t[0], t[1], t[2], value=0.5)', 't[0].addcdiv(t[1], t[2], 0.5)')
grad('lerp(1.5) broadcast', [[1.0, 2.0], [[3.0], [4.0]]], 'torch.lerp(t[0], t[1], 1.5)', 't[0].lerp(t[1], 1.5)')
grad('x * 1 then div_(y) at y = 0', [[1.0, 0.0], [0.0, 0.0]], '(t[0] * 1).div_(t[1])', 't[0].mul(1.0).div_(t[1])')

def run_case(py):
    return eval(py)

print('// GENERATED by src/test/resources/pointwise/PointwiseTestGen.py from PyTorch ' + torch.__version__ + ': do not edit.')
print('package dev.vectorgrad;')
print()
print('import java.util.ArrayList;')
print('import java.util.List;')
print()
print('/** PyTorch\'s results for {@link PointwiseTest}: forward values with their dtype and shape, and error messages. */')
print('final class PointwiseGoldenCases {')
print('  private PointwiseGoldenCases() {}')
print()
print('  private static final double NaN = Double.NaN, INF = Double.POSITIVE_INFINITY;')
print()
print('  static List<PointwiseTest.Golden> values() {')
print('    List<PointwiseTest.Golden> c = new ArrayList<>();')
for name, py, java, ulps in cases:
    r = run_case(py)
    shape = ', '.join(str(s) for s in r.shape)
    print(f'    c.add(new PointwiseTest.Golden("{name}", () -> {java},')
    print(f'        DType.{JTYPE[r.dtype]}, new long[] {{{shape}}}, {jvals(r)}, {ulps}));')
print('    return c;')
print('  }')
print()
print('  static List<PointwiseTest.GoldenError> errors() {')
print('    List<PointwiseTest.GoldenError> c = new ArrayList<>();')
for name, py, java in errors:
    try:
        run_case(py)
        raise SystemExit('no error from ' + py)
    except RuntimeError as e:
        msg = str(e).split('\n')[0]
    msg = msg.replace('\\', '\\\\').replace('"', '\\"')
    print(f'    c.add(new PointwiseTest.GoldenError("{name}", () -> {java},')
    print(f'        "{msg}"));')
print('    return c;')
print('  }')

print()
print('  static List<PointwiseTest.GoldenGrad> grads() {')
print('    List<PointwiseTest.GoldenGrad> c = new ArrayList<>();')
for name, leaves, py, java in grads:
    t = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in leaves]
    y = eval('lambda t: ' + py)(t)
    y.backward(torch.ones_like(y))
    def arr2(vals):
        return '{' + ', '.join(jnum(v) for v in torch.tensor(vals, dtype=torch.float64).flatten().tolist()) + '}'
    leafs = ', '.join('new double[] ' + arr2(v) for v in leaves)
    shapes = ', '.join('new long[] {' + ', '.join(str(d) for d in x.shape) + '}' for x in t)
    gs = ', '.join('new double[] ' + arr2(x.grad.tolist()) for x in t)
    print(f'    c.add(new PointwiseTest.GoldenGrad("{name}", new double[][] {{{leafs}}}, new long[][] {{{shapes}}},')
    print(f'        t -> {java}, "{y.grad_fn.name()}", new double[][] {{{gs}}}));')
print('    return c;')
print('  }')
print()
print('  private static Tensor F(double... v) { return PointwiseTest.F(v); }')
print('  private static Tensor D(double... v) { return PointwiseTest.D(v); }')
print('  private static Tensor L(long... v) { return PointwiseTest.L(v); }')
print('  private static Tensor B(boolean... v) { return PointwiseTest.B(v); }')
print('  private static Tensor F0(double v) { return Tensor.full(DType.FLOAT32, v); }')
print('  private static Tensor D0(double v) { return Tensor.full(DType.FLOAT64, v); }')
print('  private static Tensor L0(long v) { return PointwiseTest.L(v).reshape(); }')
print('}')
