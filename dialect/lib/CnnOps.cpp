//===- CnnOps.cpp - cnn dialect ops ---------------------------------------===//
//
// Type inference and verification of the graph ops share one rule function
// per op: inferReturnTypes calls it for builders (MLIRGen), verify() for
// parsed or rewritten IR, so both report the same message. The per-sample
// arithmetic is ShapeRules.h, the front end's too. verify() also compares the
// declared result type with the inferred one; it runs before the
// InferTypeOpInterface check (which runs with the region verifiers and would
// only say "failed to infer returned types"). The checks shared with the
// training ops (CnnTrainOps.cpp) are in OpRules.h.
//
//===----------------------------------------------------------------------===//
#include "OpRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace cnn;
using namespace cnn::rules;

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

static LogicalResult conv2dRule(Conv2dOp::Adaptor op, EmitFn emit,
                                Type &result) {
  auto x = activation(op.getInput(), 4, "[N, C, H, W]", emit);
  if (failed(x))
    return failure();
  auto w = cast<RankedTensorType>(op.getWeight().getType());
  if (w.getRank() != 4)
    return emit() << "expects a [O, C, KH, KW] weight, got " << w;
  if (Value bias = op.getBias())
    if (failed(expectShape(emit, bias, {w.getDimSize(0)}, "a bias")))
      return failure();
  ArrayRef<int64_t> stride = op.getStride(), padding = op.getPadding();
  if (failed(expectPair(emit, stride, "stride")) ||
      failed(expectPair(emit, padding, "padding")))
    return failure();
  shape::Result r = shape::conv2d(x->sample, w.getDimSize(1), w.getDimSize(0),
                                  w.getDimSize(2), w.getDimSize(3), stride[0],
                                  stride[1], padding[0], padding[1]);
  if (!r)
    return ruleFailed(emit, r, "conv2d");
  result = tensorOf(w.getContext(), x->batch, r.shape);
  return success();
}
CNN_INFER_AND_VERIFY(Conv2dOp, conv2dRule)

//===----------------------------------------------------------------------===//
// batch_norm
//===----------------------------------------------------------------------===//

static LogicalResult batchNormRule(BatchNormOp::Adaptor op, EmitFn emit,
                                   Type &result) {
  if (failed(batchNormCommon(op, emit, result)))
    return failure();
  return batchNormMomentum(emit, op.getMomentum());
}
CNN_INFER_AND_VERIFY(BatchNormOp, batchNormRule)
CNN_INFER_AND_VERIFY(BatchNormEvalOp, batchNormCommon<BatchNormEvalOp::Adaptor>)

//===----------------------------------------------------------------------===//
// dropout, dropout2d
//===----------------------------------------------------------------------===//

static LogicalResult dropoutRule(DropoutOp::Adaptor op, EmitFn emit,
                                 Type &result) {
  if (failed(activation(op.getInput(), 1, kAnyRank, "[N, ...]", emit)) ||
      failed(dropoutProbability(emit, op.getP())))
    return failure();
  result = op.getInput().getType();
  return success();
}
CNN_VERIFY(DropoutOp, dropoutRule)

static LogicalResult dropout2dRule(Dropout2dOp::Adaptor op, EmitFn emit,
                                   Type &result) {
  if (failed(activation(op.getInput(), 4, "[N, C, H, W]", emit)) ||
      failed(dropoutProbability(emit, op.getP())))
    return failure();
  result = op.getInput().getType();
  return success();
}
CNN_VERIFY(Dropout2dOp, dropout2dRule)

OpFoldResult DropoutOp::fold(FoldAdaptor) {
  return getP().isZero() ? getInput() : Value();
}

OpFoldResult Dropout2dOp::fold(FoldAdaptor) {
  return getP().isZero() ? getInput() : Value();
}

//===----------------------------------------------------------------------===//
// max_pool2d, avg_pool2d
//===----------------------------------------------------------------------===//

template <typename OpTy>
static LogicalResult pool2dRule(typename OpTy::Adaptor op, EmitFn emit,
                                Type &result) {
  auto x = activation(op.getInput(), 4, "[N, C, H, W]", emit);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride();
  if (failed(expectPair(emit, kernel, "kernel")) ||
      failed(expectPair(emit, stride, "stride")))
    return failure();
  // "cnn.max_pool2d" -> "max_pool2d", the word ShapeRules' messages use.
  std::string word = OpTy::getOperationName().drop_front(4).str();
  shape::Result r = shape::pool2d(word.c_str(), x->sample, kernel[0],
                                  kernel[1], stride[0], stride[1]);
  if (!r)
    return ruleFailed(emit, r, word);
  result = tensorOf(op.getInput().getContext(), x->batch, r.shape);
  return success();
}
CNN_INFER_AND_VERIFY(MaxPool2dOp, pool2dRule<MaxPool2dOp>)

