//===- TrainOps.h - lowerings of the training ops ---------------*- C++ -*-===//
#ifndef CNNC_CONVERSION_CNNTOLINALG_TRAINOPS_H
#define CNNC_CONVERSION_CNNTOLINALG_TRAINOPS_H

#include "mlir/IR/PatternMatch.h"

namespace cnn {

/// Conversion patterns from the ops of CnnTrainOps.td (all but cnn.write,
/// which the entry ABI handles) to linalg, tensor, arith and math.
void populateTrainOpLoweringPatterns(mlir::RewritePatternSet &patterns);

} // namespace cnn

#endif // CNNC_CONVERSION_CNNTOLINALG_TRAINOPS_H
