//===- CnnDialect.td - the cnn dialect ---------------------*- tablegen -*-===//
//
// The `cnn` dialect: a convolutional network as one graph of tensor ops on
// NCHW f32 tensors with a dynamic batch dimension, its parameters and buffers
// as module-level symbols named by their PyTorch state_dict names.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_DIALECT_TD
#define CNN_DIALECT_TD

include "mlir/IR/OpBase.td"

def Cnn_Dialect : Dialect {
  let name = "cnn";
  let cppNamespace = "::cnn";
  let summary = "Convolutional networks of the regularization lecture";
  let description = [{
    Ops carry value semantics on ranked f32 tensors. Activations are NCHW
    (or NxF after flatten) with a dynamic batch dimension; parameters and
    buffers are `cnn.param` symbols read with `cnn.read`.
  }];
  // Initializers, optimizers and penalties are AttrDefs with declarative
  // formats; the dialect parses and prints them by mnemonic.
  let useDefaultAttributePrinterParser = 1;
  // Canonicalization may fold a gradient to a constant (arith.constant).
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class Cnn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Cnn_Dialect, mnemonic, traits>;

#endif // CNN_DIALECT_TD
