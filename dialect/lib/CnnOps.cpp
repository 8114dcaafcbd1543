//===- CnnOps.cpp - cnn dialect ops ---------------------------------------===//
//
// Type inference and verification of the graph ops share one rule function
// per op: inferReturnTypes calls it for builders (MLIRGen), verify() for
// parsed or rewritten IR, so both report the same message. The per-sample
// arithmetic is ShapeRules.h, the front end's too. verify() also compares the
// declared result type with the inferred one; it runs before the
// InferTypeOpInterface check (which runs with the region verifiers and would
// only say "failed to infer returned types").
//
//===----------------------------------------------------------------------===//
#include "cnn/CnnOps.h"
#include "cnn/ShapeRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/DenseSet.h"

#include <limits>

using namespace mlir;
using namespace cnn;

namespace {
using EmitFn = llvm::function_ref<InFlightDiagnostic()>;

/// An activation split into its batch size (maybe dynamic) and its sample
/// shape, the part ShapeRules works on.
struct Activation {
  int64_t batch;
  shape::Shape sample;
};
} // namespace

/// Checks that `v` is an activation of rank in [minRank, maxRank] whose
/// non-batch dimensions are static; `layout` names the expected layout.
static FailureOr<Activation>
activation(Value v, int64_t minRank, int64_t maxRank, StringRef layout,
           EmitFn emit) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() < minRank || type.getRank() > maxRank)
    return emit() << "expects a " << layout << " input, got " << type;
  ArrayRef<int64_t> dims = type.getShape();
  if (llvm::any_of(dims.drop_front(), ShapedType::isDynamic))
    return emit() << "expects static non-batch dimensions, got " << type;
  return Activation{dims.front(), shape::Shape(dims.begin() + 1, dims.end())};
}

static FailureOr<Activation> activation(Value v, int64_t rank,
                                        StringRef layout, EmitFn emit) {
  return activation(v, rank, rank, layout, emit);
}

static constexpr int64_t kAnyRank = std::numeric_limits<int64_t>::max();

static Type tensorOf(MLIRContext *ctx, int64_t batch,
                     const shape::Shape &sample) {
  SmallVector<int64_t> dims{batch};
  dims.append(sample.begin(), sample.end());
  return RankedTensorType::get(dims, Float32Type::get(ctx));
}

/// Reports a rejected ShapeRules result. Its messages open with the op's
/// name for the front end ("linear expects ..."); MLIR's diagnostic already
/// names the op, so that word goes.
static LogicalResult ruleFailed(EmitFn emit, const shape::Result &r,
                                StringRef opWord) {
  StringRef msg = r.error;
  (void)(msg.consume_front(opWord) && msg.consume_front(" "));
  return emit() << msg;
}

/// A weight, bias or statistic operand must be exactly `want`.
static LogicalResult expectShape(EmitFn emit, Value v, ArrayRef<int64_t> want,
                                 StringRef what) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == want)
    return success();
  return emit() << "expects " << what << " of shape "
                << shape::str(shape::Shape(want.begin(), want.end()))
                << ", got " << type;
}

/// Window attributes (kernel, stride, padding) hold one value per spatial dim.
static LogicalResult expectPair(EmitFn emit, ArrayRef<int64_t> values,
                                StringRef what) {
  if (values.size() == 2)
    return success();
  return emit() << "expects " << what << " to have 2 values, got "
                << values.size();
}

static LogicalResult checkResultType(Operation *op, Type inferred) {
  Type declared = op->getResult(0).getType();
  if (declared == inferred)
    return success();
  return op->emitOpError("result type ")
         << declared << " does not match the inferred " << inferred;
}

/// The emitter inferReturnTypes uses: the verifier's words at the op's
/// location (or nothing when there is no location to report at).
template <typename OpTy>
static InFlightDiagnostic emitAt(std::optional<Location> loc) {
  if (!loc)
    return InFlightDiagnostic();
  return emitError(*loc) << "'" << OpTy::getOperationName() << "' op ";
}

