// One GloVe AdaGrad pass over a list of co-occurrence entries (Pennington et al. 2014, eq. 8),
// matching the Stanford tool's update order. Written in C so the per-dimension loops vectorise
// (restrict pointers); the dot product sums in a fixed 8-lane order, and powf/logf are scalar calls,
// so every target clone computes the same bits.
#include "ckernels.h"
#include "kernel_support.h"
#include <math.h>

static inline float dot8(const float *restrict a, const float *restrict b, long d) {
    float lanes[8] = {0};
    long k = 0;
    for (; k + 8 <= d; k += 8)
        for (int l = 0; l < 8; l++) lanes[l] += a[k + l] * b[k + l];
    float s = 0;
    for (int l = 0; l < 8; l++) s += lanes[l];
    for (; k < d; k++) s += a[k] * b[k];
    return s;
}

CLONES double tl_glove_pass(const int32_t *order, long count, const int32_t *rows, const int32_t *columns,
                            const float *values, float *word, float *context, float *word_bias, float *context_bias,
                            float *word_sq, float *context_sq, float *word_bias_sq, float *context_bias_sq,
                            long d, float x_max, float alpha, float eta) {
    double cost = 0;
    for (long n = 0; n < count; n++) {
        long e = order[n];
        long i = rows[e], j = columns[e];
        float x = values[e];
        float *restrict w = word + i * d;
        float *restrict c = context + j * d;
        float *restrict wsq = word_sq + i * d;
        float *restrict csq = context_sq + j * d;
        float diff = dot8(w, c, d) + word_bias[i] + context_bias[j] - logf(x);
        float weight = x > x_max ? 1.0f : powf(x / x_max, alpha);
        float fdiff = weight * diff;
        cost += 0.5 * (double)fdiff * (double)diff;
        float step = eta * fdiff;
        for (long k = 0; k < d; k++) {
            float gw = step * c[k], gc = step * w[k];
            w[k] -= gw / sqrtf(wsq[k]);
            c[k] -= gc / sqrtf(csq[k]);
            wsq[k] += gw * gw;
            csq[k] += gc * gc;
        }
        word_bias[i] -= step / sqrtf(word_bias_sq[i]);
        context_bias[j] -= step / sqrtf(context_bias_sq[j]);
        word_bias_sq[i] += step * step;
        context_bias_sq[j] += step * step;
    }
    return cost;
}
