//===- SpecializeTrain.cpp - specialise a model for training --------------===//
//
// PyTorch's train(): dropout multiplies by a random mask, batchnorm
// normalises by the batch statistics and updates the running ones. The
// masks are keyed by the step's (seed, step) and also leave the function,
// so the runtime can record them or hand them back (masks_given) to replay
// a step exactly; see Passes.td for the signature this gives a function.
//
//===----------------------------------------------------------------------===//
#include "transforms/Passes.h"

#include "cnn/CnnOps.h"
#include "transforms/RepeatExtension.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace cnn {
#define GEN_PASS_DEF_SPECIALIZETRAIN
#include "transforms/Passes.h.inc"
} // namespace cnn

using namespace cnn;

namespace {

/// The [N, E] mask of a dropout op on `input`: E = C for dropout2d, the
/// sample's size for dropout.
RankedTensorType maskType(Operation *dropout) {
  auto x = cast<RankedTensorType>(dropout->getOperand(0).getType());
  int64_t e = x.getDimSize(1);
  if (isa<DropoutOp>(dropout))
    for (int64_t d : x.getShape().drop_front(2))
      e *= d;
  return RankedTensorType::get({x.getDimSize(0), e}, x.getElementType());
}

/// Dropout sites: mask arguments and results, masks_given/seed/step, and
/// one dropout_mask + apply_mask per site.
LogicalResult specializeDropout(func::FuncOp func, IRRewriter &rewriter) {
  SmallVector<Operation *> sites;
  func.walk([&](Operation *op) {
    if (isa<DropoutOp, Dropout2dOp>(op))
      sites.push_back(op);
  });
  if (sites.empty())
    return success();
  if (!func.getBody().hasOneBlock())
    return func.emitError("cannot add dropout masks to a function of several "
                          "blocks");
  auto siteOf = [](Operation *op) {
    return op->getAttrOfType<IntegerAttr>("site").getInt();
  };
  llvm::stable_sort(sites, [&](Operation *a, Operation *b) {
    return siteOf(a) < siteOf(b);
  });
  for (size_t i = 1; i < sites.size(); ++i)
    if (siteOf(sites[i]) == siteOf(sites[i - 1])) {
      InFlightDiagnostic diag = sites[i]->emitOpError("reuses dropout site ")
                                << siteOf(sites[i]);
      diag.attachNote(sites[i - 1]->getLoc()) << "the first use is here";
      return diag;
    }

  Block &entry = func.getBody().front();
  Location loc = func.getLoc();
  SmallVector<Value> given;
  for (Operation *op : sites)
    given.push_back(entry.addArgument(maskType(op), op->getLoc()));
  Value masksGiven = entry.addArgument(rewriter.getI32Type(), loc);
  Value seed = entry.addArgument(rewriter.getI64Type(), loc);
  Value step = entry.addArgument(rewriter.getI64Type(), loc);

  SmallVector<Value> masks;
  for (auto [op, mask] : llvm::zip(sites, given)) {
    rewriter.setInsertionPoint(op);
    double p = op->getAttrOfType<FloatAttr>("p").getValueAsDouble();
    Value m = DropoutMaskOp::create(rewriter, op->getLoc(), mask, masksGiven,
                                    seed, step, rewriter.getF64FloatAttr(p),
                                    rewriter.getI64IntegerAttr(siteOf(op)));
    masks.push_back(m);
    rewriter.replaceOpWithNewOp<ApplyMaskOp>(op, op->getOperand(0), m);
  }

  Operation *ret = entry.getTerminator();
  ret->insertOperands(ret->getNumOperands(), masks);
  func.setFunctionType(rewriter.getFunctionType(
      entry.getArgumentTypes(), ret->getOperandTypes()));
  return success();
}

/// The param a running statistic comes from: a cnn.read of it, or in a
/// repeat's body the slice of a stack read whole (see hoistReads). Null
/// for a function argument (updated in value only).
FlatSymbolRefAttr readSymbol(Value v) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    if (auto repeat = dyn_cast<RepeatOp>(arg.getOwner()->getParentOp()))
      for (auto [slice, stack] :
           llvm::zip(repeat.getSliceArgs(), repeat.getStacked()))
        if (slice == arg)
          v = stack;
  if (auto read = v.getDefiningOp<ReadOp>())
    return read.getParamAttr();
  return {};
}

/// "<prefix>.running_mean" -> "<prefix>.num_batches_tracked", as MLIRGen
/// names a batchnorm's buffers.
std::string countName(StringRef runningMean) {
  StringRef prefix = runningMean;
  if (!prefix.consume_back("running_mean"))
    return "";
  return (prefix + "num_batches_tracked").str();
}

