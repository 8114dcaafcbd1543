//===- ModelDescriptor.cpp - the model as the runtime sees it -------------===//
#include "codegen/ModelDescriptor.h"

#include "analysis/Flops.h"
#include "codegen/CpuFeatures.h"
#include "codegen/ModelAbi.h"
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

// The dialect's penalty kinds are the descriptor's CNNRT_PENALTY_*.
static_assert(int(cnn::PenaltyKind::none) == CNNRT_PENALTY_NONE &&
              int(cnn::PenaltyKind::l1) == CNNRT_PENALTY_L1 &&
              int(cnn::PenaltyKind::l2) == CNNRT_PENALTY_L2);

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
        t.initKind = CNNRT_INIT_UNIFORM;
        t.initA = u.getLow().convertToDouble();
        t.initB = u.getHigh().convertToDouble();
      } else if (auto n = dyn_cast<cnn::NormalAttr>(init)) {
        t.initKind = CNNRT_INIT_NORMAL;
        t.initA = n.getMean().convertToDouble();
        t.initB = n.getStd().convertToDouble();
      } else if (auto c = dyn_cast<cnn::ConstantAttr>(init)) {
        t.initKind = CNNRT_INIT_CONSTANT;
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

/// Builds the constants of model_abi.h's structs (abi::Fields, by field
/// name): LLVM's natural struct layout on the target's data layout is the C
/// compiler's, as abi::checkLayout checks.
class DescriptorEmitter {
public:
  explicit DescriptorEmitter(llvm::Module &module)
      : module(module), ctx(module.getContext()),
        ptr(llvm::PointerType::getUnqual(ctx)), i32(llvm::Type::getInt32Ty(ctx)),
        i64(llvm::Type::getInt64Ty(ctx)), f64(llvm::Type::getDoubleTy(ctx)) {}

  llvm::Error emit(const ModelDescriptor &model, llvm::StringRef forwardSymbol,
                   llvm::StringRef trainStepSymbol, const GpuCode *gpu) {
    if (llvm::Error err = abi::checkLayout(ctx, module.getDataLayout()))
      return err;
    auto *tensorTy = abi::structType<cnnrt_model_tensor>(ctx);
    std::vector<llvm::Constant *> tensors;
    for (const TensorEntry &t : model.tensors) {
      std::vector<llvm::Constant *> dims;
      for (int64_t d : t.shape)
        dims.push_back(llvm::ConstantInt::get(i64, d));
      abi::Fields<cnnrt_tensor_desc> desc;
      desc.shape = dims.empty()
                       ? llvm::ConstantPointerNull::get(ptr)
                       : global("cnnc.shape." + t.name,
                                llvm::ConstantArray::get(
                                    llvm::ArrayType::get(i64, dims.size()), dims));
      desc.name = string(t.name);
      desc.dtype = int32(t.isInteger ? CNNRT_I64 : CNNRT_F32);
      desc.role = int32(t.isBuffer ? CNNRT_BUFFER : CNNRT_PARAMETER);
      desc.rank = int32(t.shape.size());
      abi::Fields<cnnrt_init_spec> init;
      init.kind = int32(t.initKind);
      init.a = real(t.initA);
      init.b = real(t.initB);
      std::vector<llvm::Constant *> aliases;
      for (const std::string &alias : t.aliases)
        aliases.push_back(string(alias));
      abi::Fields<cnnrt_model_tensor> tensor;
      tensor.desc = constant<cnnrt_tensor_desc>(desc);
      tensor.offset = int64(t.offset);
      tensor.init = constant<cnnrt_init_spec>(init);
      tensor.num_aliases = int64(aliases.size());
      tensor.aliases = array("cnnc.aliases." + t.name, ptr, aliases);
      tensors.push_back(constant<cnnrt_model_tensor>(tensor));
    }
    llvm::Constant *tensorTable = array("cnnc.tensors", tensorTy, tensors);

    std::vector<llvm::Constant *> hyper;
    for (const auto &[name, value] : model.hyperparams) {
      abi::Fields<cnnrt_model_hyperparam> h;
      h.name = string(name);
      h.value = string(value);
      hyper.push_back(constant<cnnrt_model_hyperparam>(h));
    }
    llvm::Constant *hyperTable =
        array("cnnc.hyperparams",
              abi::structType<cnnrt_model_hyperparam>(ctx), hyper);

    abi::Fields<cnnrt_train_config> train;
    train.lr = real(model.lr);
    train.momentum = real(model.momentum);
    train.dampening = real(model.dampening);
    train.weight_decay = real(model.weightDecay);
    train.nesterov = int32(model.nesterov ? 1 : 0);
    train.penalty = int32(model.penalty);
    train.penalty_strength = real(model.penaltyStrength);
    train.epochs = int64(model.epochs);
    train.batch_size = int64(model.batchSize);
    train.seed = int64(model.seed);

    llvm::Constant *forward =
        entryPoint<cnnrt_forward_fn>(forwardSymbol, "cnnrt_forward_fn");
    llvm::Constant *trainStep = llvm::ConstantPointerNull::get(ptr);
    if (!trainStepSymbol.empty())
      trainStep = entryPoint<cnnrt_train_step_fn>(trainStepSymbol,
                                                  "cnnrt_train_step_fn");
    std::vector<llvm::Constant *> slots;
    for (const TrainSlot &s : model.trainSlots) {
      abi::Fields<cnnrt_train_slot> slot;
      slot.tensor = int64(s.tensor);
      slot.grad_offset = int64(s.gradOffset);
      slot.momentum_offset = int64(s.momentumOffset);
      slots.push_back(constant<cnnrt_train_slot>(slot));
    }
    std::vector<llvm::Constant *> sites;
    int64_t maskElems = 0;
    for (const DropoutSite &s : model.dropoutSites) {
      abi::Fields<cnnrt_dropout_site> site;
      site.name = string(s.name);
      site.p = real(s.p);
      site.channelwise = int32(s.channelwise ? 1 : 0);
      site.elems_per_sample = int64(s.elemsPerSample);
      sites.push_back(constant<cnnrt_dropout_site>(site));
      maskElems += s.elemsPerSample;
    }

    // What the code needs of the CPU, from its functions' target-cpu and
    // target-features (the target machine's).
    CpuRequirements cpu = cpuRequirements(module);

    abi::Fields<cnnrt_model> m;
    m.abi_version = int32(CNNRT_MODEL_ABI_VERSION);
    m.name = string(model.name);
    m.num_hyperparams = int64(model.hyperparams.size());
    m.hyperparams = hyperTable;
    m.input_shape = llvm::ConstantArray::get(
        llvm::ArrayType::get(i64, 3),
        {int64(model.inputShape[0]), int64(model.inputShape[1]),
         int64(model.inputShape[2])});
    m.num_classes = int64(model.numClasses);
    m.num_tensors = int64(model.tensors.size());
    m.tensors = tensorTable;
    m.arena_bytes = int64(model.arenaBytes);
    m.flops_per_sample = int64(model.flopsPerSample);
    m.train = constant<cnnrt_train_config>(train);
    m.forward = forward;
    m.train_step = trainStep;
    m.train_arena_bytes = int64(model.trainArenaBytes);
    m.num_train_slots = int64(slots.size());
    m.train_slots = array("cnnc.train_slots",
                          abi::structType<cnnrt_train_slot>(ctx), slots);
    m.num_dropout_sites = int64(sites.size());
    m.dropout_sites = array("cnnc.dropout_sites",
                            abi::structType<cnnrt_dropout_site>(ctx), sites);
    m.mask_elems_per_sample = int64(maskElems);
    m.target_cpu = string(cpu.cpu);
    m.target_features = string(cpu.features);
    llvm::Constant *null = llvm::ConstantPointerNull::get(ptr);
    m.forward_cuda = m.gpu_arch = m.gpu_ptx = m.gpu_kernel_names = null;
    m.train_step_cuda = null;
    m.gpu_num_kernels = int64(0);
    if (gpu) {
      m.forward_cuda = entryPoint<cnnrt_forward_fn>(gpu->forwardSymbol,
                                                    "cnnrt_forward_fn");
      m.gpu_arch = string(gpu->arch);
      m.gpu_ptx = string(gpu->ptx);
      m.gpu_num_kernels = int64(gpu->kernelNames.size());
      std::vector<llvm::Constant *> names;
      for (const std::string &name : gpu->kernelNames)
        names.push_back(string(name));
      m.gpu_kernel_names = array("cnnc.gpu_kernel_names", ptr, names);
      if (!gpu->trainStepSymbol.empty())
        m.train_step_cuda = entryPoint<cnnrt_train_step_cuda_fn>(
            gpu->trainStepSymbol, "cnnrt_train_step_cuda_fn");
    }
    llvm::Constant *value = constant<cnnrt_model>(m);
    if (error)
      return std::move(error);
    new llvm::GlobalVariable(module, value->getType(), /*isConstant=*/true,
                             llvm::GlobalValue::ExternalLinkage, value,
                             "cnnc_model");
    return llvm::Error::success();
  }

private:
  llvm::Constant *int32(int64_t v) { return llvm::ConstantInt::get(i32, v); }
  llvm::Constant *int64(int64_t v) { return llvm::ConstantInt::get(i64, v); }
  llvm::Constant *real(double v) { return llvm::ConstantFP::get(f64, v); }

  /// abi::constant, keeping the first error for emit to return.
  template <class S> llvm::Constant *constant(const abi::Fields<S> &fields) {
    llvm::Expected<llvm::Constant *> value = abi::constant<S>(ctx, fields);
    if (value)
      return *value;
    error = llvm::joinErrors(std::move(error), value.takeError());
    return llvm::UndefValue::get(abi::structType<S>(ctx));
  }

  /// The function `symbol`, declared with Fn's type if absent; an error if
  /// the code defines it with another type.
  template <class Fn>
  llvm::Constant *entryPoint(llvm::StringRef symbol, llvm::StringRef fnName) {
    llvm::FunctionType *type = abi::functionType<Fn>(ctx);
    llvm::Function *fn = module.getFunction(symbol);
    if (fn && fn->getFunctionType() != type) {
      std::string got, want;
      llvm::raw_string_ostream(got) << *fn->getFunctionType();
      llvm::raw_string_ostream(want) << *type;
      error = llvm::joinErrors(
          std::move(error),
          llvm::createStringError(llvm::inconvertibleErrorCode(),
                                  "%s has type %s, model_abi.h's %s %s",
                                  symbol.str().c_str(), got.c_str(),
                                  fnName.str().c_str(), want.c_str()));
    }
    return llvm::cast<llvm::Constant>(
        module.getOrInsertFunction(symbol, type).getCallee());
  }

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
  llvm::Error error = llvm::Error::success();
};

} // namespace

llvm::Error emitModelDescriptor(llvm::Module &module,
                                const ModelDescriptor &model,
                                llvm::StringRef forwardSymbol,
                                llvm::StringRef trainStepSymbol,
                                const GpuCode *gpu) {
  if (llvm::Error err = DescriptorEmitter(module).emit(model, forwardSymbol,
                                                      trainStepSymbol, gpu))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "internal error: the model descriptor "
                                   "does not follow model_abi.h: " +
                                       llvm::toString(std::move(err)));
  return llvm::Error::success();
}

} // namespace cnnc
