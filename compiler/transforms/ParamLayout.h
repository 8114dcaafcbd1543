//===- ParamLayout.h - where each parameter lives in the arena --*- C++ -*-===//
//
// A model's parameters and buffers live in one arena (runtime/include/cnnrt/
// Arena.h). Both sides must place them identically: in cnn.param
// declaration order, each at the next offset aligned to kArenaAlignment
// bytes, taking elements × element size bytes (4 for f32, 8 for i64); a
// stacked param's slices one after another by the same rule. This
// is the compiler's copy of that rule; the generated code addresses tensors
// by these offsets and the driver emits the same table for the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TRANSFORMS_PARAMLAYOUT_H
#define CNNC_TRANSFORMS_PARAMLAYOUT_H

#include "cnn/CnnNames.h"
#include "cnn/CnnOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>

namespace cnn {

/// cnnrt::kAlignment.
inline constexpr uint64_t kArenaAlignment = 64;

/// One tensor of the arena.
struct ParamSlot {
  ParamOp param;
  uint64_t offset; ///< bytes from the arena's base, a multiple of 64
  uint64_t nbytes; ///< elements × element size, without padding
};

struct ParamLayout {
  llvm::SmallVector<ParamSlot> slots; ///< in declaration order
  uint64_t totalBytes = 0;            ///< a multiple of 64
};

/// Bytes of one state_dict tensor (a stack's slice): 4 per f32, 8 per i64
/// element.
uint64_t sliceByteSize(ParamOp param);

/// Bytes from one slice of a stacked param to the next: each slice sits
/// where it would as a tensor of its own, aligned to kArenaAlignment.
uint64_t sliceStrideBytes(ParamOp param);

/// Bytes from a param's first byte to its last: its size, or for a stack
/// all its slices with the padding between them.
uint64_t paramByteSize(ParamOp param);

/// The layout of `module`'s cnn.param ops, by the rule above.
ParamLayout computeParamLayout(mlir::ModuleOp module);

/// Computes the layout and records it: `offset` on each cnn.param and
/// `cnn.arena_size` on the module. Offsets already present must agree with
/// the rule (an error otherwise), so running it twice changes nothing.
mlir::FailureOr<ParamLayout> assignParamOffsets(mlir::ModuleOp module);

} // namespace cnn

#endif // CNNC_TRANSFORMS_PARAMLAYOUT_H
