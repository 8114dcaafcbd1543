//===- Optimizer.cpp - SGD state and update of a training step ------------===//
#include "transforms/Optimizer.h"

#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace cnn {

FailureOr<SmallVector<TrainingSlot>> declareTrainingSlots(ModuleOp module) {
  SmallVector<ParamOp> params;
  ParamOp last;
  for (ParamOp p : module.getOps<ParamOp>()) {
    last = p;
    if (p.isParameter())
      params.push_back(p);
  }
  SmallVector<TrainingSlot> slots;
  if (params.empty())
    return slots;

  SymbolTable symbols(module);
  OpBuilder b(module.getContext());
  b.setInsertionPointAfter(last);
  Attribute zero = ConstantAttr::get(module.getContext(), 0.0);
  auto declare = [&](ParamOp param, const std::string &name,
                     ParamRole role) -> ParamOp {
    if (Operation *taken = symbols.lookup(name)) {
      taken->emitOpError("takes the name '")
          << name << "', which the training state of "
          << param.getSymNameAttr() << " needs";
      return {};
    }
    auto slot = ParamOp::create(b, param.getLoc(), name, param.getType(),
                                role, zero);
    // A stack's state is a stack: slice k is slice k's state, by name.
    if (param.isStacked()) {
      StringRef prefix = StringRef(name).drop_back(param.getSymName().size());
      SmallVector<Attribute> slices;
      for (int64_t k = 0; k < param.getNumSlices(); ++k)
        slices.push_back(b.getStringAttr(prefix + param.getSliceName(k)));
      slot.setSlicesAttr(b.getArrayAttr(slices));
    }
    return slot;
  };
  for (ParamOp p : params) {
    ParamOp grad = declare(p, gradSlotName(p.getSymName()),
                           ParamRole::gradient);
    if (!grad)
      return failure();
    slots.push_back({p, grad, {}});
  }
  for (TrainingSlot &slot : slots) {
    slot.momentum = declare(
        slot.param, momentumSlotName(slot.param.getSymName()),
        ParamRole::momentum);
    if (!slot.momentum)
      return failure();
  }
  return slots;
}

void emitSgdStep(OpBuilder &b, OpBuilder &writes, ArrayRef<TrainingSlot> slots,
                 ArrayRef<Value> params, ArrayRef<Value> grads,
                 const SgdScalars &sgd) {
  // Every update first, then every write: the two builders may share an
  // insertion point, and no read may follow a write.
  SmallVector<SgdUpdateOp> updates;
  for (auto [slot, p, g] : llvm::zip_equal(slots, params, grads)) {
    ParamOp momentum = slot.momentum;
    Value buffer = ReadOp::create(b, momentum.getLoc(), momentum);
    updates.push_back(SgdUpdateOp::create(
        b, momentum.getLoc(), p, g, buffer, sgd.lr, sgd.momentum,
        sgd.dampening, sgd.weightDecay, sgd.l2, sgd.l1, sgd.nesterov,
        sgd.firstStep));
  }
  for (auto [slot, g, update] : llvm::zip_equal(slots, grads, updates)) {
    ParamOp param = slot.param;
    Location loc = param.getLoc();
    WriteOp::create(writes, loc, gradSlotName(param.getSymName()), g);
    WriteOp::create(writes, loc, param.getSymName(), update.getNewParam());
    WriteOp::create(writes, loc, momentumSlotName(param.getSymName()),
                    update.getNewBuffer());
  }
}

} // namespace cnn
