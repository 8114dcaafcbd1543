//===- InitCommand.cpp - `init`: the seeded initial weights ---------------===//

#include "CommandLine.h"
#include "Commands.h"
#include "Model.h"

#include "cnnrt/Safetensors.h"

#include <fmt/format.h>

namespace cnnrt::cli {

int runInit(const CommandContext &ctx, const Args &args) {
  Model model(ctx.model);
  std::string save;
  std::uint64_t seed = std::uint64_t(model.desc().train.seed);
  CommandLine cl(ctx.program, "init",
                 "Initialises every parameter and buffer from the model's "
                 "declared initializers (Philox streams keyed by the seed and "
                 "the tensor's index) and writes them as a safetensors "
                 "checkpoint with PyTorch's state_dict names, e.g. to load "
                 "into the same module in PyTorch.");
  cl.string("save", "CKPT", "the checkpoint to write (atomically)", save);
  cl.u64("seed", "S",
         fmt::format("seed of the initializers (default {})", seed), seed);
  cl.require("save");
  if (!cl.parse(args))
    return 0;
  model.initialize(seed);
  saveArena(model.arena(), save,
            {{"format", "pt"},
             {"model", model.name()},
             {"seed", std::to_string(seed)}});
  const Layout &layout = model.arena().layout();
  std::size_t aliases = 0;
  for (const LayoutEntry &e : layout.entries())
    aliases += e.aliases.size();
  std::string names =
      aliases ? fmt::format(" (under {} names)", layout.size() + aliases) : "";
  fmt::print("wrote {}: {} tensors{} of {}, seed {}\n", save, layout.size(),
             names, model.name(), seed);
  return 0;
}

} // namespace cnnrt::cli
