//===- CnnAttrs.h - cnn dialect attributes and enums ------------*- C++ -*-===//
//
// Enums: ParamRole {parameter, buffer, gradient, momentum}, PenaltyKind
// {none, l1, l2}, LossKind {cross_entropy}. Attributes (`get(ctx, ...)`
// takes doubles; the getters return APFloat): UniformAttr(low, high),
// NormalAttr(mean, std), ConstantAttr(value), SgdAttr(lr, momentum,
// dampening, nesterov, weight_decay), PenaltyAttr(kind, strength), and the
// EnumAttrs ParamRoleAttr, LossKindAttr.
//
//===----------------------------------------------------------------------===//
#ifndef CNN_CNNATTRS_H
#define CNN_CNNATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "cnn/CnnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "cnn/CnnAttrs.h.inc"

#endif // CNN_CNNATTRS_H