namespace {
/// max_pool2d(act(x)) -> act(max_pool2d(x)) for an activation that never
/// decreases, read by the pooling alone (CnnOps.td).
template <typename Act>
struct PoolBeforeActivation : OpRewritePattern<MaxPool2dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MaxPool2dOp op,
                                PatternRewriter &rewriter) const override {
    auto act = op.getInput().getDefiningOp<Act>();
    if (!act || !act->hasOneUse())
      return failure();
    Value pooled = MaxPool2dOp::create(rewriter, op.getLoc(), act.getInput(),
                                       op.getKernel(), op.getStride());
    rewriter.replaceOpWithNewOp<Act>(op, pooled);
    return success();
  }
};
} // namespace

void MaxPool2dOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *ctx) {
  patterns.add<PoolBeforeActivation<ReluOp>, PoolBeforeActivation<TanhOp>,
               PoolBeforeActivation<SigmoidOp>>(ctx);
}
CNN_INFER_AND_VERIFY(AvgPool2dOp, pool2dRule<AvgPool2dOp>)

//===----------------------------------------------------------------------===//
// linear
//===----------------------------------------------------------------------===//

static LogicalResult linearRule(LinearOp::Adaptor op, EmitFn emit,
                                Type &result) {
  auto x = activation(op.getInput(), 2, "[N, F]", emit);
  if (failed(x))
    return failure();
  auto w = cast<RankedTensorType>(op.getWeight().getType());
  if (w.getRank() != 2)
    return emit() << "expects a [O, F] weight, got " << w;
  if (Value bias = op.getBias())
    if (failed(expectShape(emit, bias, {w.getDimSize(0)}, "a bias")))
      return failure();
  shape::Result r =
      shape::linear(x->sample, w.getDimSize(1), w.getDimSize(0));
  if (!r)
    return ruleFailed(emit, r, "linear");
  result = tensorOf(w.getContext(), x->batch, r.shape);
  return success();
}
CNN_INFER_AND_VERIFY(LinearOp, linearRule)

//===----------------------------------------------------------------------===//
// relu, tanh, sigmoid
//===----------------------------------------------------------------------===//

template <typename OpTy>
static LogicalResult unaryRule(typename OpTy::Adaptor op, EmitFn emit,
                               Type &result) {
  if (failed(activation(op.getInput(), 1, kAnyRank, "[N, ...]", emit)))
    return failure();
  result = op.getInput().getType();
  return success();
}
CNN_VERIFY(ReluOp, unaryRule<ReluOp>)
CNN_VERIFY(TanhOp, unaryRule<TanhOp>)
CNN_VERIFY(SigmoidOp, unaryRule<SigmoidOp>)

//===----------------------------------------------------------------------===//
// add
//===----------------------------------------------------------------------===//

static LogicalResult addRule(AddOp::Adaptor op, EmitFn emit, Type &result) {
  auto lhs = activation(op.getLhs(), 1, kAnyRank, "[N, ...]", emit);
  if (failed(lhs))
    return failure();
  auto rhs = activation(op.getRhs(), 1, kAnyRank, "[N, ...]", emit);
  if (failed(rhs))
    return failure();
  // A static batch on one side fixes the result's; two must agree.
  int64_t batch = lhs->batch;
  if (ShapedType::isDynamic(batch))
    batch = rhs->batch;
  else if (!ShapedType::isDynamic(rhs->batch) && rhs->batch != batch)
    return emit() << "expects equal batch sizes, got " << lhs->batch
                  << " and " << rhs->batch;
  shape::Result r = shape::add(lhs->sample, rhs->sample);
  if (!r)
    return ruleFailed(emit, r, "add");
  result = tensorOf(op.getLhs().getContext(), batch, r.shape);
  return success();
}
CNN_INFER_AND_VERIFY(AddOp, addRule)

//===----------------------------------------------------------------------===//
// flatten
//===----------------------------------------------------------------------===//

static LogicalResult flattenRule(FlattenOp::Adaptor op, EmitFn emit,
                                 Type &result) {
  auto x = activation(op.getInput(), 2, kAnyRank, "[N, d1, ...]", emit);
  if (failed(x))
    return failure();
  shape::Result r = shape::flatten(x->sample);
  if (!r)
    return ruleFailed(emit, r, "flatten");
  result = tensorOf(op.getInput().getContext(), x->batch, r.shape);
  return success();
}
CNN_INFER_AND_VERIFY(FlattenOp, flattenRule)

OpFoldResult FlattenOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : Value();
}

#undef CNN_INFER_AND_VERIFY
#undef CNN_VERIFY

//===----------------------------------------------------------------------===//
// fold_bn_weight, fold_bn_bias
//===----------------------------------------------------------------------===//

