//===- ModelDescriptor.cpp - the model as the runtime sees it -------------===//
#include "codegen/ModelDescriptor.h"

#include "analysis/Flops.h"
#include "codegen/CpuFeatures.h"
#include "cnn/CnnNames.h"
#include "cnn/CnnOps.h"
#include "transforms/ParamLayout.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"

using namespace mlir;

namespace cnnc {

// Mirrors of model_abi.h's enums; the ABI tests hold both sides together.
enum { kUniform = 0, kNormal = 1, kConstant = 2 };
enum { kAbiVersion = 6 };

FailureOr<ModelDescriptor> describeModel(ModuleOp module,
                                         ModuleOp trainModule) {
  ModelDescriptor model;
  if (auto name = module->getAttrOfType<StringAttr>(cnn::kModelAttrName))
    model.name = name.str();
  if (auto hyper =
          module->getAttrOfType<DictionaryAttr>(cnn::kHyperparamsAttrName))
    for (NamedAttribute a : hyper)
      if (auto value = dyn_cast<StringAttr>(a.getValue()))
        model.hyperparams.push_back({a.getName().str(), value.str()});

  auto forward = module.lookupSymbol<func::FuncOp>(cnn::kForwardFnName);
  FunctionType type = forward ? forward.getFunctionType() : FunctionType();
  auto input = type && type.getNumInputs() == 1
                   ? dyn_cast<RankedTensorType>(type.getInput(0))
                   : RankedTensorType();
  auto output = type && type.getNumResults() == 1
                    ? dyn_cast<RankedTensorType>(type.getResult(0))
                    : RankedTensorType();
  if (!input || input.getRank() != 4 || !output || output.getRank() != 2)
    return module.emitError(
        "expected func.func @forward from [N, C, H, W] to [N, K]");
  for (int i = 0; i < 3; ++i)
    model.inputShape[i] = input.getDimSize(i + 1);
  model.numClasses = output.getDimSize(1);

  cnn::ParamLayout layout = cnn::computeParamLayout(module);
  model.arenaBytes = layout.totalBytes;
  // A stacked param is one tensor per slice for the runtime.
  for (const cnn::ParamSlot &slot : layout.slots) {
    cnn::ParamOp param = slot.param;
    for (int64_t k = 0; k < param.getNumSlices(); ++k) {
      TensorEntry t;
      t.name = param.getSliceName(k).str();
      llvm::append_range(t.shape, param.getSliceType().getShape());
      t.isInteger = param.getTensorType().getElementType().isInteger(64);
      t.isBuffer = param.getRole() == cnn::ParamRole::buffer;
      t.offset = slot.offset + uint64_t(k) * cnn::sliceStrideBytes(param);
      if (std::optional<ArrayAttr> aliases = param.getAliases())
        for (Attribute a : *aliases)
          t.aliases.push_back(cast<StringAttr>(a).str());
      Attribute init = param.getInit();
      if (auto u = dyn_cast<cnn::UniformAttr>(init)) {
        t.initKind = kUniform;
        t.initA = u.getLow().convertToDouble();
        t.initB = u.getHigh().convertToDouble();
      } else if (auto n = dyn_cast<cnn::NormalAttr>(init)) {
        t.initKind = kNormal;
        t.initA = n.getMean().convertToDouble();
        t.initB = n.getStd().convertToDouble();
      } else if (auto c = dyn_cast<cnn::ConstantAttr>(init)) {
        t.initKind = kConstant;
        t.initA = c.getValue().convertToDouble();
      }
      model.tensors.push_back(std::move(t));
    }
  }
  // The runtime addresses checkpoint tensors by any of their names.
  llvm::StringMap<StringRef> owner;
  for (const TensorEntry &t : model.tensors)
    owner.try_emplace(t.name, t.name);
  for (const TensorEntry &t : model.tensors)
    for (const std::string &alias : t.aliases)
      if (auto [it, inserted] = owner.try_emplace(alias, t.name); !inserted)
        return module.emitError("state_dict name '")
               << alias << "' is an alias of '" << t.name
               << "' and a name of '" << it->second << "'";
  model.flopsPerSample = forwardFlopsPerSample(module);

  model.trainArenaBytes = model.arenaBytes;
  if (trainModule) {
    // The training state, by name; the model's tensors must not move.
    llvm::StringMap<uint64_t> stateOffsets;
    cnn::ParamLayout trainLayout = cnn::computeParamLayout(trainModule);
    for (const cnn::ParamSlot &slot : trainLayout.slots) {
      cnn::ParamOp param = slot.param;
      for (int64_t k = 0; k < param.getNumSlices(); ++k)
        stateOffsets[param.getSliceName(k)] =
            slot.offset + uint64_t(k) * cnn::sliceStrideBytes(param);
    }
    for (const TensorEntry &t : model.tensors) {
      auto it = stateOffsets.find(t.name);
      if (it == stateOffsets.end() || it->second != t.offset)
        return module.emitError("the training step moves '")
               << t.name << "' in the arena";
    }
    model.trainArenaBytes = trainLayout.totalBytes;
    for (auto [index, t] : llvm::enumerate(model.tensors)) {
      if (t.isBuffer)
        continue;
      auto grad = stateOffsets.find("grad." + t.name);
      auto momentum = stateOffsets.find("momentum_buffer." + t.name);
      if (grad == stateOffsets.end() || momentum == stateOffsets.end())
        return module.emitError("the training state of '")
               << t.name << "' is incomplete";
      model.trainSlots.push_back(
          {static_cast<int64_t>(index), grad->second, momentum->second});
    }
  }
  forward.walk([&](Operation *op) {
    auto site = op->getAttrOfType<IntegerAttr>("site");
    auto p = op->getAttrOfType<FloatAttr>("p");
    if (!isa<cnn::DropoutOp, cnn::Dropout2dOp>(op) || !site || !p)
      return;
    auto type = cast<RankedTensorType>(op->getOperand(0).getType());
    DropoutSite s;
    if (auto name = dyn_cast<NameLoc>(op->getLoc()))
      s.name = name.getName().str();
    s.p = p.getValueAsDouble();
    s.channelwise = isa<cnn::Dropout2dOp>(op);
    s.elemsPerSample = s.channelwise ? type.getDimSize(1) : 1;
    if (!s.channelwise)
      for (int64_t d : type.getShape().drop_front())
        s.elemsPerSample *= d;
    // In a loop body, the site of iteration 0, named as its first use
    // ("blocks.0.drop"): one per iteration, named by its use.
    int64_t copies = 1, step = 0;
    std::string prefix;
    auto repeat = op->getParentOfType<cnn::RepeatOp>();
    if (repeat) {
      copies = int64_t(repeat.getCount());
      step = repeat.getSitesPerIteration();
      if (auto scope = dyn_cast<NameLoc>(repeat.getLoc()))
        prefix = scope.getName().str() + ".";
    }
    for (int64_t k = 0; k < copies; ++k) {
      uint64_t index = uint64_t(site.getInt() + k * step);
      if (model.dropoutSites.size() <= index)
        model.dropoutSites.resize(index + 1);
      DropoutSite copy = s;
      if (repeat && !prefix.empty() &&
          StringRef(s.name).starts_with(prefix + "0."))
        copy.name = prefix + std::to_string(k) +
                    s.name.substr(prefix.size() + 1);
      model.dropoutSites[index] = std::move(copy);
    }
  });
  for (auto [index, s] : llvm::enumerate(model.dropoutSites))
    if (s.elemsPerSample == 0)
      return module.emitError("dropout site ") << index << " is missing";

  for (auto config : module.getOps<cnn::TrainConfigOp>()) {
    if (auto sgd = dyn_cast<cnn::SgdAttr>(config.getOptimizer())) {
      model.lr = sgd.getLr().convertToDouble();
      model.momentum = sgd.getMomentum().convertToDouble();
      model.dampening = sgd.getDampening().convertToDouble();
      model.weightDecay = sgd.getWeightDecay().convertToDouble();
      model.nesterov = sgd.getNesterov();
    }
    model.penalty = static_cast<int32_t>(config.getPenalty().getKind());
    model.penaltyStrength = config.getPenalty().getStrength().convertToDouble();
    model.epochs = config.getEpochs();
    model.batchSize = config.getBatchSize();
    model.seed = config.getSeed();
  }
  return model;
}

namespace {

/// Builds the constants with the C layout of model_abi.h: LLVM's natural
/// struct layout on the target's data layout is the C compiler's.
class DescriptorEmitter {
public:
  explicit DescriptorEmitter(llvm::Module &module)
      : module(module), ctx(module.getContext()),
        ptr(llvm::PointerType::getUnqual(ctx)), i32(llvm::Type::getInt32Ty(ctx)),
        i64(llvm::Type::getInt64Ty(ctx)), f64(llvm::Type::getDoubleTy(ctx)) {}

