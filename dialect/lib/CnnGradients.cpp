//===- CnnGradients.cpp - each differentiable op's gradient ---------------===//
//
// GradientOpInterface::buildGradients of the forward and train-mode ops:
// the chain rule of one op, written with the gradient ops of
// CnnTrainOps.td (whose descriptions give the math). The autodiff pass
// accumulates what these return; none of them knows about fan-out.
//
//===----------------------------------------------------------------------===//
#include "cnn/CnnOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace cnn;

#include "cnn/CnnGradientOpInterface.cpp.inc"

/// The single result's gradient of a one-result op.
static Value only(ArrayRef<Value> resultGrads) {
  assert(resultGrads.size() == 1 && resultGrads[0] && "one result gradient");
  return resultGrads[0];
}

void Conv2dOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                              SmallVectorImpl<Value> &operandGrads) {
  Value dy = only(resultGrads);
  Location loc = getLoc();
  operandGrads.push_back(Conv2dInputGradOp::create(
      b, loc, getInput().getType(), dy, getWeight(), getStrideAttr(),
      getPaddingAttr()));
  operandGrads.push_back(Conv2dWeightGradOp::create(
      b, loc, getWeight().getType(), getInput(), dy, getStrideAttr(),
      getPaddingAttr()));
  if (getBias())
    operandGrads.push_back(BiasGradOp::create(b, loc, dy));
}

void LinearOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                              SmallVectorImpl<Value> &operandGrads) {
  Value dy = only(resultGrads);
  Location loc = getLoc();
  operandGrads.push_back(LinearInputGradOp::create(b, loc, dy, getWeight()));
  operandGrads.push_back(LinearWeightGradOp::create(b, loc, getInput(), dy));
  if (getBias())
    operandGrads.push_back(BiasGradOp::create(b, loc, dy));
}

void MaxPool2dOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                 SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(MaxPool2dGradOp::create(
      b, getLoc(), getInput(), only(resultGrads), getKernelAttr(),
      getStrideAttr()));
}

void AvgPool2dOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                 SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(AvgPool2dGradOp::create(
      b, getLoc(), getInput().getType(), only(resultGrads), getKernelAttr(),
      getStrideAttr()));
}

// After a batchnorm (NetResDeep's blocks), the mask is taken from the
// batchnorm's result recomputed from what its gradient keeps (its input
// and batch statistics): the ReLU's output then need not be kept for the
// backward pass, one activation fewer per block. Not where the output
// feeds a max-pool, whose gradient keeps it anyway (and takes the ReLU's
// factor on the pooled values: ReluGradOp's canonicalization).
void ReluOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                            SmallVectorImpl<Value> &operandGrads) {
  Value maskFrom = getResult();
  auto batchNorm = getInput().getDefiningOp<BatchNormTrainOp>();
  bool pooled = llvm::any_of(getResult().getUsers(), [](Operation *user) {
    return isa<MaxPool2dOp>(user);
  });
  if (batchNorm && getInput() == batchNorm.getResult() && !pooled)
    maskFrom = BatchNormApplyOp::create(
        b, getLoc(), batchNorm.getInput(), batchNorm.getBatchMean(),
        batchNorm.getBatchInvstd(), batchNorm.getScale(), batchNorm.getShift());
  operandGrads.push_back(
      ReluGradOp::create(b, getLoc(), maskFrom, only(resultGrads)));
}

void TanhOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                            SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      TanhGradOp::create(b, getLoc(), getResult(), only(resultGrads)));
}

void SigmoidOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                               SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      SigmoidGradOp::create(b, getLoc(), getResult(), only(resultGrads)));
}

// d(a + b) = (dy, dy); the autodiff pass sums where a value meets itself.
void AddOp::buildGradients(OpBuilder &, ArrayRef<Value> resultGrads,
                           SmallVectorImpl<Value> &operandGrads) {
  Value dy = only(resultGrads);
  operandGrads.append({dy, dy});
}

void FlattenOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                               SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(UnflattenOp::create(
      b, getLoc(), getInput().getType(), only(resultGrads)));
}

// The mask is a constant of the step (generated or given): no gradient.
void ApplyMaskOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                 SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      ApplyMaskOp::create(b, getLoc(), only(resultGrads), getMask()));
  operandGrads.push_back(Value());
}

// Only `result` is differentiable: the batch statistics feed the backward
// pass and the running statistics a cnn.write, never the loss.
void BatchNormTrainOp::buildGradients(OpBuilder &b,
                                      ArrayRef<Value> resultGrads,
                                      SmallVectorImpl<Value> &operandGrads) {
  Value dy = resultGrads[0];
  if (!dy) {
    operandGrads.append(getNumOperands(), Value());
    return;
  }
  auto grad = BatchNormTrainGradOp::create(b, getLoc(), getInput(), dy,
                                           getBatchMean(), getBatchInvstd(),
                                           getScale());
  operandGrads.append({grad.getInputGrad(), Value(), Value()});
  if (getScale())
    operandGrads.append({grad.getScaleGrad(), grad.getShiftGrad()});
}
