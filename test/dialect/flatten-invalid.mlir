// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @rank(%x: tensor<?xf32>) {
  // expected-error @+1 {{'cnn.flatten' op expects a [N, d1, ...] input, got 'tensor<?xf32>'}}
  %0 = cnn.flatten %x : tensor<?xf32> -> tensor<?xf32>
  return
}

// -----

func.func @result(%x: tensor<?x8x8x8xf32>) {
  // expected-error @+1 {{'cnn.flatten' op result type 'tensor<?x392xf32>' does not match the inferred 'tensor<?x512xf32>'}}
  %0 = cnn.flatten %x : tensor<?x8x8x8xf32> -> tensor<?x392xf32>
  return
}