/// The per-output-channel vectors of a fold: each must be [O].
static LogicalResult expectChannels(Operation *op, int64_t channels,
                                    std::initializer_list<
                                        std::pair<Value, StringRef>> vectors) {
  for (auto [v, what] : vectors)
    if (v && failed(expectShape([&] { return op->emitOpError(); }, v,
                                {channels}, what)))
      return failure();
  return success();
}

static LogicalResult expectPositiveEps(Operation *op, const APFloat &eps) {
  double e = eps.convertToDouble();
  if (e > 0)
    return success();
  return op->emitOpError("expects eps > 0, got ") << e;
}

LogicalResult FoldBnWeightOp::verify() {
  auto w = cast<RankedTensorType>(getWeight().getType());
  if (w.getRank() != 4)
    return emitOpError("expects a [O, C, KH, KW] weight, got ") << w;
  if (failed(expectChannels(*this, w.getDimSize(0),
                            {{getRunningVar(), "running_var"},
                             {getScale(), "scale"}})))
    return failure();
  return expectPositiveEps(*this, getEps());
}

LogicalResult FoldBnBiasOp::verify() {
  auto mean = cast<RankedTensorType>(getRunningMean().getType());
  if (mean.getRank() != 1)
    return emitOpError("expects a [O] running_mean, got ") << mean;
  if (bool(getScale()) != bool(getShift()))
    return emitOpError(
        "expects scale and shift together (affine) or neither");
  if (failed(expectChannels(*this, mean.getDimSize(0),
                            {{getRunningVar(), "running_var"},
                             {getBias(), "bias"},
                             {getScale(), "scale"},
                             {getShift(), "shift"}})))
    return failure();
  return expectPositiveEps(*this, getEps());
}

//===----------------------------------------------------------------------===//
// param, read
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  RankedTensorType type = getTensorType();
  if (!type.hasStaticShape())
    return emitOpError("expects a statically shaped type, got ") << type;
  if (std::optional<uint64_t> offset = getOffset(); offset && *offset % 64)
    return emitOpError("expects an offset aligned to 64 bytes, got ")
           << *offset;
  if (std::optional<ArrayAttr> aliases = getAliases()) {
    llvm::StringSet<> seen;
    for (Attribute a : *aliases) {
      StringRef alias = cast<StringAttr>(a).getValue();
      if (alias.empty())
        return emitOpError("has an empty alias");
      if (alias == getSymName())
        return emitOpError("lists its own name '") << alias << "' as an alias";
      if (!seen.insert(alias).second)
        return emitOpError("lists the alias '") << alias << "' twice";
    }
  }
  if (std::optional<ArrayAttr> slices = getSlices()) {
    if (getAliases())
      return emitOpError("has both slices and aliases");
    if (type.getRank() == 0 || type.getDimSize(0) != int64_t(slices->size()))
      return emitOpError("has ")
             << slices->size() << " slices, but its type " << type
             << " stacks a different number";
    llvm::StringSet<> seen;
    for (Attribute a : *slices) {
      StringRef slice = cast<StringAttr>(a).getValue();
      if (slice.empty() || !seen.insert(slice).second)
        return emitOpError("has an empty or repeated slice name '")
               << slice << "'";
    }
  }
  Type element = type.getElementType();
  if (element.isF32())
    return success();
  // num_batches_tracked: a counter, never trained.
  if (!element.isInteger(64) || getSliceType().getRank() != 0)
    return emitOpError("expects f32 elements or a scalar tensor<i64>, got ")
           << type;
  if (getRole() != ParamRole::buffer)
    return emitOpError("of type ")
           << type << " must be a buffer: the optimizer updates f32 only";
  auto init = dyn_cast<ConstantAttr>(getInit());
  if (!init || !init.getValue().isInteger())
    return emitOpError("expects an integral #cnn.constant init for ")
           << type << ", got " << getInit();
  return success();
}

LogicalResult ReadOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  Operation *symbol =
      symbolTable.lookupNearestSymbolFrom(getOperation(), getParamAttr());
  if (!symbol)
    return emitOpError("reads unknown symbol ") << getParamAttr();
  auto param = dyn_cast<ParamOp>(symbol);
  if (!param)
    return emitOpError("reads ")
           << getParamAttr() << ", which is not a cnn.param";
  if (getIndex()) {
    if (!param.isStacked())
      return emitOpError("reads a slice of ")
             << getParamAttr() << ", which is not stacked";
    if (param.getSliceType() != getType())
      return emitOpError("reads a slice of ")
             << getParamAttr() << " as " << getType()
             << ", but its slices are " << param.getSliceType();
    return success();
  }
  if (param.getType() != getType())
    return emitOpError("reads ") << getParamAttr() << " as " << getType()
                                 << ", but it is declared "
                                 << param.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// repeat
