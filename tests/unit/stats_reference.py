#!/usr/bin/env python3
"""Reference values for tests/unit/test_stats.c, computed independently of
src/core/stats.c with python3's standard library only (no scipy here).

Run `python3 tests/unit/stats_reference.py` to print the C table rows that
test_stats.c holds. The methods deliberately differ from the C code:

  descriptives   statistics.mean / stdev (exact rational arithmetic inside)
                 and statistics.quantiles(n=4, method="inclusive") (= R type 7)
  t quantiles    Newton on the t CDF 0.5 + c * integral_0^t (1+u^2/df)^-(df+1)/2
                 by composite Simpson (math.fsum); the constant c from the
                 exact recurrence Gamma((v+2)/2)/Gamma((v+1)/2) ... (no lgamma,
                 no incomplete beta)
  Clopper-       bisection on exact binomial tail sums
  Pearson        (math.comb, P(X >= x) = 0.025 and P(X <= x) = 0.025)
  Poisson        bisection on Poisson tail sums (P(X >= k) = 0.025,
                 P(X <= k) = 0.025)
  Wilson         the closed form with z = statistics.NormalDist().inv_cdf(0.975)
"""
import math
import statistics
from fractions import Fraction

Z = statistics.NormalDist().inv_cdf(0.975)


# ---------------------------------------------------------------- t quantile
def t_const(df):
    """c = Gamma((df+1)/2) / (sqrt(df pi) Gamma(df/2)) for integer df, by the
    recurrence r(v+2) = r(v) (v+1)/v of r(v) = Gamma((v+1)/2)/Gamma(v/2),
    summed in logs with fsum; r(1) = 1/sqrt(pi), r(2) = sqrt(pi)/2."""
    if df % 2 == 1:
        logs = [-0.5 * math.log(math.pi)] + [math.log1p(1.0 / j) for j in range(1, df - 1, 2)]
    else:
        logs = [0.5 * math.log(math.pi) - math.log(2.0)] + [
            math.log1p(1.0 / j) for j in range(2, df - 1, 2)]
    return math.exp(math.fsum(logs)) / math.sqrt(df * math.pi)


