//===- EntryAbi.cpp - the runtime's entry ABI on the model's functions ----===//
//
// The entry ABI, rewritten by hand on each function before its ops lower
// (see Passes.td, LowerEntryAbi): the arena and destination memrefs become
// arguments, parameter reads become views of the arena at their layout
// offsets, results are written into the destinations.
//
//===----------------------------------------------------------------------===//
#include "conversion/Passes.h"
#include "transforms/ParamLayout.h"
#include "transforms/Passes.h"

#include "cnn/CnnNames.h"
#include "cnn/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

namespace cnn {
#define GEN_PASS_DEF_LOWERENTRYABI
#include "conversion/Passes.h.inc"
} // namespace cnn

using namespace cnn;

//===----------------------------------------------------------------------===//
// The entry ABI
//===----------------------------------------------------------------------===//

static MemRefType bufferTypeOf(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

/// A view of the arena at `byteShift` as the stack `type`, whose slices
/// start `strideBytes` apart.
static Value stackView(OpBuilder &b, Location loc, RankedTensorType type,
                       Value arena, Value byteShift, int64_t strideBytes) {
  int64_t elementBytes = type.getElementTypeBitWidth() / 8;
  int64_t sliceElements = 1;
  SmallVector<int64_t> strides(type.getRank(), 1);
  for (int64_t d = type.getRank() - 1; d >= 1; --d) {
    strides[d] = sliceElements;
    sliceElements *= type.getDimSize(d);
  }
  strides[0] = strideBytes / elementBytes;
  int64_t span = (type.getDimSize(0) - 1) * strides[0] + sliceElements;
  Value flat = memref::ViewOp::create(
      b, loc, MemRefType::get({span}, type.getElementType()), arena, byteShift,
      ValueRange{});
  auto layout = StridedLayoutAttr::get(b.getContext(), 0, strides);
  return memref::ReinterpretCastOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType(), layout),
      flat, /*offset=*/0, type.getShape(), strides);
}

/// Replaces every cnn.read in `func` by a view of the arena: one
/// `memref.view` + restrict `to_tensor` per parameter, made at `b`'s point
/// (the entry), in order of first read. Returns the views by name, for the
/// writes of a training step.
static FailureOr<llvm::DenseMap<StringAttr, Value>>
viewParamReads(func::FuncOp func, Value arena, OpBuilder &b,
               const llvm::StringMap<uint64_t> &offsets,
               const llvm::StringMap<uint64_t> &sliceStrides) {
  llvm::DenseMap<StringAttr, Value> views, tensors;
  auto viewOf = [&](StringAttr name, Type tensorType,
                    Operation *user) -> FailureOr<Value> {
    Value &view = views[name];
    if (view)
      return view;
    auto offset = offsets.find(name.getValue());
    if (offset == offsets.end())
      return user->emitOpError("uses ")
             << name << ", which is not a cnn.param";
    Location loc = user->getLoc();
    Value byteShift =
        arith::ConstantIndexOp::create(b, loc, int64_t(offset->second));
    auto stride = sliceStrides.find(name.getValue());
    if (stride == sliceStrides.end()) {
      view = memref::ViewOp::create(b, loc, bufferTypeOf(tensorType), arena,
                                    byteShift, ValueRange{});
    } else {
      // A whole stack (the training step's update of sequential blocks):
      // its slices are 64-byte aligned, so the view is strided.
      view = stackView(b, loc, cast<RankedTensorType>(tensorType), arena,
                       byteShift, int64_t(stride->second));
    }
    tensors[name] = bufferization::ToTensorOp::create(b, loc, tensorType, view,
                                                      /*restrict=*/true);
    return view;
  };
  SmallVector<ReadOp> reads, sliceReads;
  func.walk([&](ReadOp read) {
    (read.getIndex() ? sliceReads : reads).push_back(read);
  });
  for (ReadOp read : reads)
    if (failed(viewOf(read.getParamAttr().getAttr(), read.getType(), read)))
      return failure();
  // A slice of a stack, in a loop body: a view where the read is, at the
  // stack's offset plus the index times the slice stride.
  for (ReadOp read : sliceReads) {
    auto offset = offsets.find(read.getParam());
    auto stride = sliceStrides.find(read.getParam());
    if (offset == offsets.end() || stride == sliceStrides.end())
      return read.emitOpError("reads a slice of ")
             << read.getParamAttr() << ", which is not a stacked cnn.param";
    OpBuilder at(read);
    Location loc = read.getLoc();
    Value byteShift = arith::AddIOp::create(
        at, loc,
        arith::ConstantIndexOp::create(at, loc, int64_t(offset->second)),
        arith::MulIOp::create(
            at, loc, read.getIndex(),
            arith::ConstantIndexOp::create(at, loc, int64_t(stride->second))));
    Value view = memref::ViewOp::create(at, loc, bufferTypeOf(read.getType()),
                                        arena, byteShift, ValueRange{});
    read.replaceAllUsesWith(bufferization::ToTensorOp::create(
        at, loc, read.getType(), view, /*restrict=*/true)
                                .getResult());
    read.erase();
  }
  // Written but never read: a view all the same (gradients).
  SmallVector<WriteOp> writes;
  func.walk([&](WriteOp write) { writes.push_back(write); });
  for (WriteOp write : writes)
    if (failed(viewOf(write.getParamAttr().getAttr(), write.getValue().getType(),
                      write)))
      return failure();
  // Only now: the builder inserts before the block's first original op,
  // which may be one of these reads.
  for (ReadOp read : reads) {
    read.replaceAllUsesWith(tensors[read.getParamAttr().getAttr()]);
    read.erase();
  }
  return views;
}