  void emit(const ModelDescriptor &model, llvm::StringRef forwardSymbol,
            llvm::StringRef trainStepSymbol) {
    // cnnrt_tensor_desc, cnnrt_init_spec, cnnrt_model_tensor.
    auto *descTy = llvm::StructType::get(ctx, {ptr, i32, i32, i32, ptr});
    auto *initTy = llvm::StructType::get(ctx, {i32, f64, f64});
    auto *tensorTy =
        llvm::StructType::get(ctx, {descTy, i64, initTy, i64, ptr});
    std::vector<llvm::Constant *> tensors;
    for (const TensorEntry &t : model.tensors) {
      std::vector<llvm::Constant *> dims;
      for (int64_t d : t.shape)
        dims.push_back(llvm::ConstantInt::get(i64, d));
      llvm::Constant *shape =
          dims.empty() ? llvm::ConstantPointerNull::get(ptr)
                       : global("cnnc.shape." + t.name,
                                llvm::ConstantArray::get(
                                    llvm::ArrayType::get(i64, dims.size()), dims));
      auto *desc = llvm::ConstantStruct::get(
          descTy, {string(t.name), int32(t.isInteger ? 1 : 0),
                   int32(t.isBuffer ? 1 : 0), int32(t.shape.size()), shape});
      auto *init = llvm::ConstantStruct::get(
          initTy, {int32(t.initKind), real(t.initA), real(t.initB)});
      std::vector<llvm::Constant *> aliases;
      for (const std::string &alias : t.aliases)
        aliases.push_back(string(alias));
      tensors.push_back(llvm::ConstantStruct::get(
          tensorTy, {desc, int64(t.offset), init, int64(aliases.size()),
                     array("cnnc.aliases." + t.name, ptr, aliases)}));
    }
    llvm::Constant *tensorTable = array("cnnc.tensors", tensorTy, tensors);

    auto *hyperTy = llvm::StructType::get(ctx, {ptr, ptr});
    std::vector<llvm::Constant *> hyper;
    for (const auto &[name, value] : model.hyperparams)
      hyper.push_back(
          llvm::ConstantStruct::get(hyperTy, {string(name), string(value)}));
    llvm::Constant *hyperTable = array("cnnc.hyperparams", hyperTy, hyper);

    auto *trainTy = llvm::StructType::get(
        ctx, {f64, f64, f64, f64, i32, i32, f64, i64, i64, i64});
    auto *train = llvm::ConstantStruct::get(
        trainTy, {real(model.lr), real(model.momentum), real(model.dampening),
                  real(model.weightDecay), int32(model.nesterov ? 1 : 0),
                  int32(model.penalty), real(model.penaltyStrength),
                  int64(model.epochs), int64(model.batchSize),
                  int64(model.seed)});

    llvm::FunctionCallee forward = module.getOrInsertFunction(
        forwardSymbol,
        llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr, ptr, ptr},
                                false));
    llvm::Constant *trainStep = llvm::ConstantPointerNull::get(ptr);
    if (!trainStepSymbol.empty())
      trainStep = llvm::cast<llvm::Constant>(
          module
              .getOrInsertFunction(
                  trainStepSymbol,
                  llvm::FunctionType::get(
                      llvm::Type::getVoidTy(ctx),
                      {ptr, ptr, ptr, ptr, ptr, ptr, llvm::Type::getFloatTy(ctx),
                       llvm::Type::getFloatTy(ctx), llvm::Type::getFloatTy(ctx),
                       llvm::Type::getFloatTy(ctx), llvm::Type::getFloatTy(ctx),
                       llvm::Type::getFloatTy(ctx), i32, i32, i32, i64, i64},
                      false))
              .getCallee());
    // cnnrt_train_slot, cnnrt_dropout_site.
    auto *slotTy = llvm::StructType::get(ctx, {i64, i64, i64});
    std::vector<llvm::Constant *> slots;
    for (const TrainSlot &slot : model.trainSlots)
      slots.push_back(llvm::ConstantStruct::get(
          slotTy, {int64(slot.tensor), int64(slot.gradOffset),
                   int64(slot.momentumOffset)}));
    auto *siteTy = llvm::StructType::get(ctx, {ptr, f64, i32, i64});
    std::vector<llvm::Constant *> sites;
    int64_t maskElems = 0;
    for (const DropoutSite &site : model.dropoutSites) {
      sites.push_back(llvm::ConstantStruct::get(
          siteTy, {string(site.name), real(site.p),
                   int32(site.channelwise ? 1 : 0), int64(site.elemsPerSample)}));
      maskElems += site.elemsPerSample;
    }

