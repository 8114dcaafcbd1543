//===- OpRules.h - shared pieces of the cnn ops' verifiers ------*- C++ -*-===//
//
// Private to dialect/lib: the checks that CnnOps.cpp (forward ops) and
// CnnTrainOps.cpp (training ops) both use, so that an op and its gradient
// reject a bad shape with the same words. Each check takes an `emit`
// callback that starts the diagnostic (the verifier's emitOpError, or the
// location inferReturnTypes was given).
//
//===----------------------------------------------------------------------===//
#ifndef CNN_LIB_OPRULES_H
#define CNN_LIB_OPRULES_H

#include "cnn/CnnOps.h"
#include "cnn/ShapeRules.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <limits>

namespace cnn::rules {

using EmitFn = llvm::function_ref<mlir::InFlightDiagnostic()>;

/// An activation split into its batch size (maybe dynamic) and its sample
/// shape, the part ShapeRules works on.
struct Activation {
  int64_t batch;
  shape::Shape sample;
};

inline constexpr int64_t kAnyRank = std::numeric_limits<int64_t>::max();

/// Checks that `v` is an activation of rank in [minRank, maxRank] whose
/// non-batch dimensions are static; `layout` names the expected layout.
inline mlir::FailureOr<Activation> activation(mlir::Value v, int64_t minRank,
                                              int64_t maxRank,
                                              llvm::StringRef layout,
                                              EmitFn emit) {
  auto type = llvm::cast<mlir::RankedTensorType>(v.getType());
  if (type.getRank() < minRank || type.getRank() > maxRank)
    return emit() << "expects a " << layout << " input, got " << type;
  llvm::ArrayRef<int64_t> dims = type.getShape();
  if (llvm::any_of(dims.drop_front(), mlir::ShapedType::isDynamic))
    return emit() << "expects static non-batch dimensions, got " << type;
  return Activation{dims.front(), shape::Shape(dims.begin() + 1, dims.end())};
}

inline mlir::FailureOr<Activation> activation(mlir::Value v, int64_t rank,
                                              llvm::StringRef layout,
                                              EmitFn emit) {
  return activation(v, rank, rank, layout, emit);
}

inline mlir::Type tensorOf(mlir::MLIRContext *ctx, int64_t batch,
                           const shape::Shape &sample) {
  llvm::SmallVector<int64_t> dims{batch};
  dims.append(sample.begin(), sample.end());
  return mlir::RankedTensorType::get(dims, mlir::Float32Type::get(ctx));
}

/// Reports a rejected ShapeRules result. Its messages open with the op's
/// name for the front end ("linear expects ..."); MLIR's diagnostic already
/// names the op, so that word goes.
inline mlir::LogicalResult ruleFailed(EmitFn emit, const shape::Result &r,
                                      llvm::StringRef opWord) {
  llvm::StringRef msg = r.error;
  (void)(msg.consume_front(opWord) && msg.consume_front(" "));
  return emit() << msg;
}

/// A weight, bias or statistic operand must be exactly `want`.
inline mlir::LogicalResult expectShape(EmitFn emit, mlir::Value v,
                                       llvm::ArrayRef<int64_t> want,
                                       llvm::StringRef what) {
  auto type = llvm::cast<mlir::RankedTensorType>(v.getType());
  if (type.getShape() == want)
    return mlir::success();
  return emit() << "expects " << what << " of shape "
                << shape::str(shape::Shape(want.begin(), want.end()))
                << ", got " << type;
}

/// Window attributes (kernel, stride, padding) hold one value per spatial dim.
inline mlir::LogicalResult expectPair(EmitFn emit,
                                      llvm::ArrayRef<int64_t> values,
                                      llvm::StringRef what) {
  if (values.size() == 2)
    return mlir::success();
  return emit() << "expects " << what << " to have 2 values, got "
                << values.size();
}

/// Two batch sizes of one batch: equal, or one of them dynamic.
inline mlir::LogicalResult expectSameBatch(EmitFn emit, int64_t a, int64_t b) {
  if (mlir::ShapedType::isDynamic(a) || mlir::ShapedType::isDynamic(b) ||
      a == b)
    return mlir::success();
  return emit() << "expects equal batch sizes, got " << a << " and " << b;
}

inline mlir::LogicalResult checkResultType(mlir::Operation *op,
                                           mlir::Type inferred) {
  mlir::Type declared = op->getResult(0).getType();
  if (declared == inferred)
    return mlir::success();
  return op->emitOpError("result type ")
         << declared << " does not match the inferred " << inferred;
}

/// The emitter inferReturnTypes uses: the verifier's words at the op's
/// location (or nothing when there is no location to report at).
template <typename OpTy>
mlir::InFlightDiagnostic emitAt(std::optional<mlir::Location> loc) {
  if (!loc)
    return mlir::InFlightDiagnostic();
  return mlir::emitError(*loc) << "'" << OpTy::getOperationName() << "' op ";
}

inline mlir::LogicalResult dropoutProbability(EmitFn emit,
                                              const llvm::APFloat &pAttr) {
  double p = pAttr.convertToDouble();
  if (p >= 0 && p < 1)
    return mlir::success();
  return emit() << "expects p in [0, 1), got " << p;
}

/// The rule every batchnorm form shares: the input, the per-channel
/// statistics and affine parameters, and eps.
template <typename Adaptor>
mlir::LogicalResult batchNormCommon(Adaptor op, EmitFn emit,
                                    mlir::Type &result) {
  auto x = activation(op.getInput(), 4, "[N, C, H, W]", emit);
  if (mlir::failed(x))
    return mlir::failure();
  auto mean = llvm::cast<mlir::RankedTensorType>(op.getRunningMean().getType());
  if (mean.getRank() != 1)
    return emit() << "expects a [C] running_mean, got " << mean;
  int64_t c = mean.getDimSize(0);
  shape::Result r = shape::batchnorm2d(x->sample, c);
  if (!r)
    return ruleFailed(emit, r, "batchnorm2d");
  if (mlir::failed(expectShape(emit, op.getRunningVar(), {c}, "running_var")))
    return mlir::failure();
  if (bool(op.getScale()) != bool(op.getShift()))
    return emit() << "expects scale and shift together (affine) or neither";
  if (op.getScale() &&
      (mlir::failed(expectShape(emit, op.getScale(), {c}, "scale")) ||
       mlir::failed(expectShape(emit, op.getShift(), {c}, "shift"))))
    return mlir::failure();
  double eps = op.getEps().convertToDouble();
  if (!(eps > 0))
    return emit() << "expects eps > 0, got " << eps;
  result = tensorOf(mean.getContext(), x->batch, r.shape);
  return mlir::success();
}

inline mlir::LogicalResult batchNormMomentum(EmitFn emit,
                                             const llvm::APFloat &m) {
  double momentum = m.convertToDouble();
  if (momentum >= 0 && momentum <= 1)
    return mlir::success();
  return emit() << "expects momentum in [0, 1], got " << momentum;
}

} // namespace cnn::rules

/// Defines verify() of OpTy from `rule(adaptor, emit, result)`, then checks
/// the declared result type against the rule's.
#define CNN_VERIFY(OpTy, rule)                                                 \
  LogicalResult OpTy::verify() {                                               \
    Type result;                                                               \
    if (failed(rule(Adaptor(*this), [&] { return emitOpError(); }, result)))   \
      return failure();                                                        \
    return ::cnn::rules::checkResultType(*this, result);                       \
  }

/// Defines inferReturnTypes and verify() of OpTy from the same rule.
#define CNN_INFER_AND_VERIFY(OpTy, rule)                                       \
  LogicalResult OpTy::inferReturnTypes(                                        \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &types) {                                          \
    Type result;                                                               \
    if (failed(rule(adaptor, [&] { return ::cnn::rules::emitAt<OpTy>(loc); },  \
                    result)))                                                  \
      return failure();                                                        \
    types.push_back(result);                                                   \
    return success();                                                          \
  }                                                                            \
  CNN_VERIFY(OpTy, rule)

#endif // CNN_LIB_OPRULES_H
