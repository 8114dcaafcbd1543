//===- cnnc-opt.cpp - run cnn dialect passes on MLIR files -----------------===//
//
// MlirOptMain with exactly the dialects and passes the project uses: the
// cnn dialect and its passes, the upstream dialects the lowering to linalg
// produces, and cnnc's whole pipeline per target and mode (`cnnc-cpu-eval`,
// `cnnc-cpu-train`: what cnnc runs for each --emit level, Pipelines.h).
//
//===----------------------------------------------------------------------===//

#include "cnn/CnnDialect.h"
#include "conversion/Passes.h"
#include "codegen/cpu/CpuPipeline.h"
#include "pipeline/Pipelines.h"
#include "transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<cnn::CnnDialect, mlir::arith::ArithDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::func::FuncDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect, mlir::memref::MemRefDialect,
                  mlir::tensor::TensorDialect>();
  // func.call/func.return inline through func's extension; cnn ops through
  // the dialect's own inliner interface.
  mlir::func::registerInlinerExtension(registry);
  // The CPU code generation pipeline (linalg -> LLVM) and what it lowers to.
  cnnc::cpu::registerCpuPipelineDialects(registry);
  cnnc::cpu::registerCpuPipelinePasses();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerInlinerPass();
  mlir::registerSymbolDCEPass();
  cnn::registerCnnPasses();
  cnn::registerCnnConversionPasses();
  cnnc::pipeline::registerPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "cnn dialect optimizer\n", registry));
}
