//===- RepeatExtension.cpp - give a cnn.repeat more values ----------------===//
#include "transforms/RepeatExtension.h"

using namespace mlir;

namespace cnn {

BlockArgument RepeatExtension::carry(Value init) {
  Block &body = repeat.getBodyBlock();
  unsigned position = 1 + repeat.getNumCarried() + carriedArgs.size();
  BlockArgument arg =
      body.insertArgument(position, init.getType(), init.getLoc());
  inits.push_back(init);
  carriedArgs.push_back(arg);
  return arg;
}

void RepeatExtension::yieldCarried(BlockArgument carried, Value next) {
  carriedNext[carried] = next;
}

BlockArgument RepeatExtension::slice(Value stack) {
  auto type = cast<RankedTensorType>(stack.getType());
  stacks.push_back(stack);
  return repeat.getBodyBlock().addArgument(
      RankedTensorType::get(type.getShape().drop_front(),
                            type.getElementType()),
      stack.getLoc());
}

unsigned RepeatExtension::yieldStacked(Value value) {
  stackedYields.push_back(value);
  return stackedYields.size() - 1;
}

RepeatOp RepeatExtension::finish(RewriterBase &rewriter) {
  YieldOp yield = repeat.getYield();
  oldCarried = repeat.getNumCarried();
  oldStacked = repeat.getStackedResults().size();

  // The yield: carried (old, new), then stacked (old, new).
  SmallVector<Value> values(yield.getValues().take_front(oldCarried));
  for (BlockArgument arg : carriedArgs) {
    Value next = carriedNext.lookup(arg);
    values.push_back(next ? next : Value(arg));
  }
  llvm::append_range(values, yield.getValues().drop_front(oldCarried));
  llvm::append_range(values, stackedYields);
  rewriter.setInsertionPoint(yield);
  rewriter.replaceOpWithNewOp<YieldOp>(yield, values);

  SmallVector<Value> allInits(repeat.getInits()), allStacks(repeat.getStacked());
  llvm::append_range(allInits, inits);
  llvm::append_range(allStacks, stacks);
  SmallVector<Type> types(ValueRange(allInits).getTypes());
  for (Value v : ValueRange(values).drop_front(allInits.size()))
    types.push_back(repeat.getStackType(v.getType()));

  rewriter.setInsertionPoint(repeat);
  auto extended = RepeatOp::create(rewriter, repeat.getLoc(), types, allInits,
                                   allStacks, repeat.getCountAttr(),
                                   repeat.getReverseAttr());
  extended->setDiscardableAttrs(repeat->getDiscardableAttrDictionary());
  rewriter.inlineRegionBefore(repeat.getBody(), extended.getBody(),
                              extended.getBody().end());
  unsigned newCarried = allInits.size();
  SmallVector<Value> replacements;
  for (unsigned i = 0; i < oldCarried; ++i)
    replacements.push_back(extended.getResult(i));
  for (unsigned i = 0; i < oldStacked; ++i)
    replacements.push_back(extended.getResult(newCarried + i));
  rewriter.replaceOp(repeat, replacements);
  repeat = extended;
  return extended;
}

Value RepeatExtension::carriedResult(unsigned i) {
  return repeat.getResult(oldCarried + i);
}

Value RepeatExtension::stackedResult(unsigned i) {
  return repeat.getResult(repeat.getNumCarried() + oldStacked + i);
}

} // namespace cnn
