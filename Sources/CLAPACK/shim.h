// BLAS (CBLAS interface) and LAPACK (LAPACKE interface) as shipped by Debian's
// libopenblas-dev and liblapacke-dev. Complex types are plain structs so that
// Swift imports every prototype; GRUKit only calls the real-valued routines.
#ifndef GRUKIT_CLAPACK_SHIM_H
#define GRUKIT_CLAPACK_SHIM_H
#define LAPACK_COMPLEX_STRUCTURE 1
#include <cblas.h>
#include <lapacke.h>
#endif
