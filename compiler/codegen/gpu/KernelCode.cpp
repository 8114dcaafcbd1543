//===- KernelCode.cpp - the PTX a GPU pipeline produced -------------------===//

#include "codegen/gpu/KernelCode.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace cnnc::gpu {

FailureOr<std::string> binaryPtx(ModuleOp module) {
  std::string ptx;
  for (auto binary : module.getOps<mlir::gpu::BinaryOp>())
    for (Attribute attr : binary.getObjects()) {
      auto object = dyn_cast<mlir::gpu::ObjectAttr>(attr);
      if (!object ||
          object.getFormat() != mlir::gpu::CompilationTarget::Assembly)
        return module.emitError("expected the kernels as PTX");
      ptx += object.getObject().getValue();
    }
  if (ptx.empty())
    return module.emitError("no kernels: the module has no gpu.binary");
  return ptx;
}

FailureOr<KernelCode> takeKernelCode(ModuleOp module) {
  auto ptx = module->getAttrOfType<StringAttr>("cnn.gpu_ptx");
  auto arch = module->getAttrOfType<StringAttr>("cnn.gpu_arch");
  auto names = module->getAttrOfType<ArrayAttr>("cnn.gpu_kernels");
  if (!ptx || !arch)
    return module.emitError("no kernel code on the host module");
  KernelCode code;
  code.ptx = ptx.getValue().str();
  code.arch = arch.getValue().str();
  if (names)
    for (Attribute name : names)
      code.kernelNames.push_back(cast<StringAttr>(name).getValue().str());
  module->removeAttr("cnn.gpu_ptx");
  module->removeAttr("cnn.gpu_arch");
  module->removeAttr("cnn.gpu_kernels");
  return code;
}

} // namespace cnnc::gpu