/// Defines verify() of OpTy from `rule(adaptor, emit, result)`, then checks
/// the declared result type against the rule's.
#define CNN_VERIFY(OpTy, rule)                                                 \
  LogicalResult OpTy::verify() {                                               \
    Type result;                                                               \
    if (failed(rule(Adaptor(*this), [&] { return emitOpError(); }, result)))   \
      return failure();                                                        \
    return checkResultType(*this, result);                                     \
  }

/// Defines inferReturnTypes and verify() of OpTy from the same rule.
#define CNN_INFER_AND_VERIFY(OpTy, rule)                                       \
  LogicalResult OpTy::inferReturnTypes(                                        \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &types) {                                          \
    Type result;                                                               \
    if (failed(rule(adaptor, [&] { return emitAt<OpTy>(loc); }, result)))      \
      return failure();                                                        \
    types.push_back(result);                                                   \
    return success();                                                          \
  }                                                                            \
  CNN_VERIFY(OpTy, rule)

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

/// The rule both batchnorm forms share: the input, the per-channel
/// statistics and affine parameters, and eps.
template <typename Adaptor>
static LogicalResult batchNormCommon(Adaptor op, EmitFn emit, Type &result) {
  auto x = activation(op.getInput(), 4, "[N, C, H, W]", emit);
  if (failed(x))
    return failure();
  auto mean = cast<RankedTensorType>(op.getRunningMean().getType());
  if (mean.getRank() != 1)
    return emit() << "expects a [C] running_mean, got " << mean;
  int64_t c = mean.getDimSize(0);
  shape::Result r = shape::batchnorm2d(x->sample, c);
  if (!r)
    return ruleFailed(emit, r, "batchnorm2d");
  if (failed(expectShape(emit, op.getRunningVar(), {c}, "running_var")))
    return failure();
  if (bool(op.getScale()) != bool(op.getShift()))
    return emit() << "expects scale and shift together (affine) or neither";
  if (op.getScale() &&
      (failed(expectShape(emit, op.getScale(), {c}, "scale")) ||
       failed(expectShape(emit, op.getShift(), {c}, "shift"))))
    return failure();
  double eps = op.getEps().convertToDouble();
  if (!(eps > 0))
    return emit() << "expects eps > 0, got " << eps;
  result = tensorOf(mean.getContext(), x->batch, r.shape);
  return success();
}

static LogicalResult batchNormRule(BatchNormOp::Adaptor op, EmitFn emit,
                                   Type &result) {
  if (failed(batchNormCommon(op, emit, result)))
    return failure();
  double momentum = op.getMomentum().convertToDouble();
  if (!(momentum >= 0 && momentum <= 1))
    return emit() << "expects momentum in [0, 1], got " << momentum;
  return success();
}
CNN_INFER_AND_VERIFY(BatchNormOp, batchNormRule)
CNN_INFER_AND_VERIFY(BatchNormEvalOp, batchNormCommon<BatchNormEvalOp::Adaptor>)

//===----------------------------------------------------------------------===//
// dropout, dropout2d
//===----------------------------------------------------------------------===//

static LogicalResult dropoutProbability(EmitFn emit, const APFloat &pAttr) {
  double p = pAttr.convertToDouble();
  if (p >= 0 && p < 1)
    return success();
  return emit() << "expects p in [0, 1), got " << p;
}

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
    llvm::SmallDenseSet<StringRef> seen;
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
  Type element = type.getElementType();
  if (element.isF32())
    return success();
  // num_batches_tracked: a counter, never trained.
  if (!element.isInteger(64) || type.getRank() != 0)
    return emitOpError("expects f32 elements or a scalar tensor<i64>, got ")
           << type;
  if (isParameter())
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
  if (param.getType() != getType())
    return emitOpError("reads ") << getParamAttr() << " as " << getType()
                                 << ", but it is declared "
                                 << param.getType();
  return success();
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
