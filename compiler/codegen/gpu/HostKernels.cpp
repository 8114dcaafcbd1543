//===- HostKernels.cpp - NVVM kernels copied to run on the host -----------===//

#include "codegen/gpu/Passes.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/StringSwitch.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUHOSTKERNELS
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

/// The special registers a kernel reads, in the order the copy takes them
/// as extra arguments: thread, block, block size, grid size; x, y, z.
int registerIndex(StringRef opName) {
  return llvm::StringSwitch<int>(opName)
      .Case("nvvm.read.ptx.sreg.tid.x", 0)
      .Case("nvvm.read.ptx.sreg.tid.y", 1)
      .Case("nvvm.read.ptx.sreg.tid.z", 2)
      .Case("nvvm.read.ptx.sreg.ctaid.x", 3)
      .Case("nvvm.read.ptx.sreg.ctaid.y", 4)
      .Case("nvvm.read.ptx.sreg.ctaid.z", 5)
      .Case("nvvm.read.ptx.sreg.ntid.x", 6)
      .Case("nvvm.read.ptx.sreg.ntid.y", 7)
      .Case("nvvm.read.ptx.sreg.ntid.z", 8)
      .Case("nvvm.read.ptx.sreg.nctaid.x", 9)
      .Case("nvvm.read.ptx.sreg.nctaid.y", 10)
      .Case("nvvm.read.ptx.sreg.nctaid.z", 11)
      .Default(-1);
}
constexpr int kRegisters = 12;

struct GpuHostKernels : impl::GpuHostKernelsBase<GpuHostKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    Type i32 = IntegerType::get(ctx, 32);
    SmallVector<LLVM::LLVMFuncOp> kernels;
    for (auto kernelModule : module.getOps<mlir::gpu::GPUModuleOp>())
      for (auto fn : kernelModule.getOps<LLVM::LLVMFuncOp>())
        if (fn->hasAttr(NVVM::NVVMDialect::getKernelFuncAttrName()))
          kernels.push_back(fn);

    OpBuilder b(ctx);
    for (LLVM::LLVMFuncOp kernel : kernels) {
      Location loc = kernel.getLoc();
      // The body, registers as arguments.
      b.setInsertionPointToEnd(module.getBody());
      auto body = cast<LLVM::LLVMFuncOp>(b.clone(*kernel));
      body.setName(("cnn_host_kernel_" + kernel.getName()).str());
      body.setLinkage(LLVM::Linkage::Internal);
      for (NamedAttribute attr : llvm::to_vector(body->getDiscardableAttrs()))
        body->removeDiscardableAttr(attr.getName());
      Block &entry = body.getBody().front();
      SmallVector<Type> params(kernel.getFunctionType().getParams());
      unsigned first = entry.getNumArguments();
      for (int i = 0; i < kRegisters; ++i) {
        entry.addArgument(i32, loc);
        params.push_back(i32);
      }
      body.setFunctionType(LLVM::LLVMFunctionType::get(
          LLVM::LLVMVoidType::get(ctx), params));
      // The kernel's argument attributes (noalias, ...) stay; the registers
      // have none.
      if (ArrayAttr argAttrs = body.getArgAttrsAttr()) {
        SmallVector<Attribute> extended(argAttrs.begin(), argAttrs.end());
        extended.append(kRegisters, DictionaryAttr::get(ctx));
        body.setArgAttrsAttr(ArrayAttr::get(ctx, extended));
      }
      bool unknown = false;
      body.walk([&](Operation *op) {
        if (op->getDialect() != ctx->getLoadedDialect<NVVM::NVVMDialect>())
          return;
        int index = registerIndex(op->getName().getStringRef());
        if (index < 0 || op->getNumResults() != 1 ||
            op->getResult(0).getType() != i32) {
          op->emitError("no host version of this NVVM op");
          unknown = true;
          return;
        }
        op->getResult(0).replaceAllUsesWith(entry.getArgument(first + index));
        op->erase();
      });
      if (unknown)
        return signalPassFailure();

      // cnnrt_fake_kernel_NAME(grid, block, params): loops over the grid
      // and block, blocks outermost.
      auto wrapper = b.create<func::FuncOp>(
          loc, ("cnnrt_fake_kernel_" + kernel.getName()).str(),
          b.getFunctionType({ptr, ptr, ptr}, {}));
      Block *block = wrapper.addEntryBlock();
      OpBuilder w = OpBuilder::atBlockBegin(block);
      Value gridPtr = block->getArgument(0), blockPtr = block->getArgument(1),
            paramPtr = block->getArgument(2);
      auto loadAt = [&](Value base, Type element, Type loaded, int64_t i) {
        Value at = w.create<LLVM::GEPOp>(loc, ptr, element, base,
                                         ArrayRef<LLVM::GEPArg>{int32_t(i)});
        return w.create<LLVM::LoadOp>(loc, loaded, at).getResult();
      };
      SmallVector<Value> args;
      for (auto [i, type] :
           llvm::enumerate(kernel.getFunctionType().getParams()))
        args.push_back(loadAt(loadAt(paramPtr, ptr, ptr, i), type, type, 0));
      Value dims[6]; // grid x, y, z; block x, y, z
      for (int i = 0; i < 3; ++i) {
        dims[i] = loadAt(gridPtr, i32, i32, i);
        dims[3 + i] = loadAt(blockPtr, i32, i32, i);
      }
      Value zero = w.create<arith::ConstantIndexOp>(loc, 0);
      Value one = w.create<arith::ConstantIndexOp>(loc, 1);
      // Loop order: block z, y, x, thread z, y, x; ids[k] is the register
      // argument index of each loop's variable.
      const int loopDims[6] = {2, 1, 0, 5, 4, 3};
      const int registerOf[6] = {5, 4, 3, 2, 1, 0};
      Value ids[6];
      for (int l = 0; l < 6; ++l) {
        Value bound = w.create<arith::IndexCastUIOp>(loc, w.getIndexType(),
                                                     dims[loopDims[l]]);
        auto loop = w.create<scf::ForOp>(loc, zero, bound, one);
        w.setInsertionPoint(loop.getBody()->getTerminator());
        ids[l] = w.create<arith::IndexCastUIOp>(loc, i32,
                                                loop.getInductionVar());
      }
      SmallVector<Value> registers(kRegisters);
      for (int l = 0; l < 6; ++l)
        registers[registerOf[l]] = ids[l];
      for (int i = 0; i < 3; ++i) {
        registers[6 + i] = dims[3 + i];
        registers[9 + i] = dims[i];
      }
      args.append(registers);
      w.create<LLVM::CallOp>(loc, body, args);
      OpBuilder::atBlockEnd(block).create<func::ReturnOp>(loc);
    }
  }
};

} // namespace
} // namespace cnnc::gpu
