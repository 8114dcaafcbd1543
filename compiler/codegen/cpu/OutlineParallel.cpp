//===- OutlineParallel.cpp - each OpenMP region in a function of its own --===//
//
// When a function is translated to LLVM IR, LLVM's OpenMPIRBuilder outlines
// each of its omp.parallel regions, and for each it scans the whole
// enclosing function (CodeExtractor's analysis cache, its search for
// allocas): quadratic in the number of regions, which grows with the
// network's layers (a 300-layer chain's training step: 900 regions, 38 s of
// translation). Before the translation, each omp.parallel of a function
// that has many moves into a small internal function of its own, called
// where it stood, so that each outlining scans only that. LLVM inlines the
// call back (always_inline); the code is the same but for what LLVM's
// OpenMP optimisation no longer deduces across the call before inlining
// (the alignment of some pointers: a few aligned moves become unaligned
// ones), hence only beyond `max-regions` (a compile-time budget: 64 by
// default, 0.2 s of translation; the lecture's models have at most 40 in
// their training step, which therefore stays as it was).
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace cnnc::cpu {
#define GEN_PASS_DEF_CPUOUTLINEPARALLEL
#include "codegen/cpu/Passes.h.inc"
} // namespace cnnc::cpu

using namespace mlir;

namespace {

/// A constant, cloned into the new function rather than passed to it.
bool isConstant(Operation *op) {
  return op && op->hasTrait<OpTrait::ConstantLike>() &&
         op->getNumOperands() == 0 && op->getNumRegions() == 0;
}

/// An alloca of the function's entry block that only `region` uses: it
/// moves with the region, so that the OpenMP outlining treats it as before
/// (its own entry block's alloca, used only in the region).
bool isAllocaOnlyFor(Operation *op, Operation *region) {
  auto alloca = dyn_cast_or_null<LLVM::AllocaOp>(op);
  if (!alloca || !alloca->getBlock()->isEntryBlock() ||
      !isConstant(alloca.getArraySize().getDefiningOp()))
    return false;
  return llvm::all_of(alloca->getUsers(), [&](Operation *user) {
    return region->isAncestor(user);
  });
}

/// Moves `parallel` into a new function placed after `after`; returns it.
LLVM::LLVMFuncOp outline(omp::ParallelOp parallel, LLVM::LLVMFuncOp parent,
                         Operation *after, SymbolTable &symbols) {
  MLIRContext *ctx = parallel.getContext();
  Location loc = parallel.getLoc();
  SetVector<Value> used(parallel->getOperands().begin(),
                        parallel->getOperands().end());
  getUsedValuesDefinedAbove(parallel->getRegions(), used);
  SmallVector<Value> args;
  SmallVector<Operation *> moved; // allocas, after the constants they use
  SetVector<Operation *> constants;
  for (Value v : used) {
    Operation *def = v.getDefiningOp();
    if (isConstant(def)) {
      constants.insert(def);
    } else if (isAllocaOnlyFor(def, parallel)) {
      constants.insert(def->getOperand(0).getDefiningOp());
      moved.push_back(def);
    } else {
      args.push_back(v);
    }
  }

  OpBuilder b(parent);
  b.setInsertionPointAfter(after);
  auto type = LLVM::LLVMFunctionType::get(
      LLVM::LLVMVoidType::get(ctx), llvm::to_vector(ValueRange(args).getTypes()));
  auto callee = LLVM::LLVMFuncOp::create(b, loc, parent.getName().str() + "_parallel",
                                         type, LLVM::Linkage::Internal);
  symbols.insert(callee);
  callee.setAlwaysInline(true);
  Block *entry = callee.addEntryBlock(b);

  b.setInsertionPoint(parallel);
  LLVM::CallOp::create(b, loc, callee, args);

  IRMapping map;
  b.setInsertionPointToStart(entry);
  for (Operation *op : constants)
    map.map(op->getResults(), b.clone(*op)->getResults());
  for (Operation *op : moved)
    map.map(op->getResults(), b.clone(*op, map)->getResults());
  for (auto [arg, value] : llvm::zip(entry->getArguments(), args))
    map.map(value, arg);
  parallel->moveBefore(entry, entry->end());
  // The region's operands, not the values' uses: a constant has thousands.
  parallel->walk([&](Operation *op) {
    for (OpOperand &operand : op->getOpOperands())
      if (Value to = map.lookupOrNull(operand.get()))
        operand.set(to);
  });
  b.setInsertionPointToEnd(entry);
  LLVM::ReturnOp::create(b, loc, ValueRange{});
  for (Operation *op : moved)
    if (op->use_empty())
      op->erase();
  return callee;
}

struct CpuOutlineParallelPass
    : cnnc::cpu::impl::CpuOutlineParallelBase<CpuOutlineParallelPass> {
  using CpuOutlineParallelBase::CpuOutlineParallelBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto fn : llvm::to_vector(module.getOps<LLVM::LLVMFuncOp>())) {
      SmallVector<omp::ParallelOp> regions;
      fn.walk([&](omp::ParallelOp op) {
        if (!op->getParentOfType<omp::ParallelOp>())
          regions.push_back(op);
      });
      if (regions.size() <= maxRegions)
        continue;
      Operation *after = fn;
      for (omp::ParallelOp parallel : regions)
        after = outline(parallel, fn, after, symbols);
    }
  }
};

} // namespace
