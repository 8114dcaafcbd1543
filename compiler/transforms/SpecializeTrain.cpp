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

/// The symbol a running statistic is read from, or null when it is not a
/// cnn.read (a function argument: updated in value only).
FlatSymbolRefAttr readSymbol(Value v) {
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

/// Batchnorms: batch statistics, running statistics chained from use to use
/// and written back once.
LogicalResult specializeBatchNorm(func::FuncOp func, IRRewriter &rewriter,
                                  SymbolTable &symbols) {
  SmallVector<BatchNormOp> bns;
  func.walk([&](BatchNormOp bn) { bns.push_back(bn); });
  if (bns.empty())
    return success();
  if (!func.getBody().hasOneBlock())
    return func.emitError("cannot chain batchnorm statistics through a "
                          "function of several blocks");

  // The current value of each buffer, in order of first use.
  llvm::MapVector<StringAttr, Value> current;
  auto currentOr = [&](Value operand) {
    if (FlatSymbolRefAttr sym = readSymbol(operand))
      if (Value v = current.lookup(sym.getAttr()))
        return v;
    return operand;
  };
  llvm::SetVector<Operation *> staleReads;
  for (BatchNormOp bn : bns) {
    rewriter.setInsertionPoint(bn);
    Value mean = bn.getRunningMean(), var = bn.getRunningVar();
    auto train = BatchNormTrainOp::create(
        rewriter, bn.getLoc(), bn.getInput(), currentOr(mean), currentOr(var),
        bn.getScale(), bn.getShift(), bn.getEpsAttr(), bn.getMomentumAttr());
    if (FlatSymbolRefAttr sym = readSymbol(mean))
      current[sym.getAttr()] = train.getNewRunningMean();
    if (FlatSymbolRefAttr sym = readSymbol(var))
      current[sym.getAttr()] = train.getNewRunningVar();
    if (FlatSymbolRefAttr sym = readSymbol(mean)) {
      std::string count = countName(sym.getValue());
      if (auto param = symbols.lookup<ParamOp>(count)) {
        StringAttr countSym = param.getSymNameAttr();
        Value n = current.lookup(countSym);
        if (!n)
          n = ReadOp::create(rewriter, bn.getLoc(), param);
        current[countSym] = IncrementOp::create(rewriter, bn.getLoc(), n);
      }
    }
    rewriter.replaceOp(bn, train.getResult());
    for (Value v : {mean, var})
      if (Operation *read = v.getDefiningOp<ReadOp>())
        staleReads.insert(read);
  }
  // A later use's reads were replaced by the chained values.
  for (Operation *read : staleReads)
    if (read->use_empty())
      rewriter.eraseOp(read);

  rewriter.setInsertionPoint(func.getBody().front().getTerminator());
  for (auto [sym, value] : current)
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
    for (auto func : module.getOps<func::FuncOp>())
      if (failed(specializeDropout(func, rewriter)) ||
          failed(specializeBatchNorm(func, rewriter, symbols)))
        return signalPassFailure();
    module->setAttr(kModeAttrName, rewriter.getStringAttr(kTrainMode));
  }
};

} // namespace
