//===- cnnc-opt.cpp - run cnn dialect passes on MLIR files -----------------===//
//
// MlirOptMain with exactly the dialects and passes the project uses.
//
//===----------------------------------------------------------------------===//

#include "cnn/CnnDialect.h"

#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<cnn::CnnDialect, mlir::func::FuncDialect>();
  // func.call/func.return inline through func's extension; cnn ops through
  // the dialect's own inliner interface.
  mlir::func::registerInlinerExtension(registry);
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerInlinerPass();
  mlir::registerSymbolDCEPass();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "cnn dialect optimizer\n", registry));
}
