//===- TrainCheckpoint.cpp - Checkpoints that training resumes from -------===//

#include "TrainCheckpoint.h"

#include "cnnrt/Error.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>

namespace cnnrt::cli {

namespace {

constexpr const char *kMomentumPrefix = "optimizer.momentum_buffer.";

std::int64_t metadataInt(const Metadata &m, const std::string &path,
                         const char *key) {
  auto it = m.find(key);
  if (it == m.end())
    fail("{}: not a training checkpoint: its metadata has no '{}' (write one "
         "with 'train --save'; a model checkpoint goes to --load)",
         path, key);
  const std::string &text = it->second;
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || errno || v < 0)
    fail("{}: metadata '{}' is '{}', not a non-negative integer", path, key,
         printable(text));
  return v;
}

} // namespace

std::string momentumName(const std::string &param) {
  return kMomentumPrefix + param;
}

void saveTrainCheckpoint(const Model &model, const std::string &path,
                         const TrainProgressState &state, Metadata metadata) {
  const Layout &layout = model.arena().layout();
  std::vector<TensorRef> tensors = model.arena().tensorsWithAliases();
  if (!state.firstStep)
    for (std::size_t s = 0; s < model.numSlots(); ++s) {
      const LayoutEntry &e = layout[model.slotTensor(s)];
      tensors.push_back(
          {momentumName(e.name), DType::F32, e.shape, model.momentumBuffer(s)});
    }
  metadata["epoch"] = std::to_string(state.epoch);
  metadata["step"] = std::to_string(state.step);
  metadata["first_step"] = state.firstStep ? "1" : "0";
  writeSafetensors(path, tensors, metadata);
}

TrainProgressState readProgress(const Metadata &metadata,
                                const std::string &path) {
  TrainProgressState state;
  state.epoch = metadataInt(metadata, path, "epoch");
  state.step = metadataInt(metadata, path, "step");
  std::int64_t first = metadataInt(metadata, path, "first_step");
  if (first > 1)
    fail("{}: metadata 'first_step' is {}, not 0 or 1", path, first);
  state.firstStep = first == 1;
  return state;
}

ResumePoint loadTrainCheckpoint(Model &model, const std::string &path) {
  SafetensorsFile file = readSafetensors(path);
  ResumePoint r;
  r.metadata = file.metadata;
  r.state = readProgress(file.metadata, path);

  // The optimizer tensors: each a known parameter's momentum buffer.
  const Layout &layout = model.arena().layout();
  std::vector<const Tensor *> momenta(model.numSlots(), nullptr);
  for (const Tensor &t : file.tensors) {
    if (t.name.compare(0, 10, "optimizer.") != 0)
      continue;
    std::size_t s = 0;
    while (s < model.numSlots() &&
           t.name != momentumName(layout[model.slotTensor(s)].name))
      ++s;
    if (s == model.numSlots())
      fail("{}: unexpected tensor '{}': the optimizer state holds '{}<name>' "
           "for the model's parameters",
           path, t.name, kMomentumPrefix);
    const LayoutEntry &e = layout[model.slotTensor(s)];
    if (t.dtype != DType::F32 || t.shape != e.shape)
      fail("{}: tensor '{}' is {} {}, but the parameter is F32 {}", path,
           t.name, dtypeName(t.dtype), formatShape(t.shape),
           formatShape(e.shape));
    momenta[s] = &t;
  }
  if (!r.state.firstStep)
    for (std::size_t s = 0; s < model.numSlots(); ++s)
      if (!momenta[s])
        fail("{}: missing tensor '{}' (first_step is 0: the momentum buffers "
             "have started)",
             path, momentumName(layout[model.slotTensor(s)].name));

  model.load(path); // strict on the model's tensors, checked before copying
  for (std::size_t s = 0; s < model.numSlots(); ++s) {
    std::size_t bytes = layout[model.slotTensor(s)].nbytes;
    if (r.state.firstStep || !momenta[s])
      std::memset(model.momentumBuffer(s), 0, bytes);
    else
      std::memcpy(model.momentumBuffer(s), momenta[s]->data(), bytes);
  }
  return r;
}

void CheckpointSaver::save(const Model &model,
                           const TrainProgressState &state, double loss) {
  metadata_["loss"] = fmt::format("{}", loss);
  saveTrainCheckpoint(model, path_, state, metadata_);
  savedEpoch_ = state.epoch;
}

std::string CheckpointSaver::keptText() const {
  if (path_.empty())
    return "nothing is saved (no --save)";
  if (savedEpoch_ >= 0)
    return fmt::format("the last checkpoint, {} (after epoch {}), is kept",
                       path_, savedEpoch_);
  struct stat st;
  if (::stat(path_.c_str(), &st) == 0)
    return fmt::format("{} is left as it was", path_);
  return fmt::format("{} was not written", path_);
}

} // namespace cnnrt::cli
