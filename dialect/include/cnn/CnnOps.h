//===- CnnOps.h - cnn dialect ops -------------------------------*- C++ -*-===//
//
// Builders for MLIRGen, all `Op::create(builder, loc, ...)`. Graph ops infer
// their result type (operands that break a shape rule get the verifier's
// message at `loc`, then a fatal error: check shapes first). Syntax and
// examples of each op are in CnnOps.td.
//   ParamOp(name, tensor type, ParamRole::parameter|buffer, init attr)
//   ReadOp(ParamOp) / ReadOp(name, type) / ReadOp(stack name, slice type, index)
//   Conv2dOp(input, weight, bias or null, stride[2], padding[2])
//   BatchNormOp(input, runningMean, runningVar, scale or null, shift or null,
//               double eps = 1e-5, double momentum = 0.1)   (or FloatAttrs)
//   BatchNormEvalOp(input, runningMean, runningVar, scale or null,
//                   shift or null, double eps = 1e-5)
//   FoldBnWeightOp(weight, runningVar, scale or null, double eps)
//   FoldBnBiasOp(runningMean, runningVar, bias or null, scale or null,
//                shift or null, double eps)
//   DropoutOp / Dropout2dOp(input, double p, int64_t site)
//   MaxPool2dOp / AvgPool2dOp(input, kernel[2], stride[2])
//   LinearOp(input, weight, bias or null)
//   ReluOp / TanhOp / SigmoidOp / FlattenOp(input), AddOp(lhs, rhs)
//   TrainConfigOp(LossKind::cross_entropy, SgdAttr, PenaltyAttr, epochs,
//                 batch_size, seed)
// where [2] is ArrayRef<int64_t> or DenseI64ArrayAttr.
// The ops of a training step (CnnTrainOps.td) are built by the train
// passes with the ODS builders; those whose result shape is not implied by
// their operands (conv2d_input_grad, conv2d_weight_grad, avg_pool2d_grad,
// unflatten) take the result type first.
//
//===----------------------------------------------------------------------===//
#ifndef CNN_CNNOPS_H
#define CNN_CNNOPS_H

#include "cnn/CnnAttrs.h"
#include "cnn/CnnDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace cnn {
/// The parameters and buffers (cnn.param): cnn.read reads them, the training
/// passes write them.
struct ParamResource : mlir::SideEffects::Resource::Base<ParamResource> {
  llvm::StringRef getName() final { return "cnn.param"; }
};
/// The other replicas of a data-parallel run, which cnn.replica_sum meets.
struct ReplicaResource : mlir::SideEffects::Resource::Base<ReplicaResource> {
  llvm::StringRef getName() final { return "cnn.replicas"; }
};
} // namespace cnn

#include "cnn/CnnGradientOpInterface.h.inc"

// Generated code leaves parameters unused; LLVM builds with
// -Wno-unused-parameter, we keep -Wextra for our own code.
#define GET_OP_CLASSES
#include "cnn/CnnOps.h.inc"

#endif // CNN_CNNOPS_H
