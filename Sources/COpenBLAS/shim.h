// OpenBLAS's CBLAS interface plus its introspection calls (core name, build config, threads).
#include <cblas.h>
