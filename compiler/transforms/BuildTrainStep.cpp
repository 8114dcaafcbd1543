//===- BuildTrainStep.cpp - forward -> train_step -------------------------===//
//
// Assembles the training step from the train-specialised forward function:
// its signature (model_abi.h's cnnrt_train_step_fn, tensors as values), the
// loss, the backward pass (Autodiff.h), the penalty and the SGD update
// (Optimizer.h). The layout of the body:
//
//   forward ops (cloned), batchnorm buffer reads and statistics
//   loss, backward, the gradients summed over the replicas (one
//   cnn.replica_sum), penalty, momentum reads, cnn.sgd_update per parameter
//   writes: batchnorm buffers, then per parameter gradient, value, momentum
//   return logits, loss, masks
//
// so every cnn.read of the step precedes every cnn.write.
//
//===----------------------------------------------------------------------===//
#include "transforms/Passes.h"

#include "cnn/CnnOps.h"
#include "transforms/Autodiff.h"
#include "transforms/Optimizer.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace cnn {
#define GEN_PASS_DEF_BUILDTRAINSTEP
#include "transforms/Passes.h.inc"
} // namespace cnn

using namespace cnn;

namespace {

/// What cnn-specialize-train made of forward: (x, masks..., masks_given,
/// seed, step) -> (logits, masks...), or (x) -> (logits) without dropout.
struct ForwardSignature {
  unsigned numMasks = 0;

