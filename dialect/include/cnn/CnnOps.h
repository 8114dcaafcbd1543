//===- CnnOps.h - cnn dialect ops -------------------------------*- C++ -*-===//
#ifndef CNN_CNNOPS_H
#define CNN_CNNOPS_H

#include "cnn/CnnDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "cnn/CnnOps.h.inc"

#endif // CNN_CNNOPS_H
