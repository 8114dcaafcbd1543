//===- Main.cpp - main() of every compiled model --------------------------===//
//
// The one definition that ties the library to the model object: cnnc emits
// `cnnc_model` (model_abi.h) and links this archive, whose main() is pulled
// in by the C runtime's reference to it.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

int main(int argc, char **argv) {
  return cnnrt::cli::runMain(cnnc_model, argc, argv);
}