/// Ends `func` by writing each returned value into its destination buffer
/// and returning nothing; the function type follows the block's arguments
/// and gets the C interface.
static void returnThroughDestinations(func::FuncOp func, ValueRange dests) {
  Block &entry = func.getBody().front();
  auto ret = cast<func::ReturnOp>(entry.getTerminator());
  OpBuilder b(ret);
  for (auto [result, dest] : llvm::zip_equal(ret.getOperands(), dests))
    bufferization::MaterializeInDestinationOp::create(
        b, ret.getLoc(), TypeRange{}, result, dest, /*restrict=*/true,
        /*writable=*/true);
  func::ReturnOp::create(b, ret.getLoc());
  ret.erase();
  MLIRContext *ctx = func.getContext();
  func.setFunctionType(
      FunctionType::get(ctx, entry.getArgumentTypes(), TypeRange{}));
  func->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
}

/// Rewrites `func` to the destination-passing ABI of Passes.td and its
/// parameter reads to views of the arena.
static LogicalResult rewriteEntry(func::FuncOp func,
                                  const llvm::StringMap<uint64_t> &offsets,
                                  const llvm::StringMap<uint64_t> &strides) {
  if (func.isExternal())
    return success();
  if (!func.getBody().hasOneBlock())
    return func.emitOpError("expects a single block to lower to the entry ABI");
  FunctionType type = func.getFunctionType();
  for (Type t : llvm::concat<const Type>(type.getInputs(), type.getResults()))
    if (!isa<RankedTensorType>(t))
      return func.emitOpError("expects ranked tensor arguments and results, "
                              "got ")
             << t;
  WalkResult calls = func.walk([](func::CallOp call) {
    call.emitOpError("is not supported by cnn-lower-entry-abi; run "
                     "-inline first");
    return WalkResult::interrupt();
  });
  if (calls.wasInterrupted())
    return failure();

  MLIRContext *ctx = func.getContext();
  Location loc = func.getLoc();
  Block &entry = func.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);

  // The arena, then the inputs as buffers read through restrict tensors.
  auto arenaType =
      MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 8));
  Value arena = entry.insertArgument(0u, arenaType, loc);
  for (BlockArgument arg : entry.getArguments().drop_front()) {
    Type tensorType = arg.getType();
    arg.setType(bufferTypeOf(tensorType));
    auto tensor = bufferization::ToTensorOp::create(
        b, arg.getLoc(), tensorType, arg, /*restrict=*/true);
    arg.replaceAllUsesExcept(tensor, tensor);
  }

  if (failed(viewParamReads(func, arena, b, offsets, strides)))
    return failure();

  // The results, written into destinations appended to the arguments.
  SmallVector<Value> dests;
  for (Type t : type.getResults())
    dests.push_back(entry.addArgument(bufferTypeOf(t), loc));
  returnThroughDestinations(func, dests);
  return success();
}