  static FailureOr<ForwardSignature> of(func::FuncOp forward) {
    FunctionType type = forward.getFunctionType();
    auto fail = [&] {
      return forward.emitOpError(
          "expects the train-specialised signature (x, masks..., "
          "masks_given, seed, step) -> (logits, masks...), got ")
             << type;
    };
    if (type.getNumInputs() < 1 || type.getNumResults() < 1 ||
        !forward.getBody().hasOneBlock())
      return fail();
    auto input = dyn_cast<RankedTensorType>(type.getInput(0));
    auto logits = dyn_cast<RankedTensorType>(type.getResult(0));
    if (!input || input.getRank() != 4 || !logits || logits.getRank() != 2)
      return fail();
    ForwardSignature sig;
    sig.numMasks = type.getNumResults() - 1;
    unsigned expected = sig.numMasks ? 1 + sig.numMasks + 3 : 1;
    if (type.getNumInputs() != expected)
      return fail();
    return sig;
  }
};

struct BuildTrainStepPass
    : cnn::impl::BuildTrainStepBase<BuildTrainStepPass> {
  void runOnOperation() override {
    if (failed(build(getOperation())))
      signalPassFailure();
  }

  LogicalResult build(ModuleOp module) {
    if (getMode(module) != kTrainMode)
      return module.emitError("cnn-build-train-step expects a module "
                              "specialised for training "
                              "(run cnn-specialize-train first)");
    auto forward = module.lookupSymbol<func::FuncOp>(kForwardFnName);
    if (!forward)
      return module.emitError("cnn-build-train-step expects a function "
                              "@forward");
    if (module.lookupSymbol(kTrainStepFnName))
      return module.emitError("the module already has a symbol @train_step");
    FailureOr<ForwardSignature> sig = ForwardSignature::of(forward);
    if (failed(sig))
      return failure();
    FailureOr<SmallVector<TrainingSlot>> slots = declareTrainingSlots(module);
    if (failed(slots))
      return failure();

    // The signature, in cnnrt_train_step_fn's order.
    MLIRContext *ctx = module.getContext();
    Builder types(ctx);
    FunctionType fwdType = forward.getFunctionType();
    auto inputType = cast<RankedTensorType>(fwdType.getInput(0));
    Type f32 = types.getF32Type(), i32 = types.getI32Type(),
         i64 = types.getI64Type();
    TypeRange maskTypes = fwdType.getResults().drop_front();
    SmallVector<Type> args{inputType,
                           RankedTensorType::get({inputType.getDimSize(0)},
                                                 i32)};
    args.append(maskTypes.begin(), maskTypes.end());
    args.append({f32, f32, f32, f32, f32, f32, i32, i32, i32, i64, i64});
    SmallVector<Type> results{fwdType.getResult(0),
                              RankedTensorType::get({2}, f32)};
    results.append(maskTypes.begin(), maskTypes.end());

    IRRewriter b(ctx);
    b.setInsertionPointAfter(forward);
    auto step = func::FuncOp::create(b, forward.getLoc(), kTrainStepFnName,
                                     b.getFunctionType(args, results));
    Block *body = step.addEntryBlock();
    unsigned m = sig->numMasks;
    auto arg = [&](unsigned i) { return body->getArgument(i); };
    Value input = arg(0), labels = arg(1);
    SgdScalars sgd{arg(2 + m), arg(3 + m), arg(4 + m), arg(5 + m),
                   arg(6 + m), arg(7 + m), arg(8 + m), arg(9 + m)};

    // The forward ops, in train_step.
    Block &fwdBody = forward.getBody().front();
    IRMapping map;
    map.map(fwdBody.getArgument(0), input);
    if (m) {
      for (unsigned i = 0; i < m; ++i)
        map.map(fwdBody.getArgument(1 + i), arg(2 + i));
      for (unsigned i = 0; i < 3; ++i) // masks_given, seed, step
        map.map(fwdBody.getArgument(1 + m + i), arg(10 + m + i));
    }
    b.setInsertionPointToEnd(body);
    SmallVector<Operation *> forwardOps;
    Operation *firstWrite = nullptr;
    for (Operation &op : fwdBody.without_terminator()) {
      Operation *clone = b.clone(op, map);
      if (isa<WriteOp>(clone))
        firstWrite = firstWrite ? firstWrite : clone;
      else if (!firstWrite)
        forwardOps.push_back(clone);
    }
    Operation *fwdReturn = fwdBody.getTerminator();
    Value logits = map.lookup(fwdReturn->getOperand(0));
    SmallVector<Value> masks;
    for (Value v : fwdReturn->getOperands().drop_front())
      masks.push_back(map.lookup(v));

    // Loss and backward, before the batchnorm buffers' writes.
    OpBuilder writes = OpBuilder::atBlockEnd(body);
    if (firstWrite)
      b.setInsertionPoint(firstWrite);
    Location loc = forward.getLoc();
    Value ce = CrossEntropyOp::create(b, loc, logits, labels);
    Value dLogits = CrossEntropyGradOp::create(b, loc, logits, labels);

    llvm::DenseMap<StringAttr, unsigned> slotOf;
    for (auto [i, slot] : llvm::enumerate(*slots))
      slotOf[slot.param.getSymNameAttr()] = i;
    auto trainedRead = [&](Value v) -> std::optional<unsigned> {
      auto read = v.getDefiningOp<ReadOp>();
      if (!read)
        return std::nullopt;
      auto it = slotOf.find(read.getParamAttr().getAttr());
      if (it == slotOf.end())
        return std::nullopt;
      return it->second;
    };
    auto grads = backpropagate(b, forwardOps, {{logits, dLogits}},
                               [&](Value v) { return bool(trainedRead(v)); });
    if (failed(grads))
      return failure();

    // Per parameter: its value (the first read) and the sum of its reads'
    // gradients, in program order.
    SmallVector<Value> params(slots->size()), paramGrads(slots->size());
    for (Operation *op : forwardOps) {
      if (op->getNumResults() != 1)
        continue;
      Value v = op->getResult(0);
      std::optional<unsigned> i = trainedRead(v);
      if (!i)
        continue;
      if (!params[*i])
        params[*i] = v;
      Value g = grads->lookup(v);
      if (!g)
        continue;
      paramGrads[*i] =
          paramGrads[*i] ? AddOp::create(b, loc, paramGrads[*i], g) : g;
    }
    for (auto [i, slot] : llvm::enumerate(*slots)) {
      if (!params[i])
        params[i] = ReadOp::create(b, slot.param.getLoc(), slot.param);
      // A parameter the loss does not depend on has a zero gradient.
      if (!paramGrads[i])
        paramGrads[i] = arith::ConstantOp::create(
            b, slot.param.getLoc(),
            cast<TypedAttr>(b.getZeroAttr(slot.param.getTensorType())));
    }

    // A data-parallel run's replicas each have the gradient of their shard
    // (the loss being the mean over the global batch): their sum is the
    // global batch's, in one exchange over every parameter, before the
    // update (in one process, the gradients themselves).
    if (!paramGrads.empty()) {
      auto sums = ReplicaSumOp::create(b, loc, paramGrads);
      llvm::copy(sums.getResults(), paramGrads.begin());
    }

    Value penalty = PenaltyOp::create(b, loc, sgd.l2, sgd.l1, params);
    Value loss = PackLossOp::create(b, loc, ce, penalty);
    emitSgdStep(b, writes, *slots, params, paramGrads, sgd);

    SmallVector<Value> outs{logits, loss};
    outs.append(masks);
    func::ReturnOp::create(writes, fwdReturn->getLoc(), outs);

    forward.erase();
    eraseDeadOps(body);
    return success();
  }

  /// Removes the gradients nobody needs (e.g. of the input batch, which the
  /// gradient ops emit alongside the weights').
  static void eraseDeadOps(Block *body) {
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*body)))
      if (isOpTriviallyDead(&op))
        op.erase();
  }
};

} // namespace
