//===- LowerVector.cpp - n-D vector ops to 1-D forms ----------------------===//
//
// Runs after bufferization. Contractions become outer products (FMAs),
// multi-reductions become 1-D reductions, n-D transfers are unrolled into
// 1-D ones (which the LLVM conversion turns into plain vector loads and
// stores), transposes and broadcasts become shuffles.
//
//===----------------------------------------------------------------------===//

#include "pipeline/Passes.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc::pipeline {
#define GEN_PASS_DEF_CPULOWERVECTOR
#include "pipeline/Passes.h.inc"
} // namespace cnnc::pipeline

using namespace mlir;

namespace {

struct CpuLowerVectorPass
    : cnnc::pipeline::impl::CpuLowerVectorBase<CpuLowerVectorPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();

    // memref.copy (from bufferized pads and slices) would become a call to
    // the MLIR runner library's memrefCopy for strided views: vectorize the
    // static ones and turn the rest into linalg.copy (loops later) so the
    // object needs no runtime beyond libc and libomp.
    {
      SmallVector<memref::CopyOp> copies;
      func.walk([&](memref::CopyOp op) { copies.push_back(op); });
      IRRewriter rewriter(ctx);
      for (memref::CopyOp copy : copies) {
        rewriter.setInsertionPoint(copy);
        if (succeeded(linalg::vectorizeCopy(rewriter, copy)))
          continue;
        linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(),
                               copy.getTarget());
        rewriter.eraseOp(copy);
      }
    }

    // High-level vector ops to elementwise ones, transfers to 1-D.
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorContractLoweringPatterns(
          patterns, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorOuterProductLoweringPatterns(patterns);
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, vector::VectorMultiReductionLowering::InnerReduction);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateVectorBroadcastLoweringPatterns(patterns);
      vector::populateVectorMaskOpLoweringPatterns(patterns);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      vector::populateVectorTransposeLoweringPatterns(
          patterns, vector::VectorTransposeLowering::Shuffle1D);
      vector::populateVectorTransferLoweringPatterns(patterns,
                                                     /*maxTransferRank=*/1);
      vector::populateVectorToVectorCanonicalizationPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    // Whatever n-D transfers are left (masked, strided): unrolled loops.
    {
      RewritePatternSet patterns(ctx);
      populateVectorToSCFConversionPatterns(
          patterns, VectorTransferToSCFOptions().enableFullUnroll());
      vector::populateVectorTransferLoweringPatterns(patterns,
                                                     /*maxTransferRank=*/1);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
  }
};

} // namespace
