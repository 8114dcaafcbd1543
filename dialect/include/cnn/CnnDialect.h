//===- CnnDialect.h - the cnn dialect ---------------------------*- C++ -*-===//
#ifndef CNN_CNNDIALECT_H
#define CNN_CNNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "cnn/CnnDialect.h.inc"

#endif // CNN_CNNDIALECT_H
