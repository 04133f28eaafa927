#ifndef OCTOPLANE_CBLAS_SHIM_H
#define OCTOPLANE_CBLAS_SHIM_H
#include <cblas.h>
/* OpenBLAS extensions (declared in openblas's cblas.h, repeated here for clarity). */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif
