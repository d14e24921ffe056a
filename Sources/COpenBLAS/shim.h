// OpenBLAS's CBLAS interface plus its introspection calls (core name, build config, threads).
#include <cblas.h>

#include <stddef.h>
/// LAPACK's single-precision SVD (bundled in OpenBLAS), Fortran calling convention: column-major
/// arrays, every argument by pointer, and the hidden lengths of the two character arguments last.
void sgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, float *a, const int *lda, float *s,
             float *u, const int *ldu, float *vt, const int *ldvt, float *work, const int *lwork, int *info,
             size_t jobu_length, size_t jobvt_length);
