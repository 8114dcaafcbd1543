//===- CnnDialect.cpp - the cnn dialect -----------------------------------===//
#include "cnn/CnnDialect.h"
#include "cnn/CnnOps.h"

using namespace mlir;
using namespace cnn;

#include "cnn/CnnDialect.cpp.inc"

void CnnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "cnn/CnnOps.cpp.inc"
      >();
}
