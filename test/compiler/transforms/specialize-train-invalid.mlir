// RUN: cnnc-opt %s -split-input-file -cnn-specialize-train -verify-diagnostics

// expected-error @+1 {{cannot specialise for training: the module is already specialised for eval}}
module attributes {cnn.mode = "eval"} {
}

// -----

func.func @sites(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-note @+1 {{the first use is here}}
  %0 = cnn.dropout %x p 0.5 site 2 : tensor<?x4xf32>
  // expected-error @+1 {{'cnn.dropout' op reuses dropout site 2}}
  %1 = cnn.dropout %0 p 0.5 site 2 : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}
