//===- Strategy.h - the CPU strategy's sizes for the other passes -*- C++ -*-===//
//
// Most decisions travel on the ops (#cnn_cpu.config). The two that the
// vectorizer and the vector lowering need for ops without one are sizes in
// vector registers, turned into elements here for the machine; their
// numbers live in Strategy.cpp with the rest.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_STRATEGY_H
#define CNNC_CODEGEN_CPU_STRATEGY_H

#include "codegen/cpu/TargetInfo.h"

namespace cnnc::cpu {

/// The most elements one vectorized op may have: larger ones (an untiled
/// whole-tensor op) would unroll into too long a block for LLVM's
/// instruction selection, and stay scalar loops.
int64_t maxVectorElements(const TargetInfo &info);

/// The widest piece of a row that a copy moves per step.
int64_t copyPieceElements(const TargetInfo &info);

} // namespace cnnc::cpu

#endif // CNNC_CODEGEN_CPU_STRATEGY_H
