//===- TrainEntry.cpp - the GPU training step's entry ---------------------===//

#include "codegen/gpu/Passes.h"

#include "cnnrt/model_abi.h"

#include <cstddef>

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUTRAINENTRY
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

/// train_step's arguments (model_abi.h's cnnrt_train_step_fn), in order.
enum TrainArg : unsigned {
  Arena, Input, Labels, Logits, Loss, Masks, FirstScalar,
  NumTrainArgs = FirstScalar + 11
};

/// Where each scalar argument of train_step lives in cnnrt_train_scalars.
constexpr size_t kScalarOffsets[] = {
    offsetof(cnnrt_train_scalars, lr),
    offsetof(cnnrt_train_scalars, momentum),
    offsetof(cnnrt_train_scalars, dampening),
    offsetof(cnnrt_train_scalars, weight_decay),
    offsetof(cnnrt_train_scalars, l2),
    offsetof(cnnrt_train_scalars, l1),
    offsetof(cnnrt_train_scalars, nesterov),
    offsetof(cnnrt_train_scalars, first_step),
    offsetof(cnnrt_train_scalars, masks_given),
    offsetof(cnnrt_train_scalars, seed),
    offsetof(cnnrt_train_scalars, step),
};
static_assert(std::size(kScalarOffsets) == NumTrainArgs - FirstScalar);

/// `tensor`'s elements at the rows `indices` names: out[n, ...] =
/// tensor[indices[n], ...].
Value gatherRows(OpBuilder &b, Location loc, Value tensor, Value indices) {
  auto type = cast<RankedTensorType>(tensor.getType());
  Value n = tensor::DimOp::create(b, loc, indices, 0);
  SmallVector<int64_t> shape(type.getShape());
  shape[0] = ShapedType::kDynamic;
  Value empty = tensor::EmptyOp::create(b, loc, shape, type.getElementType(),
                                        ValueRange{n});
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto gather = linalg::GenericOp::create(
      b, loc, empty.getType(), ValueRange{}, ValueRange{empty}, maps,
      iterators, [&](OpBuilder &body, Location bodyLoc, ValueRange) {
        SmallVector<Value> at;
        for (unsigned d = 0; d < rank; ++d)
          at.push_back(linalg::IndexOp::create(body, bodyLoc, d));
        Value row = tensor::ExtractOp::create(body, bodyLoc, indices, at[0]);
        at[0] = arith::IndexCastOp::create(body, bodyLoc, body.getIndexType(),
                                           row);
        Value element = tensor::ExtractOp::create(body, bodyLoc, tensor, at);
        linalg::YieldOp::create(body, bodyLoc, element);
      });
  return gather.getResult(0);
}

/// Replaces the uses of the batch argument `arg` (read through
/// bufferization.to_tensor, its size through memref.dim) by `rows`.
LogicalResult replaceBatchArgument(OpBuilder &b, BlockArgument arg,
                                   Value rows) {
  for (Operation *user : llvm::make_early_inc_range(arg.getUsers())) {
    b.setInsertionPoint(user);
    if (auto toTensor = dyn_cast<bufferization::ToTensorOp>(user)) {
      toTensor.replaceAllUsesWith(rows);
      toTensor.erase();
    } else if (auto dim = dyn_cast<memref::DimOp>(user)) {
      dim.replaceAllUsesWith(
          tensor::DimOp::create(b, dim.getLoc(), rows, dim.getIndex())
              .getResult());
      dim.erase();
    } else {
      return user->emitError("the GPU training step cannot gather this use "
                             "of the batch");
    }
  }
  return success();
}

struct GpuTrainEntry : impl::GpuTrainEntryBase<GpuTrainEntry> {
  using Base::Base;

  void runOnOperation() override {
    auto step = getOperation().lookupSymbol<func::FuncOp>(function);
    if (!step)
      return;
    FunctionType type = step.getFunctionType();
    if (step.isExternal() || type.getNumInputs() != NumTrainArgs ||
        type.getNumResults() != 0) {
      step.emitError("not a training step of model_abi.h's signature");
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    Location loc = step.getLoc();
    Block &entry = step.getBody().front();
    OpBuilder b = OpBuilder::atBlockBegin(&entry);

    // The new arguments: the data set in place of the batch, its indices,
    // the scalars' buffer.
    auto indexType = MemRefType::get({ShapedType::kDynamic},
                                     IntegerType::get(ctx, 32));
    auto bytesType = MemRefType::get({ShapedType::kDynamic},
                                     IntegerType::get(ctx, 8));
    // [arena, images, labels, batch, (input, labels: old), logits, loss,
    //  masks, (scalars: old), scalars]
    BlockArgument images = entry.insertArgument(1u, type.getInput(Input), loc);
    BlockArgument labels = entry.insertArgument(2u, type.getInput(Labels), loc);
    BlockArgument batch = entry.insertArgument(3u, indexType, loc);
    BlockArgument scalars = entry.addArgument(bytesType, loc);
    BlockArgument oldInput = entry.getArgument(4);
    BlockArgument oldLabels = entry.getArgument(5);
    unsigned firstScalar = FirstScalar + 3;

    Value indices = bufferization::ToTensorOp::create(
        b, loc, RankedTensorType::get({ShapedType::kDynamic},
                                      IntegerType::get(ctx, 32)),
        batch, /*restrict=*/true);
    auto asTensor = [&](Value memref) -> Value {
      auto memrefType = cast<MemRefType>(memref.getType());
      return bufferization::ToTensorOp::create(
          b, loc,
          RankedTensorType::get(memrefType.getShape(),
                                memrefType.getElementType()),
          memref, /*restrict=*/true);
    };
    Value inputRows = gatherRows(b, loc, asTensor(images), indices);
    Value labelRows = gatherRows(b, loc, asTensor(labels), indices);
    if (failed(replaceBatchArgument(b, oldInput, inputRows)) ||
        failed(replaceBatchArgument(b, oldLabels, labelRows)))
      return signalPassFailure();

    // Each scalar from the device buffer.
    b.setInsertionPointAfterValue(labelRows);
    for (unsigned i = 0; i < std::size(kScalarOffsets); ++i) {
      BlockArgument scalar = entry.getArgument(firstScalar + i);
      Value offset =
          arith::ConstantIndexOp::create(b, loc, kScalarOffsets[i]);
      Value slot = memref::ViewOp::create(
          b, loc, MemRefType::get({}, scalar.getType()), scalars, offset,
          ValueRange{});
      Value value = memref::LoadOp::create(b, loc, slot);
      scalar.replaceAllUsesWith(value);
    }
    llvm::BitVector erase(entry.getNumArguments());
    erase.set(oldInput.getArgNumber());
    erase.set(oldLabels.getArgNumber());
    for (unsigned i = 0; i < std::size(kScalarOffsets); ++i)
      erase.set(firstScalar + i);
    entry.eraseArguments(erase);
    step.setFunctionType(
        FunctionType::get(ctx, entry.getArgumentTypes(), TypeRange{}));
    step.setSymName(this->entry); // nothing in the module calls it
  }
};

} // namespace
} // namespace cnnc::gpu
