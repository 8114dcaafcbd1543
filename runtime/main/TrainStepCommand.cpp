//===- TrainStepCommand.cpp - `train-step`: steps on one batch, all out ---===//
//
// The hook for checking the compiled training step against PyTorch: the
// weights from a checkpoint, one batch from a file, K steps on it, and every
// quantity of the last step written out (logits, loss and its parts,
// gradients, masks, updated weights and momentum buffers).
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "CudaTraining.h"
#include "Device.h"
#include "Model.h"
#include "Options.h"
#include "TrainOptions.h"

#include "cnnrt/Error.h"
#include "cnnrt/Safetensors.h"

#include <fmt/format.h>

#include <cstring>
#include <vector>

namespace cnnrt::cli {

namespace {

std::string tensorNames(const SafetensorsFile &file) {
  std::string names;
  for (const Tensor &t : file.tensors)
    names += (names.empty() ? "'" : ", '") + t.name + "'";
  return names.empty() ? "none" : names;
}

const Tensor &findTensor(const SafetensorsFile &file, const std::string &path,
                         const std::string &name) {
  const Tensor *t = file.find(name);
  if (!t)
    fail("{}: no tensor named '{}' (the file has {})", path, name,
         tensorNames(file));
  return *t;
}

} // namespace

int runTrainStep(const CommandContext &ctx, const Args &args) {
  Model model(ctx.model);
  SgdParams sgd = defaultSgd(model);
  std::string load, batchPath, masksPath, outPath, device;
  std::int64_t steps = 1, threads = 0;
  std::uint64_t seed = std::uint64_t(model.desc().train.seed);
  CommandLine cl(
      ctx.program, "train-step",
      "Runs the compiled training step K times on one batch (step counter "
      "0..K-1, momentum buffers started by the first) and writes, "
      "atomically, what the last step computed: 'logits' [N, K] (train-mode "
      "forward, before the update), 'loss' (cross-entropy + penalty), "
      "'loss.cross_entropy', 'loss.penalty', 'grad.<name>' per parameter "
      "(the gradient of the mean cross-entropy alone: no penalty, no weight "
      "decay, as PyTorch's p.grad for the unpenalised loss), "
      "'mask.<site>' [N, E] per dropout site (1/(1-p) kept, 0 dropped), the "
      "updated parameters and buffers under their state_dict names, and "
      "'momentum_buffer.<name>' per parameter.");
  cl.string("load", "PARAMS",
            "parameters and buffers (a safetensors checkpoint, strict); "
            "default: the declared initializers, seeded",
            load);
  cl.string("batch", "BATCH",
            "safetensors file with 'input' F32 [N, C, H, W] (used as given, "
            "no normalisation) and 'labels' I64 or I32 [N]",
            batchPath);
  cl.string("masks", "MASKS",
            "use these dropout masks ('mask.<site>' F32 [N, E] for every "
            "site) in every step instead of generating them",
            masksPath);
  addSgdOptions(cl, sgd);
  cl.integer("steps", "K", "steps on the batch (default 1)", steps, 1, 1000000);
  cl.u64("seed", "S",
         fmt::format("dropout key, and the initializers' seed without --load "
                     "(default {})",
                     seed),
         seed);
  cl.string("output", "OUT", "the safetensors file to write", outPath);
  cl.shortName('o', "output");
  addThreadsOption(cl, threads);
  addDeviceOption(cl, device);
  cl.require("batch");
  cl.require("output");
  if (!cl.parse(args))
    return 0;
  model.requireTraining("train-step");
  checkSgd(sgd);
  applyThreads(threads);
  prepareWeights(model, {load, seed});
  bool onGpu = trainDevice(ctx.program, model, device) == "cuda";

  // The batch, checked against the model.
  SafetensorsFile batch = readSafetensors(batchPath);
  const Tensor &input = findTensor(batch, batchPath, "input");
  const Tensor &labelsIn = findTensor(batch, batchPath, "labels");
  const Shape &s = input.shape;
  if (input.dtype != DType::F32 || s.size() != 4 || s[0] < 1 ||
      s[1] != model.channels() || s[2] != model.height() ||
      s[3] != model.width())
    fail("{}: tensor 'input' is {} {}, but the model takes F32 [N, {}, {}, "
         "{}] with N >= 1",
         batchPath, dtypeName(input.dtype), formatShape(s), model.channels(),
         model.height(), model.width());
  std::int64_t n = s[0], k = model.numClasses();
  if ((labelsIn.dtype != DType::I64 && labelsIn.dtype != DType::I32) ||
      labelsIn.shape != Shape{n})
    fail("{}: tensor 'labels' is {} {}, but the batch needs I64 or I32 [{}]",
         batchPath, dtypeName(labelsIn.dtype), formatShape(labelsIn.shape), n);
  AlignedBuffer labels(std::size_t(n) * sizeof(std::int32_t));
  auto *y = reinterpret_cast<std::int32_t *>(labels.data());
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t l =
        labelsIn.dtype == DType::I64 ? labelsIn.i64()[i] : labelsIn.i32()[i];
    if (l < 0 || l >= k)
      fail("{}: labels[{}] is {}, outside [0, {}) for a model of {} classes",
           batchPath, i, l, k, k);
    y[i] = std::int32_t(l);
  }

