#!/usr/bin/python3
"""Fits ScalarMath.TH0..TH6: tanh(x) = x + x^3 Q(x^2) on |x| < 0.9, Q of degree 6.

Near-minimax in relative error: least squares on 4000 Chebyshev-spaced points of (0, 0.9] weighted by
1/|tanh(x)|, reweighted by Lawson's rule for 30 rounds, with mpmath's 40-digit tanh as the reference;
then rounded to float32 (the rounding dominates: ~6e-9 relative, a tenth of an ulp). The float
evaluation's own error is measured over every float by TanhTest.

    /usr/bin/python3 src/build/kernels/fit_tanh.py
"""
import mpmath
import numpy as np

mpmath.mp.dps = 40
T, DEG = 0.9, 6
xs = np.cos(np.linspace(0, np.pi / 2, 4000)) * T
xs = xs[xs > 1e-4]
ref = np.array([float(mpmath.tanh(mpmath.mpf(float(x)))) for x in xs])
z = xs ** 2
A = np.stack([xs ** 3 * z ** k for k in range(DEG + 1)], axis=1)
b = ref - xs
w = np.ones_like(xs)
for _ in range(30):
    W = w / np.abs(ref)
    c, *_ = np.linalg.lstsq(A * W[:, None], b * W, rcond=None)
    err = (A @ c - b) / np.abs(ref)
    w = w * np.abs(err) ** 0.5 + 1e-30
    w /= w.max()
c32 = c.astype(np.float32)
err32 = np.abs((A @ c32.astype(np.float64) - b) / ref).max()
print("max relative error of the fit with float32 coefficients: %.3g" % err32)
for k, v in enumerate(c32):
    print("TH%d = %sf" % (k, repr(float(v))))
