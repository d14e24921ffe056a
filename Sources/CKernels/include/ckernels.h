// Vectorised row kernels for the softmax in hot loops (see FastMath.swift for the exp method).
#ifndef TRANSFERLAB_CKERNELS_H
#define TRANSFERLAB_CKERNELS_H

/// The largest of n floats (n > 0).
float tl_max(const float *x, long n);
/// x[i] <- exp(x[i] - shift) in place; returns the sum of the new values.
float tl_exp_shifted(float *x, long n, float shift);
/// x[i] <- x[i] * s in place.
void tl_scale(float *x, long n, float s);
/// exp of one float, the same arithmetic as tl_exp_shifted.
float tl_exp(float x);

/// Make stdout line-buffered, so progress lines reach a log file as they are printed.
void tl_line_buffer_stdout(void);
/// Have the kernel kill this process when its parent dies (Linux prctl PR_SET_PDEATHSIG); returns 0,
/// or -1 when that cannot be arranged or the parent is already gone.
int tl_exit_with_parent(void);

#include <stdint.h>
/// One GloVe AdaGrad pass over entries order[0..<count] of the co-occurrence list (rows, columns,
/// values); updates the parameter buffers in place and returns the summed cost ½·f(x)·diff².
double tl_glove_pass(const int32_t *order, long count, const int32_t *rows, const int32_t *columns,
                     const float *values, float *word, float *context, float *word_bias, float *context_bias,
                     float *word_sq, float *context_sq, float *word_bias_sq, float *context_bias_sq,
                     long d, float x_max, float alpha, float eta);

/// One LSTM cell step for one sequence: activates gates [i f g o] (4·hidden, in place) and writes
/// c_next, h_next and tanh(c_next).
void tl_lstm_cell_forward(float *gates, const float *c_prev, float *c_next, float *h_next, float *tanh_c, long hidden);
/// Gate pre-activation gradients d_gates [4·hidden] of one step; dc (in: ∂L/∂c_t) becomes ∂L/∂c_{t−1}.
void tl_lstm_cell_backward(const float *gates, float *d_gates, const float *c_prev, const float *tanh_c,
                           const float *dh, float *dc, long hidden);

#endif
