#!/usr/bin/python3
"""Fits the two polynomials VectorLM's vector erf / normal CDF use (tensor-core Simd.java).

Usage: /usr/bin/python3 tools/fit_erf.py      (prints the coefficients, highest degree first)

  erf(x)/x          = P(x^2)  on 0 < x < 1, degree 6, least squares on Chebyshev nodes;
  erfc(a)*exp(a^2)  = Q(t)    with t = 1/(1 + a/2) on 1 <= a <= 9.3 (beyond, exp(-a^2)
                               underflows in float32), degree 9, relative least squares.
Deterministic (numpy.polyfit on fixed grids); the reference values come from math.erf/erfc.
"""
import math

import numpy as np

x = np.cos(np.linspace(0, math.pi, 8001)) * 0.5 + 0.5
x = x[x > 1e-4]
small = np.polyfit(x * x, [math.erf(v) / v for v in x], 6)
print("ERF_SMALL", ", ".join("%.9e" % c for c in small),
      "max error %.2e" % np.abs(np.polyval(small, x * x) - [math.erf(v) / v for v in x]).max())

a = np.linspace(1, 9.3, 40001)
t = 1 / (1 + 0.5 * a)
y = np.array([math.erfc(v) * math.exp(v * v) for v in a])
large = np.polyfit(t, y, 9, w=1 / y)
print("ERFC_LARGE", ", ".join("%.9e" % c for c in large),
      "max relative error %.2e" % np.abs((np.polyval(large, t) - y) / y).max())
