// Softmax row kernels (max, shifted exp with its sum, scale), with the exp of kernel_support.h.
// Written as plain loops that clang vectorises; target_clones builds AVX-512, AVX2 and baseline
// versions and the loader picks the widest the CPU has.
#include "ckernels.h"
#include "kernel_support.h"

float tl_exp(float x) { return exp_approx(x); }

CLONES float tl_max(const float *x, long n) {
    float lanes[16];
    for (int k = 0; k < 16; k++) lanes[k] = -__builtin_inff();
    long i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++) lanes[k] = lanes[k] > x[i + k] ? lanes[k] : x[i + k];
    float m = -__builtin_inff();
    for (int k = 0; k < 16; k++) m = m > lanes[k] ? m : lanes[k];
    for (; i < n; i++) m = m > x[i] ? m : x[i];
    return m;
}

CLONES float tl_exp_shifted(float *x, long n, float shift) {
    for (long i = 0; i < n; i++) x[i] = exp_approx(x[i] - shift);
    float lanes[16] = {0};
    long i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++) lanes[k] += x[i + k];
    float s = 0;
    for (int k = 0; k < 16; k++) s += lanes[k];
    for (; i < n; i++) s += x[i];
    return s;
}

CLONES void tl_scale(float *x, long n, float s) {
    for (long i = 0; i < n; i++) x[i] *= s;
}