/// Rewrites a training step to model_abi.h's cnnrt_train_step_fn: from
///   (input, labels, masks..., 11 scalars) -> (logits, loss, masks...)
/// to
///   (arena, input, labels, logits, loss, mask buffer, 11 scalars) -> ()
/// Site s's mask is the [N, E_s] slice of the mask buffer at N·(E_0 + ... +
/// E_{s-1}): read as the given masks, written with the ones used. cnn.write
/// stores into the parameter's view where it stands.
static LogicalResult
rewriteTrainEntry(func::FuncOp func, const llvm::StringMap<uint64_t> &offsets,
                  const llvm::StringMap<uint64_t> &strides) {
  constexpr unsigned kScalars = 11;
  FunctionType type = func.getFunctionType();
  unsigned numMasks = type.getNumResults() >= 2 ? type.getNumResults() - 2 : 0;
  if (!func.getBody().hasOneBlock() || type.getNumResults() < 2 ||
      type.getNumInputs() != 2 + numMasks + kScalars)
    return func.emitOpError("expects (input, labels, masks..., ")
           << kScalars << " scalars) -> (logits, loss, masks...), got " << type;

  MLIRContext *ctx = func.getContext();
  Location loc = func.getLoc();
  Block &entry = func.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  Value arena = entry.insertArgument(
      0u, MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 8)),
      loc);
  for (unsigned i : {1u, 2u}) { // input, labels
    BlockArgument arg = entry.getArgument(i);
    Type tensorType = arg.getType();
    arg.setType(bufferTypeOf(tensorType));
    auto tensor = bufferization::ToTensorOp::create(
        b, arg.getLoc(), tensorType, arg, /*restrict=*/true);
    arg.replaceAllUsesExcept(tensor, tensor);
  }
  Value input = entry.getArgument(1);
  Value logits = entry.insertArgument(3u, bufferTypeOf(type.getResult(0)), loc);
  Value loss = entry.insertArgument(4u, bufferTypeOf(type.getResult(1)), loc);
  Type f32 = Float32Type::get(ctx);
  Value maskBuffer = entry.insertArgument(
      5u, MemRefType::get({ShapedType::kDynamic}, f32), loc);

  // The mask arguments become slices of the mask buffer.
  Value batch = memref::DimOp::create(b, loc, input, 0);
  SmallVector<Value> maskViews;
  int64_t prefix = 0;
  for (unsigned s = 0; s < numMasks; ++s) {
    BlockArgument arg = entry.getArgument(6);
    auto maskType = cast<RankedTensorType>(arg.getType());
    int64_t elems = maskType.getDimSize(1);
    Value offset = arith::MulIOp::create(
        b, loc, batch, arith::ConstantIndexOp::create(b, loc, prefix));
    auto viewType = MemRefType::get(
        maskType.getShape(), f32,
        StridedLayoutAttr::get(ctx, ShapedType::kDynamic, {elems, 1}));
    Value view = memref::ReinterpretCastOp::create(
        b, loc, viewType, maskBuffer, OpFoldResult(offset),
        ArrayRef<OpFoldResult>{batch, b.getIndexAttr(elems)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(elems), b.getIndexAttr(1)});
    Value given = bufferization::ToTensorOp::create(b, loc, maskType, view,
                                                    /*restrict=*/true);
    arg.replaceAllUsesWith(given);
    entry.eraseArgument(6);
    maskViews.push_back(view);
    prefix += elems;
  }

  FailureOr<llvm::DenseMap<StringAttr, Value>> views =
      viewParamReads(func, arena, b, offsets, strides);
  if (failed(views))
    return failure();
  SmallVector<WriteOp> writes;
  func.walk([&](WriteOp write) { writes.push_back(write); });
  for (WriteOp write : writes) {
    b.setInsertionPoint(write);
    bufferization::MaterializeInDestinationOp::create(
        b, write.getLoc(), TypeRange{}, write.getValue(),
        views->lookup(write.getParamAttr().getAttr()), /*restrict=*/true,
        /*writable=*/true);
    write.erase();
  }

  SmallVector<Value> dests{logits, loss};
  dests.append(maskViews);
  returnThroughDestinations(func, dests);
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct LowerEntryAbiPass : cnn::impl::LowerEntryAbiBase<LowerEntryAbiPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    StringRef mode = getMode(module);
    if (mode != kEvalMode && mode != kTrainMode) {
      module.emitError("cnn-lower-entry-abi expects a module specialised "
                       "for eval or training (cnn.mode = \"eval\" or "
                       "\"train\"); run cnn-specialize-eval or cnn-train "
                       "first");
      return signalPassFailure();
    }

    FailureOr<ParamLayout> layout = assignParamOffsets(module);
    if (failed(layout))
      return signalPassFailure();
    llvm::StringMap<uint64_t> offsets, strides;
    for (ParamSlot slot : layout->slots) {
      offsets[slot.param.getSymName()] = slot.offset;
      if (slot.param.isStacked())
        strides[slot.param.getSymName()] = sliceStrideBytes(slot.param);
    }
    for (auto func : module.getOps<func::FuncOp>()) {
      bool trainStep =
          mode == kTrainMode && func.getSymName() == kTrainStepFnName;
      if (failed(trainStep ? rewriteTrainEntry(func, offsets, strides)
                           : rewriteEntry(func, offsets, strides)))
        return signalPassFailure();
    }
  }
};
} // namespace
