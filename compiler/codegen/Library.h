//===- Library.h - a model as a static library with a C header --*- C++ -*-===//
//
// --emit=lib packages a model for embedding in another program: an archive
// holding the model's object, whose only exported symbols are
// `<prefix>_infer` and `<prefix>_model`, and a C header describing the
// arena layout. Two models embedded in one program cannot clash.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_LIBRARY_H
#define CNNC_CODEGEN_LIBRARY_H

#include "codegen/ModelDescriptor.h"

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace cnnc {

/// "NetResDeep" -> "net_res_deep": the C prefix of a model's symbols.
std::string libraryPrefix(llvm::StringRef modelName);

/// Adds `void <prefix>_infer(const void *arena, const float *input,
/// int64_t batch, float *logits)`, which wraps the C-interface forward in
/// memref descriptors, renames the descriptor to `<prefix>_model` and hides
/// every other symbol of the module but the kernels' host copies
/// (`cnnrt_fake_kernel_*`, --gpu-host-kernels), which the tests' fake CUDA
/// driver finds with dlsym. forward_cuda stays, internal, referenced from
/// the descriptor.
void addLibraryEntryPoints(llvm::Module &module, const ModelDescriptor &model,
                           llvm::StringRef forwardSymbol);

/// The C header of a library built from `model`; `gpu` when it carries GPU
/// code (--target=cuda), `hostKernels` when also the kernels' host copies.
std::string libraryHeader(const ModelDescriptor &model,
                          llvm::StringRef sourceFile,
                          const GpuCode *gpu = nullptr,
                          bool hostKernels = false);

/// An archive (ar format) of `objects`, the members named <prefix>.o, or
/// <prefix>.0.o, <prefix>.1.o, ... when there are several.
bool writeStaticLibrary(llvm::StringRef path,
                        const std::vector<std::string> &objects,
                        llvm::StringRef prefix, std::string &error);

} // namespace cnnc

#endif // CNNC_CODEGEN_LIBRARY_H
