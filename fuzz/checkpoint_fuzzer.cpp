//===- checkpoint_fuzzer.cpp - `train --resume`'s metadata on arbitrary bytes
//
// The bytes as a training checkpoint: decoded as safetensors, then its
// metadata read as `train --resume` reads it: where training stands (epoch,
// step, first_step) and the recorded flags, each through `train`'s own flag
// parsers. Errors (cnnrt::Error) are expected; a crash or a sanitizer report
// is a bug, and so is an accepted value the command line refuses.
//
//===----------------------------------------------------------------------===//
#include "CommandLine.h"
#include "TrainCheckpoint.h"
#include "TrainPlan.h"

#include "cnnrt/Error.h"
#include "cnnrt/Safetensors.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

using namespace cnnrt;
using namespace cnnrt::cli;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  try {
    SafetensorsFile file = decodeSafetensors(
        std::vector<std::uint8_t>(data, data + size), "fuzz.safetensors");
    TrainProgressState state = readProgress(file.metadata, "fuzz.safetensors");
    if (state.epoch < 0 || state.step < 0)
      std::abort();
    TrainFlags f;
    f.sgd.lr = 0.01; // as a model's train { } section would (lr > 0)
    CommandLine cl("fuzz", "train", "");
    addTrainFlags(cl, f);
    applyResumeDefaults(cl, file.metadata, "fuzz.safetensors", f);
    // What the flags' ranges promise the trainer.
    if (f.epochs < 1 || f.batchSize < 1 || f.batchSize > (1 << 20) ||
        !(f.sgd.lr > 0) || f.sgd.momentum < 0 || f.sgd.weightDecay < 0 ||
        f.sgd.l1 < 0 || f.sgd.l2 < 0 || f.data.limit < 0)
      std::abort();
  } catch (const Error &) {
  }
  return 0;
}
