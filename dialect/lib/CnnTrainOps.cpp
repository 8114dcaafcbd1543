//===- CnnTrainOps.cpp - verifiers of the training ops --------------------===//
//
// The shape rules of the training ops (CnnTrainOps.td). A gradient op is
// checked against its forward op's rule: conv2d_input_grad accepts dx only
// if conv2d of dx gives dy's shape, so a gradient can never disagree with
// the forward it differentiates. Messages use OpRules.h's words.
//
//===----------------------------------------------------------------------===//
#include "OpRules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace cnn;
using namespace cnn::rules;

/// "expects <what> of shape [..], got [..]" for a per-sample shape.
static LogicalResult sampleMismatch(EmitFn emit, StringRef what,
                                    const shape::Shape &want,
                                    const shape::Shape &got) {
  return emit() << "expects " << what << " of sample shape "
                << shape::str(want) << ", got " << shape::str(got);
}

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

//===----------------------------------------------------------------------===//
// dropout_mask, apply_mask
//===----------------------------------------------------------------------===//

LogicalResult DropoutMaskOp::verify() {
  auto emit = [&] { return emitOpError(); };
  if (failed(activation(getGiven(), 2, "[N, E] mask", emit)))
    return failure();
  return dropoutProbability(emit, getP());
}

LogicalResult ApplyMaskOp::verify() {
  auto emit = [&] { return emitOpError(); };
  auto x = activation(getInput(), 2, kAnyRank, "[N, ...]", emit);
  if (failed(x))
    return failure();
  auto mask = activation(getMask(), 2, "[N, E] mask", emit);
  if (failed(mask) || failed(expectSameBatch(emit, x->batch, mask->batch)))
    return failure();
  int64_t e = mask->sample[0];
  // Channel-wise (dropout2d) on NCHW, or element-wise on the whole sample.
  bool channelwise = x->sample.size() == 3 && e == x->sample[0];
  if (channelwise || e == shape::flatten(x->sample).shape[0])
    return success();
  return emitOpError("expects a mask of ")
         << x->sample[0] << " (per channel) or "
         << shape::flatten(x->sample).shape[0]
         << " (per element) values per sample, got " << e;
}

//===----------------------------------------------------------------------===//
// batch_norm_train, increment, write
//===----------------------------------------------------------------------===//

/// The result types of batch_norm_train: y like the input, then four [C].
static LogicalResult batchNormTrainRule(BatchNormTrainOp::Adaptor op,
                                        EmitFn emit,
                                        SmallVectorImpl<Type> &types) {
  Type y;
  if (failed(batchNormCommon(op, emit, y)) ||
      failed(batchNormMomentum(emit, op.getMomentum())))
    return failure();
  types.push_back(y);
  types.append(4, op.getRunningMean().getType());
  return success();
}

LogicalResult BatchNormTrainOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  return batchNormTrainRule(
      adaptor, [&] { return emitAt<BatchNormTrainOp>(loc); }, types);
}

/// Compares every declared result type with the inferred ones.
static LogicalResult checkResultTypes(Operation *op, TypeRange inferred) {
  for (auto [declared, want] : llvm::zip(op->getResultTypes(), inferred))
    if (declared != want)
      return op->emitOpError("result type ")
             << declared << " does not match the inferred " << want;
  return success();
}

LogicalResult BatchNormTrainOp::verify() {
  SmallVector<Type> types;
  if (failed(batchNormTrainRule(Adaptor(*this),
                                [&] { return emitOpError(); }, types)))
    return failure();
  return checkResultTypes(*this, types);
}

LogicalResult WriteOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto param = symbolTable.lookupNearestSymbolFrom<ParamOp>(getOperation(),
                                                            getParamAttr());
  if (!param)
    return emitOpError("writes ")
           << getParamAttr() << ", which is not a cnn.param";
  if (param.getType() != getValue().getType())
    return emitOpError("writes ")
           << getValue().getType() << " to " << getParamAttr()
           << ", which is declared " << param.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// cross_entropy, cross_entropy_grad, penalty, pack_loss
