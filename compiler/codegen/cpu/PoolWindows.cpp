//===- PoolWindows.cpp - NCHW max pooling as window reductions ------------===//
#include "codegen/cpu/PoolWindows.h"

#include "conversion/CnnToLinalg/LinalgBuilders.h"

using namespace mlir;

namespace cnnc::cpu {

linalg::GenericOp rewriteAsWindowMaxima(RewriterBase &rewriter,
                                        linalg::PoolingNchwMaxOp pool) {
  if (!pool.hasPureTensorSemantics())
    return nullptr;
  auto windowType = dyn_cast<RankedTensorType>(pool.getInputs()[1].getType());
  if (!windowType || windowType.getRank() != 2 || !windowType.hasStaticShape())
    return nullptr;
  ArrayRef<int64_t> kernel = windowType.getShape();
  SmallVector<int64_t> strides(pool.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(pool.getDilations().getValues<int64_t>());
  if (strides != kernel ||
      llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
    return nullptr;
  Value init = pool.getOutputs()[0];
  auto outType = cast<RankedTensorType>(init.getType());
  auto inType = dyn_cast<RankedTensorType>(pool.getInputs()[0].getType());
  if (!inType || inType.getRank() != 4 ||
      outType.getDimSize(2) != inType.getDimSize(2) / kernel[0] ||
      outType.getDimSize(3) != inType.getDimSize(3) / kernel[1])
    return nullptr;
  // The batch size the init was made with (canonical by now): the
  // gradient's view of the same image uses it too, so CSE sees one view.
  Value batch;
  Value empty = init;
  if (auto fill = empty.getDefiningOp<linalg::FillOp>())
    empty = fill.getOutputs()[0];
  if (auto made = empty.getDefiningOp<tensor::EmptyOp>();
      made && made.getDynamicSizes().size() == 1)
    batch = made.getDynamicSizes()[0];
  rewriter.setInsertionPoint(pool);
  Location loc = pool.getLoc();
  Value windows = cnn::lowering::poolWindows(rewriter, loc, pool.getInputs()[0],
                                             kernel, batch);
  if (!windows)
    return nullptr;
  Value maxima = cnn::lowering::windowMaxima(rewriter, loc, windows, init);
  rewriter.replaceOp(pool, maxima);
  return maxima.getDefiningOp<linalg::GenericOp>();
}

/// Whether `op` is a generic reduction over (i, j) windows whose first
/// input is read at `windows` and whose result is written at `pixel`.
static bool reducesWindows(linalg::LinalgOp op, ArrayRef<unsigned> windows,
                           ArrayRef<unsigned> pixel) {
  if (!isa<linalg::GenericOp>(op.getOperation()) || op.getNumLoops() != 6 ||
      op.getNumParallelLoops() != 4 || op.getNumDpsInits() != 1)
    return false;
  MLIRContext *ctx = op->getContext();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  return maps.front() ==
             AffineMap::getMultiDimMapWithTargets(6, windows, ctx) &&
         maps.back() == AffineMap::getMultiDimMapWithTargets(6, pixel, ctx);
}

bool isWindowReduction(linalg::LinalgOp op) {
  // (n, c, oh, ow | i, j): [n, c, oh, i, ow, j] into [n, c, oh, ow].
  return reducesWindows(op, {0, 1, 2, 4, 3, 5}, {0, 1, 2, 3});
}

bool isChannelsLastWindowReduction(linalg::LinalgOp op) {
  // (n, oh, ow, c | i, j): [n, oh, i, ow, j, c] into [n, oh, ow, c].
  return reducesWindows(op, {0, 1, 4, 2, 5, 3}, {0, 1, 2, 3});
}

} // namespace cnnc::cpu
