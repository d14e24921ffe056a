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

#endif
