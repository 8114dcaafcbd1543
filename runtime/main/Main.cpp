//===- Main.cpp - main() of every compiled model --------------------------===//
//
// The one definition that ties the library to the model object: cnnc emits
// `cnnc_model` (model_abi.h) and links this archive, whose main() is pulled
// in by the C runtime's reference to it.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include <malloc.h>

int main(int argc, char **argv) {
  // The compiled code mallocs its temporaries (megabytes each) on every
  // call. glibc would serve them with mmap and return them on free, so each
  // training step would fault every page in again (a quarter of a step's
  // time); from the heap, and never trimmed, they are reused warm.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return cnnrt::cli::runMain(cnnc_model, argc, argv);
}
