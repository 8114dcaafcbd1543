# The compiler's libraries parse the same MLIR headers in every file: about
# 70% of a codegen file's compile time (-fsyntax-only of TileAndFuse.cpp:
# 26-29 s of 33-42 s on a 2-core Zen 1). They are parsed once, into one
# precompiled header that every compiler library reuses; reuse needs the
# same compile flags, which the libraries share (the project's flags only).
# -DCNNC_PRECOMPILED_HEADERS=OFF compiles every file from its own includes.
option(CNNC_PRECOMPILED_HEADERS
       "Precompile the MLIR headers the compiler's libraries share" ON)

set(CNNC_MLIR_HEADERS
  <mlir/Dialect/Affine/IR/AffineOps.h>
  <mlir/Dialect/Arith/IR/Arith.h>
  <mlir/Dialect/Bufferization/IR/Bufferization.h>
  <mlir/Dialect/Func/IR/FuncOps.h>
  <mlir/Dialect/GPU/IR/GPUDialect.h>
  <mlir/Dialect/LLVMIR/LLVMDialect.h>
  <mlir/Dialect/Linalg/IR/Linalg.h>
  <mlir/Dialect/Math/IR/Math.h>
  <mlir/Dialect/MemRef/IR/MemRef.h>
  <mlir/Dialect/SCF/IR/SCF.h>
  <mlir/Dialect/Tensor/IR/Tensor.h>
  <mlir/Dialect/Vector/IR/VectorOps.h>
  <mlir/IR/BuiltinOps.h>
  <mlir/IR/PatternMatch.h>
  <mlir/Pass/Pass.h>
  <mlir/Pass/PassManager.h>
  <mlir/Transforms/DialectConversion.h>
  <mlir/Transforms/GreedyPatternRewriteDriver.h>
)

if(CNNC_PRECOMPILED_HEADERS)
  # The header's own target: an empty file, compiled with the project's flags.
  set(cnnc_pch_source ${CMAKE_BINARY_DIR}/cnnc_mlir_headers.cpp)
  file(CONFIGURE OUTPUT ${cnnc_pch_source}
       CONTENT "// The precompiled MLIR headers' own translation unit.\n")
  add_library(cnnc_mlir_headers OBJECT ${cnnc_pch_source})
  target_precompile_headers(cnnc_mlir_headers PRIVATE ${CNNC_MLIR_HEADERS})
endif()

# `target` compiles with the precompiled MLIR headers (when they are on).
function(cnnc_use_mlir_headers target)
  if(CNNC_PRECOMPILED_HEADERS)
    target_precompile_headers(${target} REUSE_FROM cnnc_mlir_headers)
  endif()
endfunction()
