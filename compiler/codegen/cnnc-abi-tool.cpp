//===- cnnc-abi-tool.cpp - model_abi.h as cnnc emits it -------------------===//
//
// Prints the LLVM types cnnc gives model_abi.h's structs and entry points
// (ModelAbi.h, from the C declarations) and checks their layout against the
// C structs' (sizeof, offsetof), under the host's data layout (cnnc's
// target) or --data-layout's: the check cnnc makes before it emits a
// descriptor. --check-fields shows what it says of a struct whose constant
// lacks a field or gives one a value of another type.
//
//===----------------------------------------------------------------------===//
#include "codegen/ModelAbi.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <memory>
#include <optional>

using namespace llvm;
using namespace cnnc;

namespace {
cl::opt<std::string> dataLayout(
    "data-layout",
    cl::desc("The data layout to check (default: the host's, as cnnc's)"),
    cl::value_desc("layout"));
cl::opt<bool> checkFields("check-fields",
                          cl::desc("Build constants with a missing and a "
                                   "mistyped field and print the errors"));

template <class S> void printStruct(LLVMContext &ctx, const char *name) {
  outs() << name << " = " << *abi::structType<S>(ctx) << "\n";
}

/// The host's data layout, from the target machine cnnc would create.
std::optional<DataLayout> hostLayout() {
  InitializeNativeTarget();
  Triple triple(sys::getProcessTriple());
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    errs() << "cnnc-abi-tool: " << error << "\n";
    return std::nullopt;
  }
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      triple, "generic", "", TargetOptions(), std::nullopt));
  return machine->createDataLayout();
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "model_abi.h as cnnc emits it\n");
  LLVMContext ctx;

  if (checkFields) {
    abi::Fields<cnnrt_train_slot> slot;
    slot.tensor = ConstantInt::get(Type::getInt64Ty(ctx), 0);
    slot.grad_offset = ConstantInt::get(Type::getInt64Ty(ctx), 64);
    outs() << toString(abi::constant<cnnrt_train_slot>(ctx, slot).takeError())
           << "\n";
    slot.momentum_offset = ConstantInt::get(Type::getInt64Ty(ctx), 128);
    slot.tensor = ConstantInt::get(Type::getInt32Ty(ctx), 0);
    outs() << toString(abi::constant<cnnrt_train_slot>(ctx, slot).takeError())
           << "\n";
    slot.tensor = ConstantInt::get(Type::getInt64Ty(ctx), 0);
    Expected<Constant *> value = abi::constant<cnnrt_train_slot>(ctx, slot);
    if (!value)
      return outs() << toString(value.takeError()) << "\n", 1;
    outs() << **value << "\n";
    return 0;
  }

  printStruct<cnnrt_tensor_desc>(ctx, "cnnrt_tensor_desc");
  printStruct<cnnrt_init_spec>(ctx, "cnnrt_init_spec");
  printStruct<cnnrt_model_tensor>(ctx, "cnnrt_model_tensor");
  printStruct<cnnrt_model_hyperparam>(ctx, "cnnrt_model_hyperparam");
  printStruct<cnnrt_train_config>(ctx, "cnnrt_train_config");
  printStruct<cnnrt_train_slot>(ctx, "cnnrt_train_slot");
  printStruct<cnnrt_dropout_site>(ctx, "cnnrt_dropout_site");
  printStruct<cnnrt_model>(ctx, "cnnrt_model");
  printStruct<cnnrt_train_scalars>(ctx, "cnnrt_train_scalars");
  outs() << "cnnrt_forward_fn = "
         << *abi::functionType<cnnrt_forward_fn>(ctx) << "\n"
         << "cnnrt_train_step_fn = "
         << *abi::functionType<cnnrt_train_step_fn>(ctx) << "\n"
         << "cnnrt_train_step_cuda_fn = "
         << *abi::functionType<cnnrt_train_step_cuda_fn>(ctx) << "\n";

  std::optional<DataLayout> layout;
  if (dataLayout.getNumOccurrences())
    layout.emplace(dataLayout);
  else
    layout = hostLayout();
  if (!layout)
    return 1;
  if (Error err = abi::checkLayout(ctx, *layout)) {
    errs() << "cnnc-abi-tool: the layout differs: " << toString(std::move(err))
           << "\n";
    return 1;
  }
  outs() << "layout: model_abi.h's\n";
  return 0;
}
