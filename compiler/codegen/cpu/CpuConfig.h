//===- CpuConfig.h - the CPU strategy's decisions, as attributes -*- C++ -*-===//
//
// `#cnn_cpu.config<...>` on a linalg op (CpuConfig.td): what the CPU
// strategy decided for it. The names of its kinds are here, once.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_CPUCONFIG_H
#define CNNC_CODEGEN_CPU_CPUCONFIG_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/Operation.h"

#include "codegen/cpu/CpuConfigDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "codegen/cpu/CpuConfigAttrs.h.inc"

namespace cnnc::cpu {

/// What an op is to the tiling (ConfigAttr's `kind`).
enum class OpKind {
  Conv,
  LaneConv,
  Pool,
  Contraction,
  BatchContraction,
  Elementwise,
  Window,
  Flat,
};

llvm::StringRef kindName(OpKind kind);
std::optional<OpKind> parseKind(llvm::StringRef name);

/// The name of the discardable attribute: `cnn_cpu.config`.
constexpr llvm::StringLiteral kConfigAttrName = "cnn_cpu.config";
/// The `algorithm` of a lane_conv computed by Winograd's F(2x2, 3x3), or of
/// a weight gradient (a batch_contraction) computed by F(3x3, 2x2).
constexpr llvm::StringLiteral kWinograd = "winograd";
/// The `algorithm` of a lane_conv computed by Winograd's F(4x4, 3x3), or of
/// a weight gradient computed by F(3x3, 4x4).
constexpr llvm::StringLiteral kWinograd4x4 = "winograd4x4";

/// `op`'s config, or null.
ConfigAttr getConfig(mlir::Operation *op);
/// `op`'s kind, from its config; none without one.
std::optional<OpKind> getKind(mlir::Operation *op);
void setConfig(mlir::Operation *op, ConfigAttr config);
/// An op the strategy gave to cnn-cpu-winograd-conv.
bool isWinograd(mlir::Operation *op);
/// A lane_conv the strategy gave to cnn-cpu-winograd-conv.
bool isWinogradConv(mlir::Operation *op);
/// The side of a Winograd conv's output tiles, or of a Winograd weight
/// gradient's tiles of dy: 2, or 4 (kWinograd4x4).
int64_t winogradTileSide(ConfigAttr config);
/// A weight gradient the strategy gave to cnn-cpu-winograd-conv.
bool isWinogradWeightGrad(mlir::Operation *op);

} // namespace cnnc::cpu

#endif // CNNC_CODEGEN_CPU_CPUCONFIG_H
