//===- Mode.cpp - the mode a module is specialised for --------------------===//
#include "transforms/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"

namespace cnn {

llvm::StringRef getMode(mlir::ModuleOp module) {
  if (auto mode = module->getAttrOfType<mlir::StringAttr>(kModeAttrName))
    return mode.getValue();
  return "";
}

} // namespace cnn
