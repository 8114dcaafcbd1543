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
  // The compiled code mallocs its temporaries (megabytes each, hundreds of
  // megabytes for a 100-block network's saved activations) on every call.
  // glibc would serve them with mmap and return them on free, so each
  // training step would fault every page in again (a quarter of a step's
  // time); from the heap, and never trimmed, they are reused warm. No mmap
  // at all: M_MMAP_THRESHOLD stops at 32 MB, and larger blocks would still
  // be mapped afresh every step (NetResDeep at 100 blocks: 118,000 page
  // faults a step, 20-40% of it).
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, -1);
  return cnnrt::cli::runMain(cnnc_model, argc, argv);
}