def t_cdf(t, df, c, n=20000):
    h = t / n
    f = lambda u: (1.0 + u * u / df) ** (-(df + 1) / 2.0)
    terms = [f(0.0), f(t)]
    terms += [4.0 * f((2 * i - 1) * h) for i in range(1, n // 2 + 1)]
    terms += [2.0 * f(2 * i * h) for i in range(1, n // 2)]
    return 0.5 + c * h / 3.0 * math.fsum(terms)


def t_cornish_fisher(p, df):
    """Abramowitz & Stegun 26.7.5 (Cornish-Fisher expansion of t in 1/df,
    terms to df^-4, z = NormalDist().inv_cdf(p)); the next term is below
    1e-20 for df >= 1e5, where the Simpson CDF is no longer accurate
    (3.5e-13 off at df = 1e6)."""
    z = statistics.NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def t_quantile(p, df):
    """Newton from below on the concave CDF (t > 0): monotone convergence."""
    if df >= 100000:
        return t_cornish_fisher(p, df)
    c = t_const(df)
    t = 1.0
    for _ in range(200):
        F = t_cdf(t, df, c)
        dens = c * (1.0 + t * t / df) ** (-(df + 1) / 2.0)
        step = (p - F) / dens
        t += step
        if abs(step) < 1e-15 * t:
            break
    return t


# ------------------------------------------------------- binomial / Poisson
def binom_upper_tail(x, n, p):  # P(X >= x)
    if p <= 0.0:
        return 0.0 if x > 0 else 1.0
    if p >= 1.0:
        return 1.0
    lp, lq = math.log(p), math.log1p(-p)
    return math.fsum(math.exp(math.log(math.comb(n, k)) + k * lp + (n - k) * lq)
                     for k in range(x, n + 1))


def binom_lower_tail(x, n, p):  # P(X <= x)
    if p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0 if x < n else 1.0
    lp, lq = math.log(p), math.log1p(-p)
    return math.fsum(math.exp(math.log(math.comb(n, k)) + k * lp + (n - k) * lq)
                     for k in range(0, x + 1))


def bisect(f, lo, hi):
    """Root of an increasing f on [lo, hi] to the last representable bit."""
    while True:
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            return mid
        if f(mid) < 0.0:
            lo = mid
        else:
            hi = mid


def clopper_pearson(x, n):
    if n > 100000:  # few events in a large n: sum the short lower tail only
        lo = 0.0 if x == 0 else bisect(
            lambda p: (1.0 - binom_lower_tail(x - 1, n, p)) - 0.025, 0.0, 1.0)
        hi = bisect(lambda p: 0.025 - binom_lower_tail(x, n, p), 0.0, 1.0)
        return lo, hi
    lo = 0.0 if x == 0 else bisect(lambda p: binom_upper_tail(x, n, p) - 0.025, 0.0, 1.0)
    hi = 1.0 if x == n else bisect(lambda p: 0.025 - binom_lower_tail(x, n, p), 0.0, 1.0)
    return lo, hi


def poisson_pmf_log(j, lam):
    return j * math.log(lam) - lam - math.lgamma(j + 1)


def poisson_upper_tail(k, lam):  # P(X >= k), summed upward (no cancellation)
    terms, j = [], k
    while True:
        t = math.exp(poisson_pmf_log(j, lam))
        terms.append(t)
        if j > lam and t < 1e-30:
            break
        j += 1
    return math.fsum(terms)


def poisson_lower_tail(k, lam):  # P(X <= k)
    return math.fsum(math.exp(poisson_pmf_log(j, lam)) for j in range(0, k + 1))


def poisson_exact(k, exposure):
    top = 10.0 * k + 50.0
    lo = 0.0 if k == 0 else bisect(lambda l: poisson_upper_tail(k, l) - 0.025, 1e-300, top)
    hi = bisect(lambda l: 0.025 - poisson_lower_tail(k, l), 1e-300, top)
    return lo / exposure, hi / exposure


def wilson(x, n):
    z2 = Z * Z
    center = (x + z2 / 2) / (n + z2)
    half = Z * math.sqrt(x * (n - x) / n + z2 / 4) / (n + z2)
    return (0.0 if x == 0 else center - half), (1.0 if x == n else center + half)


# ---------------------------------------------------------------- datasets
def lcg_values(count):
    """Same generator as lcg_fill() in test_stats.c."""
    s, out = 12345, []
    for _ in range(count):
        s = (s * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        out.append(((s >> 33) % 100000) / 100.0)
    return out


DATASETS = {
    "d_classic": [2, 4, 4, 4, 5, 5, 7, 9],
    "d_scores": [50, 62, 38, 71, 55, 49, 66, 58, 44],
    "d_two": [1, 3],
    "d_four": [1, 2, 3, 4],
    "d_mixed": [-3.5, 10.25, 0, 2.75, -1, 8, 8, 4.5, 6, -2.25, 3],
    "d_offset": [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4],
    "d_ties": [3, 1, 3, 3, 2, 3, 3],
    "lcg1001": lcg_values(1001),
}


def g(v):
    return repr(float(v))


def main():
    print("/* descriptives: name, n, mean, sd, ci_low, ci_high, q1, median, q3 */")
    for name, data in DATASETS.items():
        n = len(data)
        mean = statistics.mean(Fraction(x) for x in data)
        sd = statistics.stdev(data)
        t = t_quantile(0.975, n - 1)
        half = t * sd / math.sqrt(n)
        q1, med, q3 = statistics.quantiles(data, n=4, method="inclusive")
        print(f"  {{\"{name}\", {n}, {g(mean)}, {g(sd)}, {g(float(mean) - half)}, "
              f"{g(float(mean) + half)}, {g(q1)}, {g(med)}, {g(q3)}}},")

    print("/* paired: before/after of d_pairs below -> n, mean diff, sd, ci */")
    before = [40, 52, 33, 61, 47, 55, 38]
    after = [44, 51, 40, 66, 47, 61, 45]
    diffs = [a - b for a, b in zip(after, before)]
    sd = statistics.stdev(diffs)
    half = t_quantile(0.975, len(diffs) - 1) * sd / math.sqrt(len(diffs))
    m = statistics.mean(diffs)
    print(f"  mean {g(m)} sd {g(sd)} ci {g(m - half)} {g(m + half)}")

    print("/* t(0.975, df) */")
    for df in [1, 2, 3, 4, 5, 6, 7, 9, 10, 14, 19, 29, 30, 49, 99, 100, 999, 10000, 1000000, 1000000000, 1000000000000]:
        print(f"  {{{df}, {g(t_quantile(0.975, df))}}},")
    print("/* t(0.995, df), t(0.9, df) */")
    for p in [0.995, 0.9]:
        for df in [1, 5, 30]:
            print(f"  {{{p}, {df}, {g(t_quantile(p, df))}}},")

    print("/* Wilson and Clopper-Pearson: x, n, wilson low/high, cp low/high */")
    for x, n in [(0, 1), (1, 1), (0, 10), (10, 10), (1, 10), (5, 10), (81, 263), (15, 148),
                 (0, 20), (1, 29), (3, 100), (76, 120), (999, 1000), (7, 5000),
                 (0, 1000000), (2, 1000000), (7, 5000000), (1, 100000000), (9, 10000000),
                 (30, 10000000)]:
        wl, wh = wilson(x, n)
        cl, ch = clopper_pearson(x, n)
        print(f"  {{{x}, {n}, {g(wl)}, {g(wh)}, {g(cl)}, {g(ch)}}},")

    print("/* Poisson exact: events, exposure, low, high */")
    for k, e in [(0, 1), (0, 50), (1, 1), (2, 10), (5, 120), (12, 340), (30, 30), (100, 2500),
                 (250, 100)]:
        lo, hi = poisson_exact(k, e)
        print(f"  {{{k}, {e}, {g(lo)}, {g(hi)}}},")


if __name__ == "__main__":
    main()