//===----------------------------------------------------------------------===//

/// logits [N, K] and labels [N] of one batch.
static LogicalResult crossEntropyOperands(Value logits, Value labels,
                                          EmitFn emit) {
  auto z = activation(logits, 2, "[N, K] logits", emit);
  if (failed(z))
    return failure();
  return expectSameBatch(emit, z->batch, shapeOf(labels)[0]);
}

LogicalResult CrossEntropyOp::verify() {
  return crossEntropyOperands(getLogits(), getLabels(),
                              [&] { return emitOpError(); });
}

LogicalResult CrossEntropyGradOp::verify() {
  return crossEntropyOperands(getLogits(), getLabels(),
                              [&] { return emitOpError(); });
}

// Checked before the inference so that a wrong type is named.
LogicalResult PackLossOp::verify() {
  if (getType().getShape() == ArrayRef<int64_t>{2})
    return success();
  return emitOpError("expects a tensor<2xf32> result, got ") << getType();
}

LogicalResult PackLossOp::inferReturnTypes(MLIRContext *ctx,
                                           std::optional<Location>, Adaptor,
                                           SmallVectorImpl<Type> &types) {
  types.push_back(RankedTensorType::get({2}, Float32Type::get(ctx)));
  return success();
}

//===----------------------------------------------------------------------===//
// conv2d_input_grad, conv2d_weight_grad, bias_grad
//===----------------------------------------------------------------------===//

/// The forward conv2d of `input` [N, C, H, W] with a weight of shape `w`
/// must produce `outputGrad`'s shape.
static LogicalResult checkConvPair(EmitFn emit, Value input,
                                   ArrayRef<int64_t> w, Value outputGrad,
                                   ArrayRef<int64_t> stride,
                                   ArrayRef<int64_t> padding) {
  auto x = activation(input, 4, "[N, C, H, W]", emit);
  if (failed(x))
    return failure();
  auto dy = activation(outputGrad, 4, "[N, O, OH, OW] output gradient", emit);
  if (failed(dy) || failed(expectPair(emit, stride, "stride")) ||
      failed(expectPair(emit, padding, "padding")) ||
      failed(expectSameBatch(emit, x->batch, dy->batch)))
    return failure();
  if (w.size() != 4)
    return emit() << "expects a [O, C, KH, KW] weight, got rank " << w.size();
  shape::Result r = shape::conv2d(x->sample, w[1], w[0], w[2], w[3], stride[0],
                                  stride[1], padding[0], padding[1]);
  if (!r)
    return ruleFailed(emit, r, "conv2d");
  if (r.shape != dy->sample)
    return sampleMismatch(emit, "an output gradient", r.shape, dy->sample);
  return success();
}

LogicalResult Conv2dInputGradOp::verify() {
  return checkConvPair([&] { return emitOpError(); }, getResult(),
                       shapeOf(getWeight()), getOutputGrad(), getStride(),
                       getPadding());
}

LogicalResult Conv2dWeightGradOp::verify() {
  return checkConvPair([&] { return emitOpError(); }, getInput(),
                       shapeOf(getResult()), getOutputGrad(), getStride(),
                       getPadding());
}

static LogicalResult biasGradRule(BiasGradOp::Adaptor op, EmitFn emit,
                                  Type &result) {
  auto dy = activation(op.getOutputGrad(), 2, 4,
                       "[N, O, OH, OW] or [N, O] output gradient", emit);
  if (failed(dy))
    return failure();
  if (dy->sample.size() == 2)
    return emit() << "expects a [N, O, OH, OW] or [N, O] output gradient, "
                     "got rank 3";
  result = RankedTensorType::get(
      {dy->sample[0]}, Float32Type::get(op.getOutputGrad().getContext()));
  return success();
}
CNN_INFER_AND_VERIFY(BiasGradOp, biasGradRule)