//===----------------------------------------------------------------------===//

RankedTensorType RepeatOp::getStackType(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape{int64_t(getCount())};
  llvm::append_range(shape, tensor.getShape());
  return RankedTensorType::get(shape, tensor.getElementType());
}

YieldOp RepeatOp::getYield() {
  return cast<YieldOp>(getBodyBlock().getTerminator());
}

LogicalResult RepeatOp::verify() {
  Block &body = getBodyBlock();
  int64_t count = int64_t(getCount());
  unsigned numCarried = getNumCarried();
  if (numCarried == 0)
    return emitOpError("carries no value");
  if (getResults().size() < numCarried)
    return emitOpError("has ") << getResults().size()
                               << " results, fewer than its " << numCarried
                               << " carried values";
  // The body's arguments: the index, the carried values, the slices.
  SmallVector<Type> argTypes{IndexType::get(getContext())};
  llvm::append_range(argTypes, getInits().getTypes());
  for (Value stack : getStacked()) {
    auto type = cast<RankedTensorType>(stack.getType());
    if (type.getRank() < 1 || type.getDimSize(0) != count)
      return emitOpError("has a stacked operand of type ")
             << type << ", not a stack of " << count;
    argTypes.push_back(RankedTensorType::get(type.getShape().drop_front(),
                                             type.getElementType()));
  }
  if (TypeRange(body.getArgumentTypes()) != TypeRange(argTypes)) {
    InFlightDiagnostic diag = emitOpError("expects a body with arguments (");
    llvm::interleaveComma(argTypes, diag);
    return diag << ")";
  }
  // The yield: carried values as they came in, then one value per stack.
  YieldOp yield = dyn_cast<YieldOp>(body.getTerminator());
  SmallVector<Type> yieldTypes(getInits().getTypes());
  for (Type t : getStackedResults().getTypes()) {
    auto type = cast<RankedTensorType>(t);
    if (type.getRank() < 1 || type.getDimSize(0) != count)
      return emitOpError("has a stacked result of type ")
             << type << ", not a stack of " << count;
    yieldTypes.push_back(RankedTensorType::get(type.getShape().drop_front(),
                                               type.getElementType()));
  }
  if (!yield || TypeRange(yield.getValues().getTypes()) != TypeRange(yieldTypes)) {
    InFlightDiagnostic diag =
        emitOpError("expects its body to end in cnn.yield of (");
    llvm::interleaveComma(yieldTypes, diag);
    return diag << ")";
  }
  if (TypeRange(getCarriedResults().getTypes()) != getInits().getTypes())
    return emitOpError("returns carried values of other types than it carries");
  // A stack's dynamic dimension is the batch: the first carried value's
  // leading dimension gives its size when the op lowers.
  auto first = cast<RankedTensorType>(getInits().front().getType());
  bool batchKnown = first.getRank() > 0 && first.isDynamicDim(0);
  for (Type t : getStackedResults().getTypes())
    if (!cast<RankedTensorType>(t).hasStaticShape() && !batchKnown)
      return emitOpError("has a stacked result of dynamic type ")
             << t << ", but its first carried value has no dynamic batch";
  if (getOperation()->getParentOfType<RepeatOp>())
    return emitOpError("is nested in another cnn.repeat; unroll the inner one");
  return success();
}

int64_t RepeatOp::getSitesPerIteration() {
  int64_t sites = 0;
  getBody().walk([&](Operation *op) {
    if (isa<DropoutOp, Dropout2dOp>(op))
      ++sites;
  });
  return sites;
}

//===----------------------------------------------------------------------===//
// train_config
//===----------------------------------------------------------------------===//

LogicalResult TrainConfigOp::verify() {
  // I64Attr getters are unsigned; the checks want the signed value.
  int64_t epochs = getEpochsAttr().getInt();
  if (epochs <= 0)
    return emitOpError("expects epochs > 0, got ") << epochs;
  int64_t batchSize = getBatchSizeAttr().getInt();
  if (batchSize <= 0)
    return emitOpError("expects batch_size > 0, got ") << batchSize;
  int64_t seed = getSeedAttr().getInt();
  if (seed < 0)
    return emitOpError("expects seed >= 0, got ") << seed;
  // Every config after the first complains (HasParent checked the module).
  auto module = cast<ModuleOp>((*this)->getParentOp());
  TrainConfigOp first = *module.getOps<TrainConfigOp>().begin();
  if (first == *this)
    return success();
  InFlightDiagnostic diag =
      emitOpError("expects at most one cnn.train_config per module");
  diag.attachNote(first.getLoc()) << "the first one is here";
  return diag;
}

#define GET_OP_CLASSES
#include "cnn/CnnOps.cpp.inc"
