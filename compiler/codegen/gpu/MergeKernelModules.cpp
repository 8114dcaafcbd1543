//===- MergeKernelModules.cpp - one gpu.module for every kernel -----------===//

#include "codegen/gpu/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUMERGEKERNELMODULES
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

struct GpuMergeKernelModules
    : impl::GpuMergeKernelModulesBase<GpuMergeKernelModules> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<mlir::gpu::GPUModuleOp> kernelModules(
        module.getOps<mlir::gpu::GPUModuleOp>());
    if (kernelModules.empty())
      return;
    if (SymbolTable::lookupSymbolIn(module, moduleName)) {
      module.emitError("a symbol is already named '") << moduleName << "'";
      return signalPassFailure();
    }
    OpBuilder builder(kernelModules.front());
    auto merged =
        builder.create<mlir::gpu::GPUModuleOp>(module.getLoc(), moduleName);
    SymbolTable mergedSymbols(merged);
    // Each kernel takes its module's name, unique in the parent (the
    // kernels themselves are all named after the function they came from).
    DenseMap<Attribute, SymbolRefAttr> renamed;
    for (mlir::gpu::GPUModuleOp kernelModule : kernelModules) {
      SmallVector<Operation *> symbols;
      for (Operation &op : kernelModule.getBody()->without_terminator())
        symbols.push_back(&op);
      for (Operation *op : symbols) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (!symbol) {
          op->emitError("unexpected op in a kernel module");
          return signalPassFailure();
        }
        StringAttr oldName = symbol.getNameAttr();
        std::string base = symbols.size() == 1
                               ? kernelModule.getName().str()
                               : (kernelModule.getName() + "_" +
                                  oldName.getValue()).str();
        std::string newName = base;
        for (int n = 0; mergedSymbols.lookup(newName) ||
                        (newName != oldName.getValue() &&
                         SymbolTable::lookupSymbolIn(kernelModule, newName));
             ++n)
          newName = base + "_" + std::to_string(n);
        // Calls between the module's functions follow the new name.
        StringAttr newAttr = StringAttr::get(&getContext(), newName);
        if (failed(SymbolTable::replaceAllSymbolUses(oldName, newAttr,
                                                     kernelModule))) {
          op->emitError("cannot rename a kernel module's symbol");
          return signalPassFailure();
        }
        symbol.setName(newAttr);
        renamed[SymbolRefAttr::get(kernelModule.getNameAttr(),
                                   {FlatSymbolRefAttr::get(oldName)})] =
            SymbolRefAttr::get(merged.getNameAttr(),
                               {FlatSymbolRefAttr::get(newAttr)});
      }
      for (Operation *op : symbols) {
        op->remove();
        mergedSymbols.insert(op);
      }
    }
    WalkResult result = module.walk([&](mlir::gpu::LaunchFuncOp launch) {
      auto it = renamed.find(launch.getKernel());
      if (it == renamed.end()) {
        launch.emitError("launch of an unknown kernel");
        return WalkResult::interrupt();
      }
      launch.setKernelAttr(it->second);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    for (mlir::gpu::GPUModuleOp kernelModule : kernelModules)
      kernelModule.erase();
  }
};

} // namespace
} // namespace cnnc::gpu