//===----------------------------------------------------------------------===//
// linear_input_grad, linear_weight_grad
//===----------------------------------------------------------------------===//

static LogicalResult linearInputGradRule(LinearInputGradOp::Adaptor op,
                                         EmitFn emit, Type &result) {
  auto dy = activation(op.getOutputGrad(), 2, "[N, O] output gradient", emit);
  if (failed(dy))
    return failure();
  ArrayRef<int64_t> w = shapeOf(op.getWeight());
  if (w.size() != 2)
    return emit() << "expects a [O, F] weight, got rank " << w.size();
  if (w[0] != dy->sample[0])
    return emit() << "expects an output gradient of " << w[0]
                  << " features, got " << dy->sample[0];
  result = tensorOf(op.getWeight().getContext(), dy->batch, {w[1]});
  return success();
}
CNN_INFER_AND_VERIFY(LinearInputGradOp, linearInputGradRule)

static LogicalResult linearWeightGradRule(LinearWeightGradOp::Adaptor op,
                                          EmitFn emit, Type &result) {
  auto x = activation(op.getInput(), 2, "[N, F]", emit);
  if (failed(x))
    return failure();
  auto dy = activation(op.getOutputGrad(), 2, "[N, O] output gradient", emit);
  if (failed(dy) || failed(expectSameBatch(emit, x->batch, dy->batch)))
    return failure();
  result = RankedTensorType::get(
      {dy->sample[0], x->sample[0]},
      Float32Type::get(op.getInput().getContext()));
  return success();
}
CNN_INFER_AND_VERIFY(LinearWeightGradOp, linearWeightGradRule)

//===----------------------------------------------------------------------===//
// max_pool2d_grad, avg_pool2d_grad
//===----------------------------------------------------------------------===//

/// Pooling `input` [N, C, H, W] must produce `outputGrad`'s shape.
static LogicalResult checkPoolPair(EmitFn emit, const char *word, Value input,
                                   Value outputGrad, ArrayRef<int64_t> kernel,
                                   ArrayRef<int64_t> stride) {
  auto x = activation(input, 4, "[N, C, H, W]", emit);
  if (failed(x))
    return failure();
  auto dy = activation(outputGrad, 4, "[N, C, OH, OW] output gradient", emit);
  if (failed(dy) || failed(expectPair(emit, kernel, "kernel")) ||
      failed(expectPair(emit, stride, "stride")) ||
      failed(expectSameBatch(emit, x->batch, dy->batch)))
    return failure();
  shape::Result r = shape::pool2d(word, x->sample, kernel[0], kernel[1],
                                  stride[0], stride[1]);
  if (!r)
    return ruleFailed(emit, r, word);
  if (r.shape != dy->sample)
    return sampleMismatch(emit, "an output gradient", r.shape, dy->sample);
  return success();
}

LogicalResult MaxPool2dGradOp::verify() {
  return checkPoolPair([&] { return emitOpError(); }, "max_pool2d",
                       getInput(), getOutputGrad(), getKernel(), getStride());
}

LogicalResult AvgPool2dGradOp::verify() {
  return checkPoolPair([&] { return emitOpError(); }, "avg_pool2d",
                       getResult(), getOutputGrad(), getKernel(), getStride());
}

//===----------------------------------------------------------------------===//
// relu_grad, tanh_grad, sigmoid_grad, unflatten
//===----------------------------------------------------------------------===//

namespace {
/// act_grad(y, max_pool2d_grad(y, g)) ->
/// max_pool2d_grad(y, act_grad(max_pool2d(y), g)) (CnnTrainOps.td), with
/// the forward's own pooling of y where it comes first in the block.
template <typename ActGrad>
struct ActivationGradBeforePoolGrad : OpRewritePattern<ActGrad> {
  using OpRewritePattern<ActGrad>::OpRewritePattern;

