//===- ParamLayout.cpp - where each parameter lives in the arena ----------===//
#include "transforms/ParamLayout.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace cnn {

uint64_t sliceByteSize(ParamOp param) {
  RankedTensorType type = param.getSliceType();
  // The verifier admits f32 tensors and the i64 scalar num_batches_tracked.
  uint64_t elementBytes = type.getElementType().isInteger(64) ? 8 : 4;
  return uint64_t(type.getNumElements()) * elementBytes;
}

uint64_t sliceStrideBytes(ParamOp param) {
  return llvm::alignTo(sliceByteSize(param), kArenaAlignment);
}

uint64_t paramByteSize(ParamOp param) {
  if (!param.isStacked())
    return sliceByteSize(param);
  return uint64_t(param.getNumSlices() - 1) * sliceStrideBytes(param) +
         sliceByteSize(param);
}

ParamLayout computeParamLayout(ModuleOp module) {
  ParamLayout layout;
  uint64_t offset = 0;
  for (ParamOp param : module.getOps<ParamOp>()) {
    uint64_t nbytes = paramByteSize(param);
    layout.slots.push_back({param, offset, nbytes});
    offset += llvm::alignTo(nbytes, kArenaAlignment);
  }
  layout.totalBytes = offset;
  return layout;
}

FailureOr<ParamLayout> assignParamOffsets(ModuleOp module) {
  ParamLayout layout = computeParamLayout(module);
  Builder b(module.getContext());
  for (ParamSlot slot : layout.slots) {
    std::optional<uint64_t> recorded = slot.param.getOffset();
    if (recorded && *recorded != slot.offset)
      return slot.param.emitOpError("has offset ")
             << *recorded << ", but the arena layout places it at "
             << slot.offset;
    slot.param.setOffsetAttr(b.getI64IntegerAttr(int64_t(slot.offset)));
  }
  module->setAttr(kArenaSizeAttrName,
                  b.getI64IntegerAttr(int64_t(layout.totalBytes)));
  return layout;
}

} // namespace cnn
