// LSTM cell pointwise math (gates i, f, g, o as in torch.nn.LSTM), vectorised: sigmoid and tanh use
// the same exp as the softmax kernels, tanh(x) = 1 − 2/(1 + e^{2x}) (absolute error ~1e-7).
#include "ckernels.h"
#include "kernel_support.h"

static inline float sigmoid_fast(float x) { return 1.0f / (1.0f + exp_approx(-x)); }
static inline float tanh_fast(float x) { return 1.0f - 2.0f / (1.0f + exp_approx(2.0f * x)); }

CLONES void tl_lstm_cell_forward(float *restrict gates, const float *restrict c_prev, float *restrict c_next,
                                 float *restrict h_next, float *restrict tanh_c, long hidden) {
    float *restrict i = gates, *restrict f = gates + hidden, *restrict g = gates + 2 * hidden, *restrict o = gates + 3 * hidden;
    for (long j = 0; j < hidden; j++) {
        float ig = sigmoid_fast(i[j]), fg = sigmoid_fast(f[j]), gg = tanh_fast(g[j]), og = sigmoid_fast(o[j]);
        i[j] = ig; f[j] = fg; g[j] = gg; o[j] = og;
        float c = fg * c_prev[j] + ig * gg;
        c_next[j] = c;
        float t = tanh_fast(c);
        tanh_c[j] = t;
        h_next[j] = og * t;
    }
}

CLONES void tl_lstm_cell_backward(const float *restrict gates, float *restrict d_gates, const float *restrict c_prev,
                                  const float *restrict tanh_c, const float *restrict dh, float *restrict dc, long hidden) {
    const float *i = gates, *f = gates + hidden, *g = gates + 2 * hidden, *o = gates + 3 * hidden;
    float *restrict di = d_gates, *restrict df = d_gates + hidden, *restrict dg = d_gates + 2 * hidden, *restrict d_o = d_gates + 3 * hidden;
    for (long j = 0; j < hidden; j++) {
        float t = tanh_c[j];
        float dcj = dc[j] + dh[j] * o[j] * (1 - t * t);
        d_o[j] = dh[j] * t * o[j] * (1 - o[j]);
        di[j] = dcj * g[j] * i[j] * (1 - i[j]);
        dg[j] = dcj * i[j] * (1 - g[j] * g[j]);
        df[j] = dcj * c_prev[j] * f[j] * (1 - f[j]);
        dc[j] = dcj * f[j];
    }
}