  LogicalResult matchAndRewrite(ActGrad op,
                                PatternRewriter &rewriter) const override {
    Value y = op.getOutput();
    auto poolGrad =
        op.getOutputGrad().template getDefiningOp<MaxPool2dGradOp>();
    if (!poolGrad || poolGrad.getInput() != y ||
        !poolGrad.getResult().hasOneUse())
      return failure();
    MaxPool2dOp pool;
    for (Operation *user : y.getUsers()) {
      auto candidate = dyn_cast<MaxPool2dOp>(user);
      if (candidate && candidate.getKernel() == poolGrad.getKernel() &&
          candidate.getStride() == poolGrad.getStride() &&
          candidate->getBlock() == poolGrad->getBlock() &&
          candidate->isBeforeInBlock(poolGrad)) {
        pool = candidate;
        break;
      }
    }
    rewriter.setInsertionPoint(poolGrad);
    if (!pool)
      pool = MaxPool2dOp::create(rewriter, poolGrad.getLoc(), y,
                                 poolGrad.getKernel(), poolGrad.getStride());
    Value pooledGrad = ActGrad::create(rewriter, op.getLoc(), pool.getResult(),
                                       poolGrad.getOutputGrad());
    rewriter.replaceOpWithNewOp<MaxPool2dGradOp>(
        op, y, pooledGrad, poolGrad.getKernel(), poolGrad.getStride());
    return success();
  }
};

/// bias_grad(max_pool2d_grad(y, g)) -> bias_grad(g) (CnnTrainOps.td).
struct BiasGradOfPoolGrad : OpRewritePattern<BiasGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BiasGradOp op,
                                PatternRewriter &rewriter) const override {
    auto poolGrad = op.getOutputGrad().getDefiningOp<MaxPool2dGradOp>();
    if (!poolGrad)
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      op.getOutputGradMutable().assign(poolGrad.getOutputGrad());
    });
    return success();
  }
};

/// bias_grad(batch_norm_train_grad(...).input_grad) -> 0 (CnnTrainOps.td).
struct BiasGradBeforeBatchNorm : OpRewritePattern<BiasGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BiasGradOp op,
                                PatternRewriter &rewriter) const override {
    auto bnGrad = op.getOutputGrad().getDefiningOp<BatchNormTrainGradOp>();
    if (!bnGrad || op.getOutputGrad() != bnGrad.getInputGrad())
      return failure();
    auto type = cast<RankedTensorType>(op.getType());
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, type, DenseElementsAttr::get(type, rewriter.getF32FloatAttr(0)));
    return success();
  }
};
} // namespace

void BiasGradOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                             MLIRContext *ctx) {
  patterns.add<BiasGradOfPoolGrad, BiasGradBeforeBatchNorm>(ctx);
}

void ReluGradOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                             MLIRContext *ctx) {
  patterns.add<ActivationGradBeforePoolGrad<ReluGradOp>>(ctx);
}
void TanhGradOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                             MLIRContext *ctx) {
  patterns.add<ActivationGradBeforePoolGrad<TanhGradOp>>(ctx);
}
void SigmoidGradOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                MLIRContext *ctx) {
  patterns.add<ActivationGradBeforePoolGrad<SigmoidGradOp>>(ctx);
}

LogicalResult ReluGradOp::verify() {
  return activation(getOutput(), 1, kAnyRank, "[N, ...]",
                    [&] { return emitOpError(); });
}
LogicalResult TanhGradOp::verify() {
  return activation(getOutput(), 1, kAnyRank, "[N, ...]",
                    [&] { return emitOpError(); });
}
LogicalResult SigmoidGradOp::verify() {
  return activation(getOutput(), 1, kAnyRank, "[N, ...]",
                    [&] { return emitOpError(); });
}

