// BLAS (CBLAS interface) and LAPACK (LAPACKE interface). Which library: the pkg-config package
// named in Package.swift (OpenBLAS by default: Debian's libopenblas-dev with liblapacke-dev,
// Homebrew's openblas), whose include folder comes first. Only standard CBLAS and LAPACKE
// routines are called; OpenBLAS's own functions are looked up at run time (BLASLibrary.swift).
// Complex types are plain structs so that Swift imports every prototype; GRUKit only calls the
// real-valued routines.
#ifndef GRUKIT_CLAPACK_SHIM_H
#define GRUKIT_CLAPACK_SHIM_H
#define LAPACK_COMPLEX_STRUCTURE 1
#include <cblas.h>
#include <lapacke.h>
#endif
