//===- InferCommand.cpp - `infer`: logits for a batch from a file ---------===//

#include "Commands.h"
#include "Device.h"
#include "Model.h"
#include "Options.h"

#include "cnnrt/Error.h"
#include "cnnrt/Safetensors.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace cnnrt::cli {

int runInfer(const CommandContext &ctx, const Args &args) {
  Model model(ctx.model);
  WeightOptions weights;
  std::string inputPath, outputPath;
  std::int64_t batchSize = 0, threads = 0;
  std::string device;
  CommandLine cl(ctx.program, "infer",
                 "Runs the model (eval mode) on the tensor 'input' [N, C, H, "
                 "W] (F32) of a safetensors file, as given (no "
                 "normalisation), and writes the tensor 'logits' [N, K] (F32) "
                 "to another, atomically.");
  addWeightOptions(cl, weights, model);
  cl.string("input", "IN", "safetensors file holding 'input' [N, C, H, W]",
            inputPath);
  cl.string("output", "OUT", "safetensors file to write 'logits' [N, K] to",
            outputPath);
  addBatchSizeOption(cl, batchSize, 64);
  addThreadsOption(cl, threads);
  addDeviceOption(cl, device);
  cl.require("input");
  cl.require("output");
  if (!cl.parse(args))
    return 0;

  std::string threadText = applyThreads(threads);
  prepareWeights(model, weights);
  std::unique_ptr<Forward> forward =
      makeForward(ctx.program, model, device, threadText);
  SafetensorsFile file = readSafetensors(inputPath);
  const Tensor *input = file.find("input");
  if (!input) {
    std::string names;
    for (const Tensor &t : file.tensors)
      names += (names.empty() ? "'" : ", '") + t.name + "'";
    fail("{}: no tensor named 'input' (the file has {})", inputPath,
         names.empty() ? "none" : names);
  }
  Shape want = {-1, model.channels(), model.height(), model.width()};
  if (input->dtype != DType::F32 || input->shape.size() != 4 ||
      !std::equal(want.begin() + 1, want.end(), input->shape.begin() + 1))
    fail("{}: tensor 'input' is {} {}, but the model takes F32 [N, {}, {}, "
         "{}]",
         inputPath, dtypeName(input->dtype), formatShape(input->shape),
         model.channels(), model.height(), model.width());

  std::int64_t n = input->shape[0], size = model.sampleSize(),
               k = model.numClasses();
  Tensor logits("logits", DType::F32, {n, k});
  // Staging buffers keep every forward call's pointers 64-byte aligned.
  std::int64_t chunk = std::min(batchSize, std::max<std::int64_t>(n, 1));
  AlignedBuffer x(std::size_t(chunk * size) * sizeof(float),
                  "the images of an inference batch");
  AlignedBuffer y(std::size_t(chunk * k) * sizeof(float),
                  "the logits of an inference batch");
  for (std::int64_t at = 0; at < n; at += chunk) {
    std::int64_t m = std::min(chunk, n - at);
    std::memcpy(x.data(), input->f32() + at * size,
                std::size_t(m * size) * sizeof(float));
    forward->run(reinterpret_cast<float *>(x.data()), m,
                 reinterpret_cast<float *>(y.data()));
    std::memcpy(logits.f32() + at * k, y.data(),
                std::size_t(m * k) * sizeof(float));
  }
  writeSafetensors(outputPath,
                   {{logits.name, logits.dtype, logits.shape, logits.data()}},
                   {{"format", "pt"}, {"model", model.name()}});
  fmt::print("wrote {}: logits [{}, {}]\n", outputPath, n, k);
  return 0;
}

} // namespace cnnrt::cli
