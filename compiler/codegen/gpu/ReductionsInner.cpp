//===- ReductionsInner.cpp - parallel loops outside reductions ------------===//

#include "codegen/gpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUREDUCTIONSINNER
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

/// The loops of `op` in the order parallel ones first, each group in its
/// old order: interchangeGenericOp's vector (new loop i is old loop v[i]).
SmallVector<unsigned> parallelFirst(linalg::LinalgOp op) {
  SmallVector<unsigned> order;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned i = 0; i < iterators.size(); ++i)
    if (iterators[i] == utils::IteratorType::parallel)
      order.push_back(i);
  for (unsigned i = 0; i < iterators.size(); ++i)
    if (iterators[i] != utils::IteratorType::parallel)
      order.push_back(i);
  return order;
}

bool isIdentity(ArrayRef<unsigned> order) {
  for (unsigned i = 0; i < order.size(); ++i)
    if (order[i] != i)
      return false;
  return true;
}

struct GpuReductionsInner : impl::GpuReductionsInnerBase<GpuReductionsInner> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      SmallVector<unsigned> order = parallelFirst(op);
      if (isIdentity(order))
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::GenericOp> generic =
          isa<linalg::GenericOp>(op) ? cast<linalg::GenericOp>(op)
                                     : linalg::generalizeNamedOp(rewriter, op);
      if (succeeded(generic))
        generic = linalg::interchangeGenericOp(rewriter, *generic, order);
      if (failed(generic)) {
        op->emitError("cannot put this op's parallel loops outside its "
                      "reductions for the GPU");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
} // namespace cnnc::gpu