/// Every param read in `repeat`'s body moves before it, so that the training
/// step sees each parameter as one value of the function: a whole read is
/// captured by the body, a read of slice k becomes a read of the whole stack
/// that the repeat slices.
FailureOr<RepeatOp> hoistReads(RepeatOp repeat, IRRewriter &rewriter,
                               SymbolTable &symbols) {
  SmallVector<ReadOp> reads;
  repeat.walk([&](ReadOp read) { reads.push_back(read); });
  if (reads.empty())
    return repeat;
  RepeatExtension extension(repeat);
  llvm::StringMap<BlockArgument> sliceOf;
  for (ReadOp read : reads) {
    if (!read.getIndex()) {
      read->moveBefore(repeat);
      continue;
    }
    if (read.getIndex() != repeat.getIndexArg())
      return read.emitOpError("reads a slice other than the iteration's");
    BlockArgument &slice = sliceOf[read.getParam()];
    if (!slice) {
      rewriter.setInsertionPoint(repeat);
      auto stack = symbols.lookup<ParamOp>(read.getParam());
      if (!stack)
        return read.emitOpError("reads an unknown param");
      slice = extension.slice(ReadOp::create(rewriter, read.getLoc(), stack));
    }
    rewriter.replaceOp(read, slice);
  }
  return extension.finish(rewriter);
}

/// The running statistics and counters of the batchnorms of one scope (the
/// function, or one iteration of a repeat), by param, as the scope's
/// batchnorms update them in program order.
struct BufferValues {
  llvm::MapVector<StringAttr, Value> current;
};

/// Batchnorm `bn` in train mode; `currentOf` gives a buffer's value where the
/// scope has one, `countOf` the value of a running mean's counter.
void trainBatchNorm(BatchNormOp bn, IRRewriter &rewriter,
                    function_ref<Value(Value)> currentOf,
                    function_ref<Value(StringAttr, Location)> countOf,
                    BufferValues &scope, SymbolTable &symbols,
                    llvm::SetVector<Operation *> &staleReads) {
  rewriter.setInsertionPoint(bn);
  Value mean = bn.getRunningMean(), var = bn.getRunningVar();
  // In this order: a repeat's body gains carried values as it asks.
  Value currentMean = currentOf(mean);
  Value currentVar = currentOf(var);
  auto train = BatchNormTrainOp::create(
      rewriter, bn.getLoc(), bn.getInput(), currentMean, currentVar,
      bn.getScale(), bn.getShift(), bn.getEpsAttr(), bn.getMomentumAttr());
  if (FlatSymbolRefAttr sym = readSymbol(mean))
    scope.current[sym.getAttr()] = train.getNewRunningMean();
  if (FlatSymbolRefAttr sym = readSymbol(var))
    scope.current[sym.getAttr()] = train.getNewRunningVar();
  if (FlatSymbolRefAttr sym = readSymbol(mean)) {
    std::string count = countName(sym.getValue());
    if (auto param = symbols.lookup<ParamOp>(count)) {
      StringAttr countSym = param.getSymNameAttr();
      rewriter.setInsertionPoint(bn);
      Value n = countOf(countSym, bn.getLoc());
      scope.current[countSym] = IncrementOp::create(rewriter, bn.getLoc(), n);
    }
  }
  rewriter.replaceOp(bn, train.getResult());
  for (Value v : {mean, var})
    if (Operation *read = v.getDefiningOp<ReadOp>())
      staleReads.insert(read);
}

