// Element-wise optimizer updates whose scalar Swift loops did not vectorise (a square root and a
// division per element): Adadelta's dense update of a 50,000-word embedding was 28 % of a BiLSTM
// run; Adam updates whole embeddings and LM decoders. Written as plain loops with the Swift rule's
// exact operation order; with -ffp-contract=off and -fno-math-errno (Package.swift) clang vectorises them without fusing or
// reordering anything, and IEEE square root and division are correctly rounded in every lane, so
// the results are bit for bit those of the scalar rule.
#include "ckernels.h"
#include "kernel_support.h"
#include <math.h>

// The gradient with L2 weight decay added, as the Swift rule has it: exactly g when there is none
// (g + 0·w would turn −0 into +0 and an infinite weight into NaN).
static inline float decayed(const float *restrict g, const float *restrict w, long i, float l2) {
    return l2 == 0 ? g[i] : g[i] + l2 * w[i];
}

CLONES void tl_adadelta_step(float *restrict w, const float *restrict g, float *restrict square_average,
                             float *restrict delta_average, long n, float lr, float rho, float epsilon, float l2) {
    const float keep = 1.0f - rho;
    for (long i = 0; i < n; i++) {
        float d = decayed(g, w, i, l2);
        float sq = rho * square_average[i] + keep * d * d;
        square_average[i] = sq;
        float delta = sqrtf(delta_average[i] + epsilon) / sqrtf(sq + epsilon) * d;
        delta_average[i] = rho * delta_average[i] + keep * delta * delta;
        w[i] -= lr * delta;
    }
}

CLONES void tl_adam_step(float *restrict w, const float *restrict g, float *restrict m, float *restrict v, long n,
                         float step_size, float beta1, float beta2, float root_correction2, float epsilon, float l2) {
    const float keep1 = 1.0f - beta1, keep2 = 1.0f - beta2;
    for (long i = 0; i < n; i++) {
        float d = decayed(g, w, i, l2);
        float mi = beta1 * m[i] + keep1 * d, vi = beta2 * v[i] + keep2 * d * d;
        m[i] = mi;
        v[i] = vi;
        w[i] -= step_size * mi / (sqrtf(vi) / root_correction2 + epsilon);
    }
}
