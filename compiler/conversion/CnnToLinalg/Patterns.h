//===- Patterns.h - the cnn -> linalg patterns, one set per op family -----===//
//
// Each family's file holds its ops' forward and gradient lowerings side by
// side; the builders they share are in LinalgBuilders.h.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CONVERSION_CNNTOLINALG_PATTERNS_H
#define CNNC_CONVERSION_CNNTOLINALG_PATTERNS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

namespace cnn::lowering {

/// conv2d, conv2d_input_grad, conv2d_weight_grad, bias_grad (Conv.cpp).
void populateConvPatterns(mlir::RewritePatternSet &patterns);
/// linear, linear_input_grad, linear_weight_grad (Linear.cpp).
void populateLinearPatterns(mlir::RewritePatternSet &patterns);
/// max/avg_pool2d and their gradients (Pool.cpp).
void populatePoolPatterns(mlir::RewritePatternSet &patterns);
/// batch_norm_eval, fold_bn_weight/bias, batch_norm_train and its gradient,
/// increment (BatchNorm.cpp).
void populateBatchNormPatterns(mlir::RewritePatternSet &patterns);
/// cross_entropy and its gradient, penalty, pack_loss (Loss.cpp).
void populateLossPatterns(mlir::RewritePatternSet &patterns);
/// dropout_mask, apply_mask (Dropout.cpp).
void populateDropoutPatterns(mlir::RewritePatternSet &patterns);
/// sgd_update (Sgd.cpp).
void populateSgdPatterns(mlir::RewritePatternSet &patterns);
/// relu, tanh, sigmoid and their gradients, add, flatten, unflatten
/// (Elementwise.cpp).
void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
/// cnn.repeat and cnn.yield as scf.for (Repeat.cpp).
void populateRepeatPatterns(mlir::RewritePatternSet &patterns);
/// replica_sum (Replica.cpp).
void populateReplicaPatterns(mlir::RewritePatternSet &patterns);

/// `tensors` (static, all f32 or all f64) each summed over the replicas of
/// a data-parallel run, in one runtime call (Replica.cpp): what
/// cnn.replica_sum lowers to, for the lowerings that sum over the global
/// batch too.
llvm::SmallVector<mlir::Value> replicaSums(mlir::OpBuilder &b,
                                           mlir::Location loc,
                                           mlir::ValueRange tensors);
/// replicaSums of `tensors` and of the scalar `count` (of their element
/// type, a number of samples or values), in the same call: returns the
/// tensors' sums and sets `count` to the global count.
llvm::SmallVector<mlir::Value> replicaSumsAndCount(mlir::OpBuilder &b,
                                                   mlir::Location loc,
                                                   mlir::ValueRange tensors,
                                                   mlir::Value &count);

} // namespace cnn::lowering

#endif // CNNC_CONVERSION_CNNTOLINALG_PATTERNS_H