    // What the code needs of the CPU, from its functions' target-cpu and
    // target-features (the target machine's).
    CpuRequirements cpu = cpuRequirements(module);

    auto *shapeTy = llvm::ArrayType::get(i64, 3);
    auto *modelTy = llvm::StructType::get(
        ctx, {i32, ptr, i64, ptr, shapeTy, i64, i64, ptr, i64, i64, trainTy,
              ptr, ptr, i64, i64, ptr, i64, ptr, i64, ptr, ptr});
    auto *value = llvm::ConstantStruct::get(
        modelTy,
        {int32(kAbiVersion), string(model.name), int64(model.hyperparams.size()),
         hyperTable,
         llvm::ConstantArray::get(shapeTy, {int64(model.inputShape[0]),
                                            int64(model.inputShape[1]),
                                            int64(model.inputShape[2])}),
         int64(model.numClasses), int64(model.tensors.size()), tensorTable,
         int64(model.arenaBytes), int64(model.flopsPerSample), train,
         llvm::cast<llvm::Constant>(forward.getCallee()), trainStep,
         int64(model.trainArenaBytes), int64(slots.size()),
         array("cnnc.train_slots", slotTy, slots), int64(sites.size()),
         array("cnnc.dropout_sites", siteTy, sites), int64(maskElems),
         string(cpu.cpu), string(cpu.features)});
    new llvm::GlobalVariable(module, modelTy, /*isConstant=*/true,
                             llvm::GlobalValue::ExternalLinkage, value,
                             "cnnc_model");
  }

private:
  llvm::Constant *int32(int64_t v) { return llvm::ConstantInt::get(i32, v); }
  llvm::Constant *int64(int64_t v) { return llvm::ConstantInt::get(i64, v); }
  llvm::Constant *real(double v) { return llvm::ConstantFP::get(f64, v); }

  llvm::Constant *global(const llvm::Twine &name, llvm::Constant *init) {
    return new llvm::GlobalVariable(module, init->getType(), /*isConstant=*/true,
                                    llvm::GlobalValue::PrivateLinkage, init,
                                    name);
  }
  llvm::Constant *string(llvm::StringRef s) {
    return global("cnnc.str", llvm::ConstantDataArray::getString(ctx, s));
  }
  llvm::Constant *array(const llvm::Twine &name, llvm::Type *element,
                        llvm::ArrayRef<llvm::Constant *> items) {
    if (items.empty())
      return llvm::ConstantPointerNull::get(ptr);
    return global(name, llvm::ConstantArray::get(
                            llvm::ArrayType::get(element, items.size()), items));
  }

  llvm::Module &module;
  llvm::LLVMContext &ctx;
  llvm::PointerType *ptr;
  llvm::IntegerType *i32, *i64;
  llvm::Type *f64;
};

} // namespace

void emitModelDescriptor(llvm::Module &module, const ModelDescriptor &model,
                         llvm::StringRef forwardSymbol,
                         llvm::StringRef trainStepSymbol) {
  DescriptorEmitter(module).emit(model, forwardSymbol, trainStepSymbol);
}

} // namespace cnnc
