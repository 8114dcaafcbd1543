// RUN: cnnc-opt %s -cnn-specialize-eval -verify-diagnostics

// A model specialised for training cannot become an eval model.
// expected-error @+1 {{cannot specialise for eval: the module is already specialised for train}}
module attributes {cnn.mode = "train"} {
}
