// Softmax row kernels. exp(x) = 2^n * e^r: n = round(x / ln2) by the 1.5*2^23 magic-number trick,
// r = x - n*ln2 with ln2 split in two (Cody & Waite 1980), e^r by its degree-6 Taylor polynomial on
// |r| <= 0.347, 2^n assembled in the exponent bits. Inputs are clamped to [-87.3, 88.7].
// Written as plain loops that clang vectorises; target_clones builds AVX-512, AVX2 and baseline
// versions and the loader picks the widest the CPU has.
#include "ckernels.h"
#include <stdint.h>
#include <string.h>

#define CLONES __attribute__((target_clones("avx512f", "avx2,fma", "default")))

static inline float exp_approx(float x) {
    const float magic = 12582912.0f;  // 1.5 * 2^23
    float c = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
    float shifted = c * 1.44269504f + magic;
    float n = shifted - magic;
    float r = (c - n * 0.69314575f) - n * 1.4286068e-6f;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    uint32_t bits;
    memcpy(&bits, &shifted, 4);
    bits = (bits - 0x4B400000u + 127u) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return p * scale;
}

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
