//===- CpuConfig.cpp - the CPU strategy's decisions, as attributes --------===//
#include "codegen/cpu/CpuConfig.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

#include "codegen/cpu/CpuConfigDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "codegen/cpu/CpuConfigAttrs.cpp.inc"

namespace cnnc::cpu {

namespace {
struct KindName {
  OpKind kind;
  llvm::StringLiteral name;
};
constexpr KindName kKindNames[] = {
    {OpKind::Conv, "conv"},
    {OpKind::LaneConv, "lane_conv"},
    {OpKind::Pool, "pool"},
    {OpKind::Contraction, "contraction"},
    {OpKind::BatchContraction, "batch_contraction"},
    {OpKind::Elementwise, "elementwise"},
    {OpKind::Window, "window"},
    {OpKind::Flat, "flat"},
};
} // namespace

StringRef kindName(OpKind kind) {
  for (const KindName &k : kKindNames)
    if (k.kind == kind)
      return k.name;
  llvm_unreachable("every kind has a name");
}

std::optional<OpKind> parseKind(StringRef name) {
  for (const KindName &k : kKindNames)
    if (k.name == name)
      return k.kind;
  return std::nullopt;
}

void CnnCpuDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "codegen/cpu/CpuConfigAttrs.cpp.inc"
      >();
}

LogicalResult ConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef kind, DenseI64ArrayAttr tiles,
                                 DenseI64ArrayAttr registers,
                                 DenseI64ArrayAttr order, StringRef algorithm) {
  if (!parseKind(kind))
    return emitError() << "unknown kind '" << kind << "'";
  if (!algorithm.empty() && algorithm != kWinograd && algorithm != kWinograd4x4)
    return emitError() << "unknown algorithm '" << algorithm << "'";
  if (!algorithm.empty() && *parseKind(kind) != OpKind::LaneConv &&
      *parseKind(kind) != OpKind::BatchContraction)
    return emitError() << "algorithm '" << algorithm
                       << "' is for lane_conv and batch_contraction ops";
  for (DenseI64ArrayAttr sizes : {tiles, registers})
    if (sizes && llvm::any_of(sizes.asArrayRef(),
                              [](int64_t s) { return s < 0; }))
      return emitError() << "tile sizes must be 0 (whole) or positive";
  if (order) {
    SmallVector<int64_t> sorted(order.asArrayRef());
    llvm::sort(sorted);
    for (auto [i, d] : llvm::enumerate(sorted))
      if (d != int64_t(i))
        return emitError() << "order must be a permutation of the loops";
  }
  return success();
}

LogicalResult CnnCpuDialect::verifyOperationAttribute(Operation *op,
                                                      NamedAttribute attr) {
  if (attr.getName() != kConfigAttrName)
    return op->emitOpError() << "unknown cnn_cpu attribute " << attr.getName();
  auto config = dyn_cast<ConfigAttr>(attr.getValue());
  if (!config)
    return op->emitOpError() << kConfigAttrName
                             << " must be a #cnn_cpu.config";
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp)
    return op->emitOpError() << kConfigAttrName << " is for linalg ops";
  int64_t loops = linalgOp.getNumLoops();
  for (DenseI64ArrayAttr sizes :
       {config.getTiles(), config.getRegisters(), config.getOrder()})
    if (sizes && int64_t(sizes.size()) != loops)
      return op->emitOpError()
             << kConfigAttrName << " has " << sizes.size()
             << " sizes for an op of " << loops << " loops";
  return success();
}

bool isWinograd(Operation *op) {
  ConfigAttr config = getConfig(op);
  return config && (config.getAlgorithm() == kWinograd ||
                    config.getAlgorithm() == kWinograd4x4);
}

int64_t winogradTileSide(ConfigAttr config) {
  return config.getAlgorithm() == kWinograd4x4 ? 4 : 2;
}

bool isWinogradConv(Operation *op) {
  return isWinograd(op) && getKind(op) == OpKind::LaneConv;
}

bool isWinogradWeightGrad(Operation *op) {
  return isWinograd(op) && getKind(op) == OpKind::BatchContraction;
}

ConfigAttr getConfig(Operation *op) {
  return op->getAttrOfType<ConfigAttr>(kConfigAttrName);
}

std::optional<OpKind> getKind(Operation *op) {
  if (ConfigAttr config = getConfig(op))
    return parseKind(config.getKind());
  return std::nullopt;
}

void setConfig(Operation *op, ConfigAttr config) {
  op->setAttr(kConfigAttrName, config);
}

} // namespace cnnc::cpu
