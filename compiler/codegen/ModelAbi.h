//===- ModelAbi.h - model_abi.h's structs and signatures in LLVM -*- C++ -*-===//
//
// The model ABI is written once, in runtime/include/cnnrt/model_abi.h (and
// cnnrt.h's cnnrt_tensor_desc and cnnrt_init_spec): each struct the compiler
// emits is declared there from a field list, CNNRT_<NAME>_FIELDS, and the
// entry points are function-pointer typedefs. This header reads both through
// the C declarations themselves:
//
//   - abi::structType<S>: S's LLVM struct type, a field per entry of S's
//     list, each of the LLVM type of its C type (decltype).
//   - abi::Fields<S>: one llvm::Constant per field, set by the C field's
//     name; abi::constant checks that every field has one, of its type.
//   - abi::functionType<Fn>: the LLVM type of a function-pointer typedef.
//   - abi::checkLayout: every struct's size and field offsets under a data
//     layout against sizeof/offsetof of the C struct.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_MODELABI_H
#define CNNC_CODEGEN_MODELABI_H

#include "cnnrt/model_abi.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

namespace cnnc::abi {

/// A struct's field: its name, its offset in the C struct (the C compiler's
/// layout of the host, the runtime's), and its LLVM type.
struct Field {
  const char *name;
  size_t offset;
  llvm::Type *(*type)(llvm::LLVMContext &);
};

/// The C structs cnnc emits: Struct<S> exists for each (below).
template <class S> struct Struct;

/// The LLVM type of a C type of the ABI: int32_t i32, int64_t i64, float,
/// double, any pointer (data or function) ptr, T[n] an array, a struct of
/// the ABI its struct type.
template <class T> llvm::Type *llvmType(llvm::LLVMContext &ctx) {
  if constexpr (std::is_pointer_v<T>)
    return llvm::PointerType::getUnqual(ctx);
  else if constexpr (std::is_array_v<T>)
    return llvm::ArrayType::get(llvmType<std::remove_extent_t<T>>(ctx),
                                std::extent_v<T>);
  else if constexpr (std::is_void_v<T>)
    return llvm::Type::getVoidTy(ctx);
  else if constexpr (std::is_same_v<T, int32_t>)
    return llvm::Type::getInt32Ty(ctx);
  else if constexpr (std::is_same_v<T, int64_t>)
    return llvm::Type::getInt64Ty(ctx);
  else if constexpr (std::is_same_v<T, float>)
    return llvm::Type::getFloatTy(ctx);
  else if constexpr (std::is_same_v<T, double>)
    return llvm::Type::getDoubleTy(ctx);
  else
    return Struct<T>::type(ctx);
}

/// The LLVM type of `Fn`, a function-pointer typedef of model_abi.h.
template <class Fn> struct FunctionTypeOf;
template <class R, class... A> struct FunctionTypeOf<R (*)(A...)> {
  static llvm::FunctionType *get(llvm::LLVMContext &ctx) {
    return llvm::FunctionType::get(llvmType<R>(ctx), {llvmType<A>(ctx)...},
                                   /*isVarArg=*/false);
  }
};
template <class Fn> llvm::FunctionType *functionType(llvm::LLVMContext &ctx) {
  return FunctionTypeOf<Fn>::get(ctx);
}

template <class S> llvm::StructType *structType(llvm::LLVMContext &ctx) {
  llvm::SmallVector<llvm::Type *> elements;
  for (const Field &field : Struct<S>::fields())
    elements.push_back(field.type(ctx));
  return llvm::StructType::get(ctx, elements);
}

/// The values of one S, by field name: `Fields<cnnrt_train_slot> s;
/// s.tensor = ...; s.grad_offset = ...;`.
template <class S> using Fields = typename Struct<S>::Values;

/// The constant S of `values`, or the reason it cannot be: a field without
/// a value, or with a value of another type than its C type's.
template <class S>
llvm::Expected<llvm::Constant *> constant(llvm::LLVMContext &ctx,
                                          const Fields<S> &values) {
  llvm::StructType *type = structType<S>(ctx);
  llvm::SmallVector<llvm::Constant *> elements = Struct<S>::values(values);
  for (auto [index, field] : llvm::enumerate(Struct<S>::fields())) {
    llvm::Constant *element = elements[index];
    if (!element)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "%s.%s has no value", Struct<S>::name,
                                     field.name);
    if (element->getType() != type->getElementType(index)) {
      std::string got, want;
      llvm::raw_string_ostream(got) << *element->getType();
      llvm::raw_string_ostream(want) << *type->getElementType(index);
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(), "%s.%s is given a %s, not a %s",
          Struct<S>::name, field.name, got.c_str(), want.c_str());
    }
  }
  return llvm::ConstantStruct::get(type, elements);
}

