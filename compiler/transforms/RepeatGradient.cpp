//===- RepeatGradient.cpp - the backward pass of a cnn.repeat -------------===//
//
// The gradient of a repeat is a repeat running backwards. Iteration k of the
// backward repeat takes the gradient of iteration k's carried results and
// gives the gradient of its carried inputs; the weights the body captures
// (a shared block's) get their iterations' gradients summed in carried
// values; the slices of stacked weights (sequential blocks) get a stacked
// gradient.
//
// The backward body is built from a copy of the forward body, which the
// gradient ops then use. Every value of that copy that a gradient op needs
// is instead saved by the forward repeat (a new stacked result) and read as
// slice k, so nothing is recomputed and the copy is erased. The forward
// repeat thus stacks exactly what the unrolled training step would keep.
//
//===----------------------------------------------------------------------===//
#include "transforms/Autodiff.h"
#include "transforms/RepeatExtension.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/MapVector.h"

using namespace mlir;

namespace cnn {
namespace {

/// A zero tensor of `type`, or failure (reported at `loc`) when its shape is
/// not static.
FailureOr<Value> zeros(OpBuilder &b, Location loc, Type type) {
  auto tensor = cast<RankedTensorType>(type);
  if (!tensor.hasStaticShape())
    return emitError(loc, "cannot start a gradient of dynamic type ")
           << type << " at zero in a repeat";
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(b.getZeroAttr(type)))
      .getResult();
}

/// Where each slice argument of the backward body comes from: a stack of the
/// function, or the forward repeat's save number `save`.
struct SliceSource {
  Value stack;
  int save = -1;
};

} // namespace

