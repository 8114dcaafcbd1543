//===- CnnToLinalg.cpp - lower the cnn dialect to linalg on tensors -------===//
//
// The graph ops, by dialect conversion patterns (see Passes.td for the
// contract), after cnn-lower-entry-abi (EntryAbi.cpp) has rewritten the entry
// ABI: every op keeps its tensor types, so no type converter is involved, and
// an op without a pattern (dropout, the mode-agnostic batch_norm, a cnn.read
// the ABI pass did not see) fails to legalize.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "conversion/Passes.h"

#include "cnn/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;

namespace cnn {
#define GEN_PASS_DEF_CONVERTCNNTOLINALG
#include "conversion/Passes.h.inc"
} // namespace cnn

using namespace cnn;
using namespace cnn::lowering;

namespace {
struct ConvertCnnToLinalgPass
    : cnn::impl::ConvertCnnToLinalgBase<ConvertCnnToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect,
                           bufferization::BufferizationDialect,
                           func::FuncDialect, linalg::LinalgDialect,
                           math::MathDialect, memref::MemRefDialect,
                           scf::SCFDialect, tensor::TensorDialect>();
    target.addIllegalDialect<CnnDialect>();
    // The layout record and the training configuration stay for the driver.
    target.addLegalOp<ParamOp, TrainConfigOp>();

    RewritePatternSet patterns(ctx);
    populateConvPatterns(patterns);
    populateLinearPatterns(patterns);
    populatePoolPatterns(patterns);
    populateBatchNormPatterns(patterns);
    populateLossPatterns(patterns);
    populateDropoutPatterns(patterns);
    populateSgdPatterns(patterns);
    populateElementwisePatterns(patterns);
    populateRepeatPatterns(patterns);
    populateReplicaPatterns(patterns);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
