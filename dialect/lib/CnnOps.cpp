//===- CnnOps.cpp - cnn dialect ops ---------------------------------------===//
#include "cnn/CnnOps.h"

using namespace mlir;
using namespace cnn;

#define GET_OP_CLASSES
#include "cnn/CnnOps.cpp.inc"