LogicalResult differentiateRepeat(
    RewriterBase &b, RepeatOp &repeat, ArrayRef<Value> resultGrads,
    function_ref<bool(Value)> isActive,
    SmallVectorImpl<std::pair<Value, Value>> &operandGrads) {
  RepeatOp forward = repeat;
  Location loc = forward.getLoc();
  unsigned numCarried = forward.getNumCarried();
  YieldOp forwardYield = forward.getYield();
  SmallVector<Value> activeCaptured;
  for (Value v : capturedValues(forward))
    if (isActive(v))
      activeCaptured.push_back(v);

  // The backward body: (k, carried gradients, gradient sums, slices...).
  auto body = std::make_unique<Block>();
  Value k = body->addArgument(b.getIndexType(), loc);
  SmallVector<unsigned> gradCarried; // forward carried values, by index
  SmallVector<BlockArgument> carriedGradArgs, sumArgs;
  for (unsigned i = 0; i < numCarried; ++i)
    if (resultGrads[i]) {
      gradCarried.push_back(i);
      carriedGradArgs.push_back(
          body->addArgument(forward.getInits()[i].getType(), loc));
    }
  for (Value v : activeCaptured)
    sumArgs.push_back(body->addArgument(v.getType(), loc));
  SmallVector<SliceSource> sliceSources;
  SmallVector<Value> saves; // values of the forward body, saved per iteration
  llvm::DenseMap<Value, int> saveOf;
  auto addSlice = [&](Type sliceType, SliceSource source) {
    sliceSources.push_back(source);
    return body->addArgument(sliceType, loc);
  };
  auto save = [&](Value forwardValue) {
    auto [it, inserted] = saveOf.try_emplace(forwardValue, int(saves.size()));
    if (inserted)
      saves.push_back(forwardValue);
    return it->second;
  };

  // A copy of the forward body: its carried inputs are saved values, its
  // slices the same stacks' slices.
  IRMapping map;
  map.map(forward.getIndexArg(), k);
  llvm::DenseSet<Value> bodySources;
  SmallVector<BlockArgument> carriedInputs;
  for (BlockArgument arg : forward.getCarriedArgs()) {
    BlockArgument input = addSlice(arg.getType(), {Value(), save(arg)});
    map.map(arg, input);
    carriedInputs.push_back(input);
    bodySources.insert(input);
  }
  for (auto [arg, stack] :
       llvm::zip(forward.getSliceArgs(), forward.getStacked())) {
    BlockArgument slice = addSlice(arg.getType(), {stack});
    map.map(arg, slice);
    if (isActive(stack))
      bodySources.insert(slice);
  }
  for (Value v : activeCaptured)
    bodySources.insert(v);
  OpBuilder copier(b.getContext()); // the block has no region yet
  copier.setInsertionPointToEnd(body.get());
  SmallVector<Operation *> copies;
  llvm::DenseMap<Operation *, Operation *> originalOf;
  for (Operation &op : forward.getBodyBlock().without_terminator()) {
    Operation *copy = copier.clone(op, map);
    copies.push_back(copy);
    originalOf[copy] = &op;
  }

  // The gradients of iteration k.
  SmallVector<std::pair<Value, Value>> seeds;
  for (auto [i, arg] : llvm::zip(gradCarried, carriedGradArgs))
    seeds.push_back({map.lookup(forwardYield.getValues()[i]), arg});
  for (auto [j, result] : llvm::enumerate(forward.getStackedResults()))
    if (Value g = resultGrads[numCarried + j]) {
      auto type = cast<RankedTensorType>(g.getType());
      BlockArgument slice = addSlice(
          RankedTensorType::get(type.getShape().drop_front(),
                                type.getElementType()),
          {g});
      seeds.push_back({map.lookup(forwardYield.getValues()[numCarried + j]),
                       slice});
    }
  SmallVector<Value> yields;
  SmallVector<Value> stackedGradsOf; // the stacks whose slices get gradients
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(body.get());
    SmallVector<Operation *> ops(copies);
    FailureOr<llvm::DenseMap<Value, Value>> grads = backpropagate(
        b, ops, seeds, [&](Value v) { return bodySources.contains(v); });
    if (failed(grads))
      return failure();
    for (auto [i, input] : llvm::enumerate(carriedInputs)) {
      Value g = grads->lookup(input);
      if (!g || llvm::is_contained(gradCarried, unsigned(i)))
        continue;
      return forward.emitOpError("passes a gradient to carried value #")
             << i << ", which has none after the repeat";
    }
    for (unsigned i : gradCarried) {
      BlockArgument input = carriedInputs[i];
      Value g = grads->lookup(input);
      if (!g) {
        FailureOr<Value> zero = zeros(b, loc, input.getType());
        if (failed(zero))
          return failure();
        g = *zero;
      }
      yields.push_back(g);
    }
    for (auto [v, sum] : llvm::zip(activeCaptured, sumArgs)) {
      Value g = grads->lookup(v);
      yields.push_back(g ? AddOp::create(b, loc, sum, g).getResult()
                         : Value(sum));
    }
    unsigned numStacked = forward.getStacked().size();
    for (unsigned s = 0; s < numStacked; ++s) {
      Value g = grads->lookup(map.lookup(forward.getSliceArgs()[s]));
      if (!g)
        continue;
      yields.push_back(g);
      stackedGradsOf.push_back(forward.getStacked()[s]);
    }
    YieldOp::create(b, loc, yields);
  }

  // What the gradient ops use of the copy is saved by the forward repeat;
  // the copy then goes.
  llvm::DenseSet<Operation *> copySet(copies.begin(), copies.end());
  llvm::MapVector<Value, SmallVector<OpOperand *>> needed;
  for (Operation &op : *body) {
    if (copySet.contains(&op))
      continue;
    for (OpOperand &use : op.getOpOperands()) {
      Operation *def = use.get().getDefiningOp();
      if (def && copySet.contains(def) && !matchPattern(def, m_Constant()))
        needed[use.get()].push_back(&use);
    }
  }
  for (auto &[value, uses] : needed) {
    auto result = cast<OpResult>(value);
    Value original =
        originalOf[result.getOwner()]->getResult(result.getResultNumber());
    BlockArgument slice = addSlice(value.getType(), {Value(), save(original)});
    for (OpOperand *use : uses)
      use->set(slice);
  }
  for (Operation *copy : llvm::reverse(copies))
    if (isOpTriviallyDead(copy))
      copy->erase();
    else if (!matchPattern(copy, m_Constant()))
      return copy->emitOpError("is still needed by the backward pass of ")
             << "a repeat after its uses were saved";
  // Slices nobody reads go (a carried input needs no save then).
  SmallVector<bool> savedUsed(saves.size(), false);
  unsigned firstSlice = body->getNumArguments() - sliceSources.size();
  for (unsigned s = sliceSources.size(); s-- > 0;) {
    if (body->getArgument(firstSlice + s).use_empty()) {
      body->eraseArgument(firstSlice + s);
      sliceSources.erase(sliceSources.begin() + s);
    } else if (sliceSources[s].save >= 0) {
      savedUsed[sliceSources[s].save] = true;
    }
  }

  // The forward repeat stacks the saves.
  RepeatExtension extension(forward);
  llvm::DenseMap<int, unsigned> stackOfSave;
  for (auto [s, value] : llvm::enumerate(saves))
    if (savedUsed[s])
      stackOfSave[int(s)] = extension.yieldStacked(value);
  {
    OpBuilder::InsertionGuard guard(b);
    repeat = extension.finish(b);
  }

  // The backward repeat.
  SmallVector<Value> inits, stacks;
  for (unsigned i : gradCarried)
    inits.push_back(resultGrads[i]);
  for (Value v : activeCaptured) {
    FailureOr<Value> zero = zeros(b, loc, v.getType());
    if (failed(zero))
      return failure();
    inits.push_back(*zero);
  }
  for (const SliceSource &source : sliceSources)
    stacks.push_back(source.stack ? source.stack
                                  : extension.stackedResult(
                                        stackOfSave.lookup(source.save)));
  SmallVector<Type> types(ValueRange(inits).getTypes());
  for (Value g : ValueRange(yields).drop_front(inits.size()))
    types.push_back(repeat.getStackType(g.getType()));
  auto backward = RepeatOp::create(b, loc, types, inits, stacks,
                                   repeat.getCountAttr(), b.getUnitAttr());
  backward.getBody().push_back(body.release());

  unsigned r = 0;
  for (unsigned i : gradCarried)
    operandGrads.push_back({repeat.getInits()[i], backward.getResult(r++)});
  for (Value v : activeCaptured)
    operandGrads.push_back({v, backward.getResult(r++)});
  for (Value stack : stackedGradsOf)
    operandGrads.push_back({stack, backward.getResult(r++)});
  return success();
}

} // namespace cnn
