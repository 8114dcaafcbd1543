//===- UnrollRepeats.cpp - cnn.repeat back to n copies of its block -------===//
//
// For the passes that see the whole graph at once (the training step's
// specialisation and reverse-mode differentiation): each cnn.repeat becomes
// its body n times, iteration k's dropout sites renumbered, and each stacked
// param becomes its slices, declared where the stack was, in slice order, so
// that every tensor keeps its arena offset.
//
//===----------------------------------------------------------------------===//
#include "transforms/Passes.h"

#include "cnn/CnnOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/StringSet.h"

namespace cnn {
#define GEN_PASS_DEF_UNROLLREPEATS
#include "transforms/Passes.h.inc"
} // namespace cnn

using namespace mlir;
using namespace cnn;

namespace {

/// Unrolls `repeat` (the plain form); the iteration indices it makes go to
/// `indices`.
void unroll(RewriterBase &rewriter, RepeatOp repeat,
            SmallVectorImpl<Operation *> &indices) {
  rewriter.setInsertionPoint(repeat);
  Block &body = repeat.getBodyBlock();
  int64_t sites = repeat.getSitesPerIteration();
  Value carried = repeat.getInput();
  for (int64_t k = 0, n = int64_t(repeat.getCount()); k < n; ++k) {
    IRMapping map;
    auto index = arith::ConstantIndexOp::create(rewriter, repeat.getLoc(), k);
    indices.push_back(index);
    map.map(repeat.getIndexArg(), index);
    map.map(repeat.getCarriedArg(), carried);
    for (Operation &op : body.without_terminator()) {
      Operation *copy = rewriter.clone(op, map);
      if (auto site = copy->getAttrOfType<IntegerAttr>("site");
          site && isa<DropoutOp, Dropout2dOp>(copy))
        copy->setAttr("site", rewriter.getI64IntegerAttr(site.getInt() +
                                                         k * sites));
    }
    carried = map.lookup(repeat.getYield().getValues().front());
  }
  rewriter.replaceOp(repeat, carried);
}

struct UnrollRepeatsPass : cnn::impl::UnrollRepeatsBase<UnrollRepeatsPass> {
  using UnrollRepeatsBase::UnrollRepeatsBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    IRRewriter rewriter(&getContext());
    SmallVector<RepeatOp> repeats;
    llvm::StringSet<> unrolledStacks;
    WalkResult plain = module.walk([&](RepeatOp repeat) {
      if (withDropoutOnly && repeat.getSitesPerIteration() == 0)
        return WalkResult::advance();
      if (repeat.getNumCarried() != 1 || !repeat.getStacked().empty() ||
          repeat.getResults().size() != 1) {
        repeat.emitOpError("cannot unroll: only the plain form (one carried "
                           "value, nothing stacked) unrolls");
        return WalkResult::interrupt();
      }
      repeat.walk([&](ReadOp read) {
        if (read.getIndex())
          unrolledStacks.insert(read.getParam());
      });
      repeats.push_back(repeat);
      return WalkResult::advance();
    });
    if (plain.wasInterrupted())
      return signalPassFailure();
    SmallVector<Operation *> indices;
    for (RepeatOp repeat : repeats)
      unroll(rewriter, repeat, indices);

    // Slices of the unrolled loops' stacks, by stack name and index.
    llvm::StringMap<SmallVector<StringAttr>> slicesOf;
    SmallVector<ParamOp> stacks;
    for (ParamOp param : module.getOps<ParamOp>())
      if (param.isStacked() &&
          (!withDropoutOnly || unrolledStacks.contains(param.getSymName())))
        stacks.push_back(param);
    for (ParamOp stack : stacks) {
      rewriter.setInsertionPoint(stack);
      auto &names = slicesOf[stack.getSymName()];
      for (int64_t k = 0; k < stack.getNumSlices(); ++k) {
        auto slice = ParamOp::create(rewriter, stack.getLoc(),
                                     stack.getSliceName(k),
                                     stack.getSliceType(), stack.getRole(),
                                     stack.getInit());
        names.push_back(slice.getSymNameAttr());
      }
      rewriter.eraseOp(stack);
    }
    WalkResult result = module.walk([&](ReadOp read) {
      if (!read.getIndex() || !slicesOf.contains(read.getParam()))
        return WalkResult::advance();
      APInt k;
      auto names = slicesOf.find(read.getParam());
      if (!matchPattern(read.getIndex(), m_ConstantInt(&k)) ||
          names == slicesOf.end() || k.getZExtValue() >= names->second.size()) {
        read.emitOpError("reads a slice that cnn-unroll-repeats cannot "
                         "resolve to a constant index of a stack");
        return WalkResult::interrupt();
      }
      rewriter.setInsertionPoint(read);
      rewriter.replaceOpWithNewOp<ReadOp>(
          read, names->second[k.getZExtValue()].getValue(), read.getType());
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    for (Operation *index : indices)
      if (index->use_empty())
        rewriter.eraseOp(index);
  }
};

} // namespace
