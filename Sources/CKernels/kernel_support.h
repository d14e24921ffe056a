// What the kernels share (private to CKernels): the target clones every vectorised kernel is built as,
// and the exp of the softmax and LSTM kernels.
#ifndef TL_KERNEL_SUPPORT_H
#define TL_KERNEL_SUPPORT_H

#include <stdint.h>
#include <string.h>

// AVX-512, AVX2 + FMA (x86-64-v3) and baseline versions of a kernel; the loader picks the widest the CPU has.
// (Not "avx2,fma": clang reads the comma as a separator, making an AVX2 clone without FMA and an FMA one.)
#define CLONES __attribute__((target_clones("avx512f", "arch=x86-64-v3", "default")))

// exp(x) = 2^n * e^r: n = round(x / ln2) by the 1.5*2^23 magic-number trick, r = x - n*ln2 with ln2
// split in two (Cody & Waite 1980), e^r by its degree-6 Taylor polynomial on |r| <= 0.347, 2^n
// assembled in the exponent bits. Inputs are clamped to [-87.3, 88.7]. Plain arithmetic that clang
// vectorises in the loops that call it.
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

#endif