  // The masks: every site's, of this batch's size, nothing else.
  AlignedBuffer masks(std::size_t(model.maskFloats(n)) * sizeof(float));
  auto *mask = reinterpret_cast<float *>(masks.data());
  if (!masksPath.empty()) {
    SafetensorsFile file = readSafetensors(masksPath);
    std::int64_t at = 0;
    std::size_t used = 0;
    for (std::int64_t i = 0; i < model.numDropoutSites(); ++i) {
      const cnnrt_dropout_site &site = model.dropoutSite(i);
      std::string name = std::string("mask.") + site.name;
      const Tensor &t = findTensor(file, masksPath, name);
      if (t.dtype != DType::F32 || t.shape != Shape{n, site.elems_per_sample})
        fail("{}: tensor '{}' is {} {}, but dropout site '{}' needs F32 [{}, "
             "{}] for this batch",
             masksPath, name, dtypeName(t.dtype), formatShape(t.shape),
             site.name, n, site.elems_per_sample);
      std::memcpy(mask + at, t.data(), t.nbytes());
      at += n * site.elems_per_sample;
      ++used;
    }
    if (used != file.tensors.size())
      for (const Tensor &t : file.tensors) {
        bool known = false;
        for (std::int64_t i = 0; i < model.numDropoutSites(); ++i)
          known |= t.name == std::string("mask.") + model.dropoutSite(i).name;
        if (!known)
          fail("{}: unexpected tensor '{}': the model's dropout sites are "
               "{}",
               masksPath, t.name,
               model.numDropoutSites() ? "named mask.<site>" : "none");
      }
  }

  AlignedBuffer inputCopy(input.nbytes()); // 64-byte aligned, as promised
  std::memcpy(inputCopy.data(), input.data(), input.nbytes());
  Tensor logits("logits", DType::F32, {n, k});
  StepLoss loss;
  if (onGpu) {
    // The batch as a data set of its own, taken in order by every step.
    CudaTraining gpu(model);
    gpu.setData(reinterpret_cast<const float *>(inputCopy.data()), y, n);
    std::vector<std::int64_t> all(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i)
      all[std::size_t(i)] = i;
    for (std::int64_t step = 0; step < steps; ++step)
      gpu.step(all.data(), n, sgd, step == 0, seed, step,
               masksPath.empty() ? nullptr : mask);
    loss = gpu.loss();
    gpu.logits(logits.f32());
    gpu.masks(mask);
    gpu.toHost();
  } else {
    for (std::int64_t step = 0; step < steps; ++step)
      loss = model.trainStep(reinterpret_cast<const float *>(inputCopy.data()),
                             y, n, logits.f32(), mask, !masksPath.empty(), sgd,
                             step == 0, seed, step);
  }

  float total = loss.crossEntropy + loss.penalty;
  std::vector<TensorRef> out = {
      {"logits", DType::F32, logits.shape, logits.data()},
      {"loss", DType::F32, {}, &total},
      {"loss.cross_entropy", DType::F32, {}, &loss.crossEntropy},
      {"loss.penalty", DType::F32, {}, &loss.penalty}};
  const Layout &layout = model.arena().layout();
  for (std::size_t i = 0; i < model.numSlots(); ++i) {
    const LayoutEntry &e = layout[model.slotTensor(i)];
    out.push_back({"grad." + e.name, DType::F32, e.shape, model.gradient(i)});
  }
  std::int64_t at = 0;
  for (std::int64_t i = 0; i < model.numDropoutSites(); ++i) {
    const cnnrt_dropout_site &site = model.dropoutSite(i);
    out.push_back({std::string("mask.") + site.name,
                   DType::F32,
                   {n, site.elems_per_sample},
                   mask + at});
    at += n * site.elems_per_sample;
  }
  for (const TensorRef &t : model.arena().tensorsWithAliases())
    out.push_back(t);
  for (std::size_t i = 0; i < model.numSlots(); ++i) {
    const LayoutEntry &e = layout[model.slotTensor(i)];
    out.push_back({"momentum_buffer." + e.name, DType::F32, e.shape,
                   model.momentumBuffer(i)});
  }
  writeSafetensors(outPath, out,
                   {{"format", "pt"},
                    {"model", model.name()},
                    {"steps", std::to_string(steps)},
                    {"seed", std::to_string(seed)},
                    {"masks_given", masksPath.empty() ? "0" : "1"},
                    {"optimizer", sgdSummary(sgd)}});
  fmt::print("wrote {}: {} step{} on a batch of {}, loss {:.6f} "
             "(cross-entropy {:.6f}, penalty {:.6f})\n",
             outPath, steps, steps == 1 ? "" : "s", n, double(total),
             double(loss.crossEntropy), double(loss.penalty));
  return 0;
}

} // namespace cnnrt::cli
