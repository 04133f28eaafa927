#ifndef OCTOPLANE_CZLIB_SHIM_H
#define OCTOPLANE_CZLIB_SHIM_H
#include <zlib.h>
#endif
