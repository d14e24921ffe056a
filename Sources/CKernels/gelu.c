// GELU with the erf form, 0.5·x·(1 + erf(x/√2)) (Hendrycks & Gimpel 2016), and its backward, vectorised:
// erf by Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7) with the shared exp approximation, so the
// loops carry no libm call (glibc's erff is scalar).
#include "ckernels.h"
#include "kernel_support.h"

static inline float erf_approx(float x) {
    float a = x < 0 ? -x : x;
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    float y = 1.0f - p * t * exp_approx(-a * a);
    return x < 0 ? -y : y;
}

CLONES void tl_gelu_forward(const float *restrict x, float *restrict y, long n) {
    for (long i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + erf_approx(x[i] * 0.70710678f));
}

// dx += dy · (Φ(x) + x·φ(x)).
CLONES void tl_gelu_backward(const float *restrict x, const float *restrict dy, float *restrict dx, long n) {
    for (long i = 0; i < n; i++) {
        float cdf = 0.5f * (1.0f + erf_approx(x[i] * 0.70710678f));
        float pdf = 0.39894228f * exp_approx(-0.5f * x[i] * x[i]);
        dx[i] += dy[i] * (cdf + x[i] * pdf);
    }
}