/// Whether the LLVM struct types of the ABI have, under `layout`, the sizes,
/// alignments and field offsets of the C structs.
llvm::Error checkLayout(llvm::LLVMContext &ctx, const llvm::DataLayout &layout);

//===----------------------------------------------------------------------===//
// The structs, from their field lists
//===----------------------------------------------------------------------===//

#define CNNC_ABI_FIELD(type, name)                                            \
  Field{#name, offsetof(C, name), &llvmType<decltype(C::name)>},
#define CNNC_ABI_ARRAY(type, name, count) CNNC_ABI_FIELD(type, name)
#define CNNC_ABI_VALUE(type, name) llvm::Constant *name = nullptr;
#define CNNC_ABI_ARRAY_VALUE(type, name, count) CNNC_ABI_VALUE(type, name)
#define CNNC_ABI_GET(type, name) values.name,
#define CNNC_ABI_ARRAY_GET(type, name, count) CNNC_ABI_GET(type, name)

#define CNNC_ABI_STRUCT(S, FIELDS)                                            \
  template <> struct Struct<S> {                                              \
    using C = S;                                                              \
    static constexpr const char *name = #S;                                   \
    struct Values {                                                           \
      FIELDS(CNNC_ABI_VALUE, CNNC_ABI_ARRAY_VALUE)                            \
    };                                                                        \
    static llvm::SmallVector<Field> fields() {                                \
      return {FIELDS(CNNC_ABI_FIELD, CNNC_ABI_ARRAY)};                        \
    }                                                                         \
    static llvm::SmallVector<llvm::Constant *> values(const Values &values) { \
      return {FIELDS(CNNC_ABI_GET, CNNC_ABI_ARRAY_GET)};                      \
    }                                                                         \
    static llvm::StructType *type(llvm::LLVMContext &ctx) {                   \
      return structType<S>(ctx);                                              \
    }                                                                         \
  };

CNNC_ABI_STRUCT(cnnrt_tensor_desc, CNNRT_TENSOR_DESC_FIELDS)
CNNC_ABI_STRUCT(cnnrt_init_spec, CNNRT_INIT_SPEC_FIELDS)
CNNC_ABI_STRUCT(cnnrt_model_tensor, CNNRT_MODEL_TENSOR_FIELDS)
CNNC_ABI_STRUCT(cnnrt_model_hyperparam, CNNRT_MODEL_HYPERPARAM_FIELDS)
CNNC_ABI_STRUCT(cnnrt_train_config, CNNRT_TRAIN_CONFIG_FIELDS)
CNNC_ABI_STRUCT(cnnrt_train_slot, CNNRT_TRAIN_SLOT_FIELDS)
CNNC_ABI_STRUCT(cnnrt_dropout_site, CNNRT_DROPOUT_SITE_FIELDS)
CNNC_ABI_STRUCT(cnnrt_model, CNNRT_MODEL_FIELDS)
CNNC_ABI_STRUCT(cnnrt_train_scalars, CNNRT_TRAIN_SCALARS_FIELDS)

#undef CNNC_ABI_STRUCT
#undef CNNC_ABI_ARRAY_GET
#undef CNNC_ABI_GET
#undef CNNC_ABI_ARRAY_VALUE
#undef CNNC_ABI_VALUE
#undef CNNC_ABI_ARRAY
#undef CNNC_ABI_FIELD

} // namespace cnnc::abi

#endif // CNNC_CODEGEN_MODELABI_H
