//===- SerialKernels.cpp - host element work as one-thread kernels --------===//

#include "codegen/gpu/DeviceAccess.h"
#include "codegen/gpu/Passes.h"
#include "codegen/gpu/UnderlyingBuffer.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Iterators.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUSERIALKERNELS
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

/// Whether `op` contains a parallel loop (a kernel to be) or is one: the
/// host runs it, and its regions are host code again.
bool holdsKernels(Operation *op) {
  return op
      ->walk([](scf::ParallelOp) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

/// Whether `op` is element work the host must not do: an access, or a
/// serial loop or branch around accesses.
bool isDeviceWork(Operation *op) {
  if (holdsKernels(op))
    return false;
  return op->walk([](Operation *inner) {
             return touchesElements(inner) ? WalkResult::interrupt()
                                           : WalkResult::advance();
           })
      .wasInterrupted();
}

/// Scalar arithmetic, views and dims: free to run on either side.
bool isFreeScalarWork(Operation *op) {
  return op->getNumRegions() == 0 && isMemoryEffectFree(op);
}

/// Whether `op` allocates a buffer from sizes known before `start`, so it
/// can move there.
bool isHoistableAlloc(Operation *op, Operation *start) {
  return isa<memref::AllocOp>(op) &&
         llvm::all_of(op->getOperands(), [&](Value size) {
           Operation *def = size.getDefiningOp();
           return !def || def->getBlock() != start->getBlock() ||
                  def->isBeforeInBlock(start);
         });
}

bool inRun(Operation *user, const llvm::SmallPtrSetImpl<Operation *> &run) {
  for (Operation *op = user; op; op = op->getParentOp())
    if (run.contains(op))
      return true;
  return false;
}

/// Moves `run` (consecutive ops of one block) into a parallel loop of one
/// iteration. A scalar the host also uses stays before the loop, and the
/// loop gets a copy (a load left on the host is sunk into the kernels that
/// need it, by sinkLoadedScalars, or reported by cnn-gpu-check-host-code).
LogicalResult wrapInKernel(IRRewriter &rewriter, ArrayRef<Operation *> run) {
  llvm::SmallPtrSet<Operation *, 16> members(run.begin(), run.end());
  Location loc = run.front()->getLoc();
  rewriter.setInsertionPoint(run.front());
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  auto kernel = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                        ValueRange{one}, ValueRange{one});
  Operation *terminator = kernel.getBody()->getTerminator();
  // Ops moved into the kernel so far; a value of one is the device's.
  llvm::SmallPtrSet<Operation *, 16> onDevice;
  for (Operation *op : run) {
    bool operandsOnHost = llvm::none_of(op->getOperands(), [&](Value v) {
      Operation *def = v.getDefiningOp();
      return def && onDevice.contains(def);
    });
    // Scalar arithmetic and views of host values stay on the host; the
    // kernel reads their results as parameters.
    if (isFreeScalarWork(op) && operandsOnHost) {
      op->moveBefore(kernel);
      continue;
    }
    bool hostUse = llvm::any_of(op->getUsers(), [&](Operation *user) {
      return !inRun(user, members);
    });
    if (!hostUse) {
      op->moveBefore(terminator);
      onDevice.insert(op);
      continue;
    }
    if (!isa<memref::LoadOp>(op) || !operandsOnHost) {
      InFlightDiagnostic diag =
          op->emitError("the host needs this value, which the GPU computes");
      for (Operation *user : op->getUsers())
        if (!inRun(user, members))
          diag.attachNote(user->getLoc()) << "used here by " << user->getName();
      return diag;
    }
    // A load the host also uses: the kernel loads it itself.
    rewriter.setInsertionPoint(terminator);
    Operation *copy = rewriter.clone(*op);
    onDevice.insert(copy);
    rewriter.replaceUsesWithIf(op->getResults(), copy->getResults(),
                               [&](OpOperand &use) {
                                 return inRun(use.getOwner(), members);
                               });
    op->moveBefore(kernel);
  }
  return success();
}

/// Whether `value` is a scalar the host would read from device memory: a
/// load, or arithmetic on one.
bool isLoadedScalar(Value value) {
  Operation *def = value.getDefiningOp();
  if (!def || def->getParentOfType<scf::ParallelOp>())
    return false;
  if (isa<memref::LoadOp>(def))
    return true;
  return isFreeScalarWork(def) &&
         llvm::any_of(def->getOperands(), isLoadedScalar);
}

/// Whether an op from `from` up to (not including) `to`, in one block, may
/// write the buffer `load` reads.
bool writtenBetween(memref::LoadOp load, Operation *from, Operation *to) {
  Value buffer = underlyingBuffer(load.getMemRef());
  for (Operation *op = from; op && op != to; op = op->getNextNode()) {
    bool writes = op->walk([&](Operation *inner) {
                      // A call may write the buffers it is given.
                      if (isa<CallOpInterface>(inner))
                        return llvm::any_of(inner->getOperands(),
                                            [&](Value arg) {
                                              return underlyingBuffer(arg) ==
                                                     buffer;
                                            })
                                   ? WalkResult::interrupt()
                                   : WalkResult::advance();
                      auto effects = dyn_cast<MemoryEffectOpInterface>(inner);
                      if (!effects)
                        return WalkResult::advance();
                      SmallVector<MemoryEffects::EffectInstance> instances;
                      effects.getEffects(instances);
                      for (auto &effect : instances)
                        if (isa<MemoryEffects::Write>(effect.getEffect()) &&
                            (!effect.getValue() ||
                             underlyingBuffer(effect.getValue()) == buffer))
                          return WalkResult::interrupt();
                      return WalkResult::advance();
                    }).wasInterrupted();
    if (writes)
      return true;
  }
  return false;
}

/// A kernel that reads a scalar the host loaded (the global batch size as
/// a divisor) loads it itself: the host cannot read device memory.
/// `cloned` maps the host's values to the kernel's copies.
FailureOr<Value> loadInKernel(IRRewriter &rewriter, Value value,
                              scf::ParallelOp kernel, IRMapping &cloned) {
  if (Value copy = cloned.lookupOrNull(value))
    return copy;
  Operation *def = value.getDefiningOp();
  if (auto load = dyn_cast<memref::LoadOp>(def)) {
    if (writtenBetween(load, load->getNextNode(), kernel))
      return failure();
  } else {
    for (Value operand : def->getOperands())
      if (isLoadedScalar(operand) &&
          failed(loadInKernel(rewriter, operand, kernel, cloned)))
        return failure();
  }
  Operation *copy = rewriter.clone(*def, cloned);
  return copy->getResult(cast<OpResult>(value).getResultNumber());
}

LogicalResult sinkLoadedScalars(IRRewriter &rewriter, scf::ParallelOp kernel) {
  llvm::SetVector<Value> captured;
  kernel.walk([&](Operation *op) {
    for (Value operand : op->getOperands())
      if (isLoadedScalar(operand))
        captured.insert(operand);
  });
  IRMapping cloned;
  rewriter.setInsertionPointToStart(kernel.getBody());
  for (Value value : captured) {
    FailureOr<Value> copy = loadInKernel(rewriter, value, kernel, cloned);
    if (failed(copy))
      return kernel->emitError("a kernel reads a scalar loaded on the host "
                               "that may change before it runs");
    rewriter.replaceUsesWithIf(value, *copy, [&](OpOperand &use) {
      return kernel->isProperAncestor(use.getOwner());
    });
  }
  return success();
}

LogicalResult moveSerialWork(IRRewriter &rewriter, Block &block) {
  SmallVector<Operation *> ops = llvm::map_to_vector(
      block.without_terminator(), [](Operation &op) { return &op; });
  for (size_t i = 0; i < ops.size();) {
    Operation *op = ops[i];
    if (!isDeviceWork(op)) {
      if (holdsKernels(op) && !isa<scf::ParallelOp>(op))
        for (Region &region : op->getRegions())
          for (Block &inner : region)
            if (failed(moveSerialWork(rewriter, inner)))
              return failure();
      ++i;
      continue;
    }
    // The run: device work, with the scalar work and the allocations of
    // the host among it (allocations move before it).
    size_t last = i;
    for (size_t j = i + 1; j < ops.size(); ++j) {
      if (isDeviceWork(ops[j]))
        last = j;
      else if (!isFreeScalarWork(ops[j]) && !isHoistableAlloc(ops[j], ops[i]))
        break;
    }
    SmallVector<Operation *> run;
    for (size_t j = i; j <= last; ++j) {
      if (isa<memref::AllocOp>(ops[j]))
        ops[j]->moveBefore(ops[i]);
      else
        run.push_back(ops[j]);
    }
    if (failed(wrapInKernel(rewriter, run)))
      return failure();
    i = last + 1;
  }
  return success();
}

struct GpuSerialKernels : impl::GpuSerialKernelsBase<GpuSerialKernels> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    for (Block &block : getOperation().getBody())
      if (failed(moveSerialWork(rewriter, block)))
        return signalPassFailure();
    SmallVector<scf::ParallelOp> kernels;
    getOperation().walk([&](scf::ParallelOp kernel) {
      if (!kernel->getParentOfType<scf::ParallelOp>())
        kernels.push_back(kernel);
    });
    for (scf::ParallelOp kernel : kernels)
      if (failed(sinkLoadedScalars(rewriter, kernel)))
        return signalPassFailure();
    // The host's copies nobody reads any more.
    getOperation().walk<WalkOrder::PostOrder, mlir::ReverseIterator>(
        [&](Operation *op) {
          if (isa<memref::LoadOp>(op) || isFreeScalarWork(op))
            if (op->getNumResults() && op->use_empty() &&
                !op->getParentOfType<scf::ParallelOp>())
              rewriter.eraseOp(op);
        });
  }
};

} // namespace
} // namespace cnnc::gpu
