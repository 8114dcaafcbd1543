//===- CnnAttrs.cpp - cnn dialect attributes ------------------------------===//
//
// Verifiers of the initializer and training attributes. Their rules are
// PyTorch's own where it has one (torch.optim.SGD's argument checks).
//
//===----------------------------------------------------------------------===//
#include "cnn/CnnAttrs.h"
#include "cnn/CnnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace cnn;

// Generated code leaves parameters unused; LLVM builds with
// -Wno-unused-parameter, we keep -Wextra for our own code.
#include "cnn/CnnEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "cnn/CnnAttrs.cpp.inc"

void CnnDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "cnn/CnnAttrs.cpp.inc"
      >();
}

LogicalResult UniformAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  APFloat lowValue, APFloat highValue) {
  double low = lowValue.convertToDouble(), high = highValue.convertToDouble();
  if (low < high)
    return success();
  return emitError() << "#cnn.uniform expects low < high, got low = " << low
                     << ", high = " << high;
}

LogicalResult NormalAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 APFloat, APFloat stdValue) {
  double std = stdValue.convertToDouble();
  if (std >= 0)
    return success();
  return emitError() << "#cnn.normal expects std >= 0, got " << std;
}

LogicalResult SgdAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              APFloat lrValue, APFloat momentumValue,
                              APFloat dampeningValue, bool nesterov,
                              APFloat weightDecayValue) {
  double lr = lrValue.convertToDouble();
  double momentum = momentumValue.convertToDouble();
  double dampening = dampeningValue.convertToDouble();
  double weightDecay = weightDecayValue.convertToDouble();
  if (!(lr > 0))
    return emitError() << "#cnn.sgd expects lr > 0, got " << lr;
  if (!(momentum >= 0))
    return emitError() << "#cnn.sgd expects momentum >= 0, got " << momentum;
  if (!(weightDecay >= 0))
    return emitError() << "#cnn.sgd expects weight_decay >= 0, got "
                       << weightDecay;
  if (nesterov && (momentum <= 0 || dampening != 0))
    return emitError() << "#cnn.sgd with nesterov expects momentum > 0 and "
                          "dampening = 0, got momentum = "
                       << momentum << ", dampening = " << dampening;
  return success();
}

LogicalResult PenaltyAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  PenaltyKind kind, APFloat strengthValue) {
  double strength = strengthValue.convertToDouble();
  if (kind == PenaltyKind::none && strength != 0)
    return emitError() << "#cnn.penalty<none> takes no strength, got "
                       << strength;
  if (!(strength >= 0))
    return emitError() << "#cnn.penalty expects a strength >= 0, got "
                       << strength;
  return success();
}
