#ifndef GRUKIT_CZLIB_SHIM_H
#define GRUKIT_CZLIB_SHIM_H
#include <zlib.h>
#endif
