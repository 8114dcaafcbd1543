//===- CnnDialect.cpp - the cnn dialect -----------------------------------===//
#include "cnn/CnnDialect.h"
#include "cnn/CnnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace cnn;

#include "cnn/CnnDialect.cpp.inc"

namespace {
/// Every cnn graph op can move into a caller: front ends may emit a block
/// (ResBlock) as a function and let the inliner flatten the forward pass.
/// The module-level ops (param, train_config) never sit in a function body.
struct CnnInlinerInterface : DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void CnnDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "cnn/CnnOps.cpp.inc"
      >();
  addInterfaces<CnnInlinerInterface>();
}
