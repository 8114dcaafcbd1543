//===- Vectorize.cpp - vectorize the tiled linalg ops ---------------------===//
//
// After CpuTileAndFuse every linalg op inside a loop has a small static
// shape. A tiled convolution step (one output row of Cout x W, one input
// channel, one filter tap) is generalized and its unit dims dropped, leaving
//   out[f, w] += in[w] * filter[f]
// which linalg::vectorize turns into a broadcast multiply-add on a
// vector<Cout x W>. Poolings are decomposed into 1-D poolings, which the
// vectorizer handles directly. math.tanh & co get polynomial approximations
// so that they stay in vectors.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "codegen/cpu/CpuConfig.h"
#include "codegen/cpu/Strategy.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc::cpu {
#define GEN_PASS_DEF_CPUVECTORIZE
#include "codegen/cpu/Passes.h.inc"
} // namespace cnnc::cpu

using namespace mlir;

namespace {

bool insideLoop(Operation *op) {
  return op->getParentOfType<LoopLikeOpInterface>() != nullptr;
}

/// A tiled op, or a flat one that fits in one step (a bias's update): its
/// shape is one step of the strategy's.
bool isStep(Operation *op) {
  return insideLoop(op) ||
         cnnc::cpu::getKind(op) == cnnc::cpu::OpKind::Flat;
}

bool hasStaticShapes(linalg::LinalgOp op) {
  return llvm::all_of(op->getOperandTypes(), [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return !shaped || shaped.hasStaticShape();
  });
}

/// Gathers (tensor.extract in the body) would unroll into one scalar load
/// per element, and huge iteration spaces into huge vectors: such ops stay
/// scalar loops. Tiled convs, poolings, matmul steps and elementwise tiles
/// are far below the bound (the strategy's maxVectorElements).
bool worthVectorizing(linalg::LinalgOp op, int64_t maxElements) {
  if (op->walk([](tensor::ExtractOp) { return WalkResult::interrupt(); })
          .wasInterrupted())
    return false;
  int64_t elements = 1;
  for (int64_t range : op.getStaticLoopRanges()) {
    if (ShapedType::isDynamic(range))
      return false;
    elements *= range;
  }
  return elements <= maxElements;
}

struct CpuVectorizePass
    : cnnc::cpu::impl::CpuVectorizeBase<CpuVectorizePass> {
  using CpuVectorizeBase::CpuVectorizeBase;

  LogicalResult initialize(MLIRContext *ctx) override {
    FailureOr<cnnc::cpu::TargetInfo> info =
        cnnc::cpu::targetInfoForPass(ctx, getArgument(), cpu, features);
    if (failed(info))
      return failure();
    maxElements = cnnc::cpu::maxVectorElements(*info);
    return success();
  }

  int64_t maxElements = 0;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);

    // Tiled convolutions become generics so that unit-dim folding applies.
    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    func.walk([&](linalg::Conv2DNchwFchwOp op) {
      if (insideLoop(op))
        convs.push_back(op);
    });
    for (linalg::Conv2DNchwFchwOp conv : convs) {
      rewriter.setInsertionPoint(conv);
      (void)linalg::generalizeNamedOp(rewriter, conv);
    }

    // 2-D poolings with one window row -> 1-D poolings; drop unit dims of
    // the generics inside loops (whole-tensor ops keep their shape).
    {
      RewritePatternSet patterns(ctx);
      linalg::populateDecomposeConvolutionPatterns(patterns);
      linalg::ControlDropUnitDims control;
      control.rankReductionStrategy =
          linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
      control.controlFn = [](Operation *op) -> SmallVector<unsigned> {
        auto generic = dyn_cast<linalg::GenericOp>(op);
        if (!generic || !insideLoop(op) || cnnc::cpu::isWinograd(op))
          return {};
        return llvm::to_vector(llvm::seq<unsigned>(0, generic.getNumLoops()));
      };
      linalg::populateFoldUnitExtentDimsPatterns(patterns, control);
      linalg::populateLinalgTilingCanonicalizationPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }

    // Vectorize the static linalg ops inside loops.
    SmallVector<linalg::LinalgOp> candidates;
    func.walk([&](linalg::LinalgOp op) {
      // (A Winograd op is cnn-cpu-winograd-conv's, after this pass.)
      if (isStep(op) && hasStaticShapes(op) &&
          worthVectorizing(op, maxElements) && !cnnc::cpu::isWinograd(op))
        candidates.push_back(op);
    });
    for (linalg::LinalgOp op : candidates) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> result =
          linalg::vectorize(rewriter, op);
      if (failed(result))
        continue; // stays scalar; convert-linalg-to-loops handles it
      if (result->replacements.empty())
        rewriter.eraseOp(op);
      else
        rewriter.replaceOp(op, result->replacements);
    }

    // Approximate transcendental functions. (Slices are not folded into the
    // transfers: extract/insert_slice pairs of a loop-carried tile hoist out
    // of the reduction loops as a whole, with their identity transfers.)
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
      vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
      populateMathPolynomialApproximationPatterns(
          patterns, [](StringRef name) {
            return name == math::TanhOp::getOperationName() ||
                   name == math::ExpOp::getOperationName() ||
                   name == math::LogOp::getOperationName() ||
                   name == math::ErfOp::getOperationName();
          });
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
  }
};

} // namespace