LogicalResult UnflattenOp::verify() {
  auto emit = [&] { return emitOpError(); };
  auto x = activation(getInput(), 2, "[N, F]", emit);
  if (failed(x))
    return failure();
  auto y = activation(getResult(), 2, kAnyRank, "[N, d1, ...]", emit);
  if (failed(y) || failed(expectSameBatch(emit, x->batch, y->batch)))
    return failure();
  shape::Shape flat = shape::flatten(y->sample).shape;
  if (flat != x->sample)
    return emitOpError("cannot unflatten ")
           << shape::str(x->sample) << " into " << shape::str(y->sample);
  return success();
}

//===----------------------------------------------------------------------===//
// batch_norm_train_grad
//===----------------------------------------------------------------------===//

static LogicalResult batchNormApplyRule(BatchNormApplyOp::Adaptor op,
                                        EmitFn emit, Type &result) {
  auto x = activation(op.getInput(), 4, "[N, C, H, W]", emit);
  if (failed(x))
    return failure();
  int64_t c = x->sample[0];
  if (failed(expectShape(emit, op.getBatchMean(), {c}, "batch_mean")) ||
      failed(expectShape(emit, op.getBatchInvstd(), {c}, "batch_invstd")))
    return failure();
  if (bool(op.getScale()) != bool(op.getShift()))
    return emit() << "expects scale and shift together (affine) or neither";
  if (op.getScale() &&
      (failed(expectShape(emit, op.getScale(), {c}, "scale")) ||
       failed(expectShape(emit, op.getShift(), {c}, "shift"))))
    return failure();
  result = op.getInput().getType();
  return success();
}
CNN_INFER_AND_VERIFY(BatchNormApplyOp, batchNormApplyRule)

static LogicalResult batchNormTrainGradRule(BatchNormTrainGradOp::Adaptor op,
                                            EmitFn emit,
                                            SmallVectorImpl<Type> &types) {
  auto x = activation(op.getInput(), 4, "[N, C, H, W]", emit);
  if (failed(x))
    return failure();
  auto dy = activation(op.getOutputGrad(), 4, "[N, C, H, W] output gradient",
                       emit);
  if (failed(dy) || failed(expectSameBatch(emit, x->batch, dy->batch)))
    return failure();
  if (dy->sample != x->sample)
    return sampleMismatch(emit, "an output gradient", x->sample, dy->sample);
  int64_t c = x->sample[0];
  if (failed(expectShape(emit, op.getBatchMean(), {c}, "batch_mean")) ||
      failed(expectShape(emit, op.getBatchInvstd(), {c}, "batch_invstd")) ||
      (op.getScale() &&
       failed(expectShape(emit, op.getScale(), {c}, "scale"))))
    return failure();
  types.push_back(op.getInput().getType());
  types.append(2, op.getBatchMean().getType());
  return success();
}

LogicalResult BatchNormTrainGradOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  return batchNormTrainGradRule(
      adaptor, [&] { return emitAt<BatchNormTrainGradOp>(loc); }, types);
}

LogicalResult BatchNormTrainGradOp::verify() {
  SmallVector<Type> types;
  if (failed(batchNormTrainGradRule(Adaptor(*this),
                                    [&] { return emitOpError(); }, types)))
    return failure();
  return checkResultTypes(*this, types);
}

//===----------------------------------------------------------------------===//
// replica_sum
//===----------------------------------------------------------------------===//

LogicalResult ReplicaSumOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location>,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  llvm::append_range(types, adaptor.getInputs().getTypes());
  return success();
}

LogicalResult ReplicaSumOp::verify() {
  if (getInputs().empty())
    return emitOpError("expects at least one tensor to sum");
  Type element = getElementTypeOrSelf(getInputs().front().getType());
  for (Value v : getInputs())
    if (getElementTypeOrSelf(v.getType()) != element)
      return emitOpError("expects tensors of one element type (one exchange "
                         "over one buffer), got ")
             << element << " and " << getElementTypeOrSelf(v.getType());
  return success();
}
