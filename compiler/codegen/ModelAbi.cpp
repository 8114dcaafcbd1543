//===- ModelAbi.cpp - model_abi.h's structs and signatures in LLVM --------===//
#include "codegen/ModelAbi.h"

namespace cnnc::abi {

/// S's LLVM layout under `layout` against the C compiler's (the runtime's).
template <class S>
static llvm::Error checkStruct(llvm::LLVMContext &ctx,
                               const llvm::DataLayout &layout) {
  auto error = [](const llvm::Twine &what, uint64_t inC, uint64_t inLLVM) {
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "%s: %s is %llu in model_abi.h (the runtime's layout), %llu in the "
        "target's",
        Struct<S>::name, what.str().c_str(), (unsigned long long)inC,
        (unsigned long long)inLLVM);
  };
  const llvm::StructLayout *llvmLayout =
      layout.getStructLayout(structType<S>(ctx));
  for (auto [index, field] : llvm::enumerate(Struct<S>::fields()))
    if (uint64_t offset = llvmLayout->getElementOffset(index);
        offset != field.offset)
      return error(llvm::Twine("the offset of ") + field.name, field.offset,
                   offset);
  if (llvmLayout->getSizeInBytes() != sizeof(S))
    return error("the size", sizeof(S), llvmLayout->getSizeInBytes());
  if (llvmLayout->getAlignment().value() != alignof(S))
    return error("the alignment", alignof(S),
                 llvmLayout->getAlignment().value());
  return llvm::Error::success();
}

llvm::Error checkLayout(llvm::LLVMContext &ctx,
                        const llvm::DataLayout &layout) {
  for (auto check :
       {&checkStruct<cnnrt_tensor_desc>, &checkStruct<cnnrt_init_spec>,
        &checkStruct<cnnrt_model_tensor>, &checkStruct<cnnrt_model_hyperparam>,
        &checkStruct<cnnrt_train_config>, &checkStruct<cnnrt_train_slot>,
        &checkStruct<cnnrt_dropout_site>, &checkStruct<cnnrt_model>,
        &checkStruct<cnnrt_train_scalars>})
    if (llvm::Error err = check(ctx, layout))
      return err;
  return llvm::Error::success();
}

} // namespace cnnc::abi
