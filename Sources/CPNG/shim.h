#ifndef OCTOPLANE_CPNG_SHIM_H
#define OCTOPLANE_CPNG_SHIM_H
#include <png.h>
#endif
