#ifndef OCTOPLANE_CASSIMP_SHIM_H
#define OCTOPLANE_CASSIMP_SHIM_H
#include <assimp/cimport.h>
#include <assimp/scene.h>
#include <assimp/postprocess.h>
#include <assimp/version.h>
#endif