/// The batchnorms of `repeat`'s body: a shared block's buffers are carried
/// from iteration to iteration (starting from the function's current
/// values), a sequential block's slices are stacked results. Returns the
/// extended repeat; the buffers' values after it go to `outer`.
RepeatOp trainRepeatBatchNorms(RepeatOp repeat, IRRewriter &rewriter,
                               BufferValues &outer, SymbolTable &symbols,
                               llvm::SetVector<Operation *> &staleReads) {
  SmallVector<BatchNormOp> bns;
  repeat.walk([&](BatchNormOp bn) { bns.push_back(bn); });
  if (bns.empty())
    return repeat;
  RepeatExtension extension(repeat);
  BufferValues inner;
  llvm::MapVector<StringAttr, BlockArgument> carried;
  auto outerValue = [&](StringAttr sym, Location loc) -> Value {
    if (Value v = outer.current.lookup(sym))
      return v;
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(repeat);
    return ReadOp::create(rewriter, loc, symbols.lookup<ParamOp>(sym));
  };
  auto currentOf = [&](Value operand) -> Value {
    FlatSymbolRefAttr ref = readSymbol(operand);
    if (!ref)
      return operand;
    StringAttr sym = ref.getAttr();
    if (Value v = inner.current.lookup(sym))
      return v;
    if (isa<BlockArgument>(operand)) // a slice of a stack
      return operand;
    BlockArgument arg = extension.carry(outerValue(sym, operand.getLoc()));
    carried[sym] = arg;
    return arg;
  };
  auto countOf = [&](StringAttr sym, Location loc) -> Value {
    if (Value v = inner.current.lookup(sym))
      return v;
    auto param = symbols.lookup<ParamOp>(sym);
    if (param.isStacked()) {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPoint(repeat);
      return extension.slice(ReadOp::create(rewriter, loc, param));
    }
    BlockArgument arg = extension.carry(outerValue(sym, loc));
    carried[sym] = arg;
    return arg;
  };
  for (BatchNormOp bn : bns)
    trainBatchNorm(bn, rewriter, currentOf, countOf, inner, symbols,
                   staleReads);

  SmallVector<std::pair<StringAttr, unsigned>> stackedResults;
  for (auto [sym, value] : inner.current) {
    if (BlockArgument arg = carried.lookup(sym))
      extension.yieldCarried(arg, value);
    else
      stackedResults.push_back({sym, extension.yieldStacked(value)});
  }
  RepeatOp extended = extension.finish(rewriter);
  for (auto [i, entry] : llvm::enumerate(carried))
    outer.current[entry.first] = extension.carriedResult(i);
  for (auto [sym, i] : stackedResults)
    outer.current[sym] = extension.stackedResult(i);
  return extended;
}

/// Batchnorms: batch statistics, running statistics chained from use to use
/// and written back once.
LogicalResult specializeBatchNorm(func::FuncOp func, IRRewriter &rewriter,
                                  SymbolTable &symbols) {
  bool any = false;
  func.walk([&](BatchNormOp) { any = true; });
  if (!any)
    return success();
  if (!func.getBody().hasOneBlock())
    return func.emitError("cannot chain batchnorm statistics through a "
                          "function of several blocks");

  // The current value of each buffer, in order of first use.
  BufferValues scope;
  auto currentOf = [&](Value operand) {
    if (FlatSymbolRefAttr sym = readSymbol(operand))
      if (Value v = scope.current.lookup(sym.getAttr()))
        return v;
    return operand;
  };
  auto countOf = [&](StringAttr sym, Location loc) -> Value {
    if (Value n = scope.current.lookup(sym))
      return n;
    return ReadOp::create(rewriter, loc, symbols.lookup<ParamOp>(sym));
  };
  llvm::SetVector<Operation *> staleReads;
  for (Operation &op :
       llvm::make_early_inc_range(func.getBody().front().without_terminator())) {
    if (auto bn = dyn_cast<BatchNormOp>(op))
      trainBatchNorm(bn, rewriter, currentOf, countOf, scope, symbols,
                     staleReads);
    else if (auto repeat = dyn_cast<RepeatOp>(op))
      trainRepeatBatchNorms(repeat, rewriter, scope, symbols, staleReads);
  }
  // A later use's reads were replaced by the chained values.
  for (Operation *read : staleReads)
    if (read->use_empty())
      rewriter.eraseOp(read);

  rewriter.setInsertionPoint(func.getBody().front().getTerminator());
  for (auto [sym, value] : scope.current)
    WriteOp::create(rewriter, value.getLoc(), sym.getValue(), value);
  return success();
}

struct SpecializeTrainPass
    : cnn::impl::SpecializeTrainBase<SpecializeTrainPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    StringRef mode = getMode(module);
    if (!mode.empty() && mode != kTrainMode) {
      module.emitError("cannot specialise for training: the module is "
                       "already specialised for ")
          << mode;
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    SymbolTable symbols(module);
    SmallVector<RepeatOp> repeats;
    module.walk([&](RepeatOp repeat) { repeats.push_back(repeat); });
    for (RepeatOp repeat : repeats) {
      if (repeat.getSitesPerIteration() != 0) {
        repeat.emitOpError("has dropout sites: unroll it for training "
                           "(cnn-unroll-repeats with-dropout-only)");
        return signalPassFailure();
      }
      if (failed(hoistReads(repeat, rewriter, symbols)))
        return signalPassFailure();
    }
    for (auto func : module.getOps<func::FuncOp>())
      if (failed(specializeDropout(func, rewriter)) ||
          failed(specializeBatchNorm(func, rewriter, symbols)))
        return signalPassFailure();
    module->setAttr(kModeAttrName, rewriter.getStringAttr(kTrainMode));
  }
};

} // namespace
