// Pointwise loops of the classifiers that Swift left scalar (its loops over pointers that may alias
// do not vectorise): ReLU's backward and the shifted-slice sum of the convolution. With restrict
// pointers and -ffp-contract=off clang vectorises them with each element's arithmetic unchanged.
#include "ckernels.h"
#include "kernel_support.h"

CLONES void tl_relu_backward(const float *restrict x, const float *restrict dy, float *restrict dx, long n) {
    // Adding −0 leaves every float as it is (+0 included): `if (x > 0) dx += dy` bit for bit, branch-free.
    for (long i = 0; i < n; i++) dx[i] += x[i] > 0 ? dy[i] : -0.0f;
}

CLONES void tl_conv1d_sum_shifted(const float *restrict y, const float *restrict bias, float *restrict out,
                                  long batch, long length, long out_length, long width, long maps) {
    const long wm = width * maps;
    for (long b = 0; b < batch; b++) {
        for (long p = 0; p < out_length; p++) {
            float *restrict o = out + (b * out_length + p) * maps;
            if (bias) {
                for (long m = 0; m < maps; m++) o[m] = bias[m];
            } else {
                for (long m = 0; m < maps; m++) o[m] = 0;
            }
            for (long j = 0; j < width; j++) {
                const float *restrict src = y + (b * length + p + j) * wm + j * maps;
                for (long m = 0; m < maps; m++) o[m] += src[m];
            }
        }
    }
}
