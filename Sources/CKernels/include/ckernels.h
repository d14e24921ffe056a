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

/// dx[i] += dy[i] where x[i] > 0 (ReLU's backward), n floats.
void tl_relu_backward(const float *x, const float *dy, float *dx, long n);
void tl_gelu_forward(const float *x, float *y, long n);
void tl_gelu_backward(const float *x, const float *dy, float *dx, long n);
/// The convolution's output from Y = X·Wᵀ [batch·length, width·maps]: out[b, p, m] = bias[m] (0 when
/// bias is NULL) + Σⱼ Y[b·length + p + j, j·maps + m], summed in order j = 0, 1, …; out is [batch, out_length, maps].
void tl_conv1d_sum_shifted(const float *y, const float *bias, float *out, long batch, long length, long out_length,
                           long width, long maps);
/// One Adadelta step (Zeiler 2012) on n parameters, as `OptimizerKind.adadelta`: with L2 weight decay
/// `l2` added to the gradient g, E[g²] ← ρE[g²] + (1−ρ)g², Δ = √(E[Δ²]+ε)/√(E[g²]+ε)·g,
/// E[Δ²] ← ρE[Δ²] + (1−ρ)Δ², w ← w − lr·Δ.
void tl_adadelta_step(float *w, const float *g, float *square_average, float *delta_average, long n,
                      float lr, float rho, float epsilon, float l2);
/// One Adam step (Kingma & Ba 2015) on n parameters, as `OptimizerKind.adam`: with L2 weight decay `l2`
/// added to the gradient g, m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − step_size·m/(√v/root_correction2 + ε),
/// where step_size = lr/(1−β₁ᵗ) and root_correction2 = √(1−β₂ᵗ).
void tl_adam_step(float *w, const float *g, float *m, float *v, long n, float step_size, float beta1, float beta2,
                  float root_correction2, float epsilon, float l2);


/// A Doc2Vec model's weights as the training kernels see them (Le & Mikolov 2014).
typedef struct {
    float *syn0;                 ///< [words (+1 null word), dimension] word vectors
    float *syn1neg;              ///< [words, layer] negative-sampling output weights
    const uint32_t *cum_table;   ///< [words] cumulative count^0.75 noise weights
    const uint32_t *keep;        ///< [words] sub-sampling: keep when ≥ a uniform 32-bit draw (0xFFFFFFFF: always)
    long vocab;                  ///< number of words
    long dimension;              ///< vector size
    long layer;                  ///< input-layer width: dimension, or (1 + 2·window)·dimension for PV-DM concat
    int negative;                ///< noise words per prediction
    int window;                  ///< context window
    int null_word;               ///< PV-DM concat's padding row in syn0 (-1 otherwise)
} tl_d2v_model;

/// PV-DBOW on one document (word ids `words[0..<n]`): each kept word is predicted from `doc`; with
/// `train_words`, also from each word of its (randomly reduced) window, skip-gram style. `kept`
/// holds n ints, `work` dimension floats. Returns the number of words kept by sub-sampling.
long tl_d2v_dbow(const tl_d2v_model *m, const int32_t *words, long n, float *doc, float alpha, uint64_t *rng,
                 int train_words, int learn_doc, int learn_hidden, int learn_words, int32_t *kept, float *work);
/// PV-DM on one document: each kept word is predicted from the mean (or, with `concat`, the
/// concatenation) of `doc` and its context words. `work` holds 2·layer floats. Returns words kept.
long tl_d2v_dm(const tl_d2v_model *m, const int32_t *words, long n, float *doc, float alpha, uint64_t *rng,
               int concat, int learn_doc, int learn_hidden, int learn_words, int32_t *kept, float *work);

#endif
