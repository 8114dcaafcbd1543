//===- InfoCommand.cpp - `info`: what the model is ------------------------===//

#include "Commands.h"
#include "CudaDevice.h"
#include "Model.h"
#include "NcclSums.h"
#include "Options.h"

#include <fmt/format.h>

#include <algorithm>

namespace cnnrt::cli {

namespace {

/// 1234567 -> "1.23 M" (SI prefixes, three significant digits).
std::string siPrefixed(double value) {
  const char *prefixes[] = {"", "k", "M", "G", "T", "P"};
  int i = 0;
  while (value >= 1000 && i < 5) {
    value /= 1000;
    ++i;
  }
  return fmt::format("{:.3g} {}", value, prefixes[i]);
}

const char *penaltyName(int penalty) {
  switch (penalty) {
  case CNNRT_PENALTY_L1:
    return "l1";
  case CNNRT_PENALTY_L2:
    return "l2";
  default:
    return "none";
  }
}

/// The aliases of a tensor, compactly: what each alias puts in place of the
/// name's module path, e.g. "resblocks.{1..9}" for resblocks.0.conv.weight
/// aliased as resblocks.1.conv.weight ... resblocks.9.conv.weight.
std::string aliasSummary(const LayoutEntry &e) {
  if (e.aliases.empty())
    return "-";
  // Each alias's prefix before the dotted suffix it shares with the name.
  std::vector<std::string> prefixes;
  for (const std::string &alias : e.aliases) {
    std::size_t n = 0; // length of the common suffix, at a '.'
    for (std::size_t k = 1; k <= std::min(alias.size(), e.name.size()); ++k) {
      if (alias[alias.size() - k] != e.name[e.name.size() - k])
        break;
      if (alias[alias.size() - k] == '.')
        n = k;
    }
    prefixes.push_back(alias.substr(0, alias.size() - n));
  }
  // "P.a" ... "P.b" with consecutive integers a..b: "P.{a..b}".
  auto split = [](const std::string &p) -> std::pair<std::string, long> {
    std::size_t dot = p.rfind('.');
    std::string digits = dot == std::string::npos ? "" : p.substr(dot + 1);
    if (digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      return {"", -1};
    return {p.substr(0, dot), std::stol(digits)};
  };
  auto [base, first] = split(prefixes.front());
  bool range = prefixes.size() > 1 && first >= 0;
  for (std::size_t k = 1; range && k < prefixes.size(); ++k) {
    auto [b, v] = split(prefixes[k]);
    range = b == base && v == first + long(k);
  }
  if (range)
    return fmt::format("{}.{{{}..{}}}", base, first,
                       first + long(prefixes.size()) - 1);
  if (prefixes.size() <= 3) {
    std::string out;
    for (const std::string &p : prefixes)
      out += (out.empty() ? "" : ",") + p;
    return out;
  }
  return fmt::format("{} names", prefixes.size());
}

} // namespace

int runInfo(const CommandContext &ctx, const Args &args) {
  Model model(ctx.model);
  const cnnrt_model &m = model.desc();
  std::int64_t batch = 0;
  CommandLine cl(ctx.program, "info",
                 "Describes the compiled model: input shape, classes, every "
                 "parameter and buffer with its shape, dtype and initializer, "
                 "the totals and the forward pass's FLOPs.");
  addBatchSizeOption(cl, batch, m.train.batch_size > 0 ? m.train.batch_size : 64);
  if (!cl.parse(args))
    return 0;

  fmt::print("model: {} (model ABI {})\n", model.name(), m.abi_version);
  std::string hyper;
  for (std::int64_t i = 0; i < m.num_hyperparams; ++i)
    hyper += fmt::format(" {}={}", m.hyperparams[i].name, m.hyperparams[i].value);
  fmt::print("hyperparameters:{}\n", hyper.empty() ? " none" : hyper);
  fmt::print("input: {} (f32, per sample)\n", model.inputShapeString());
  fmt::print("classes: {}\n", model.numClasses());

  const Layout &layout = model.arena().layout();
  // A shared block's tensors have more state_dict names: a column "also"
  // says which, for models that have any.
  bool aliases = layout.hasAliases();
  std::vector<std::vector<std::string>> rows = {
      {"name", "shape", "dtype", "role", "count", "offset", "init"}};
  if (aliases)
    rows[0].insert(rows[0].end() - 1, "also");
  std::int64_t counts[2] = {0, 0}, tensors[2] = {0, 0};
  std::size_t bytes[2] = {0, 0};
  for (std::size_t i = 0; i < layout.size(); ++i) {
    const LayoutEntry &e = layout[i];
    int r = int(e.role);
    counts[r] += e.numel();
    tensors[r] += 1;
    bytes[r] += e.nbytes;
    rows.push_back({e.name, formatShape(e.shape), dtypeName(e.dtype),
                    roleName(e.role), std::to_string(e.numel()),
                    std::to_string(e.offset), model.initSpecs()[i].str()});
    if (aliases)
      rows.back().insert(rows.back().end() - 1, aliasSummary(e));
  }
  std::vector<std::size_t> width(rows[0].size(), 0);
  for (const auto &row : rows)
    for (std::size_t c = 0; c < row.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  fmt::print("tensors:\n");
  for (const auto &row : rows) {
    std::string line = " ";
    for (std::size_t c = 0; c < row.size(); ++c)
      line += c + 1 == row.size() ? " " + row[c]
                                  : fmt::format(" {:<{}}", row[c], width[c]);
    fmt::print("{}\n", line);
  }
  const char *names[2] = {"parameters", "buffers"};
  for (int r = 0; r < 2; ++r)
    fmt::print("{}: {} in {} tensor{} ({} bytes)\n", names[r], counts[r],
               tensors[r], tensors[r] == 1 ? "" : "s", bytes[r]);
  if (aliases) {
    std::size_t shared = 0, names = 0;
    for (const LayoutEntry &e : layout.entries()) {
      shared += !e.aliases.empty();
      names += e.aliases.size();
    }
    fmt::print("shared: {} tensor{} under {} more state_dict name{} "
               "(checkpoints hold every name)\n",
               shared, shared == 1 ? "" : "s", names, names == 1 ? "" : "s");
  }
  fmt::print("arena: {} bytes\n", layout.totalBytes());
  if (model.canTrain()) {
    fmt::print("training: train_step; a gradient and a momentum buffer per "
               "parameter ({} each), arena {} bytes in all\n",
               model.numSlots(), m.train_arena_bytes);
    std::string sites;
    for (std::int64_t i = 0; i < model.numDropoutSites(); ++i) {
      const cnnrt_dropout_site &d = model.dropoutSite(i);
      sites += fmt::format("{}{} p={} ({}, {} per sample)", i ? ", " : " ",
                           d.name, d.p, d.channelwise ? "channels" : "elements",
                           d.elems_per_sample);
    }
    fmt::print("dropout:{}\n", sites.empty() ? " none" : sites);
  } else {
    fmt::print("training: none (compiled without a train_step)\n");
  }
  double flops = double(m.flops_per_sample);
  fmt::print("FLOPs per sample: {} ({}FLOP)\n", m.flops_per_sample,
             siPrefixed(flops));
  fmt::print("FLOPs per batch of {}: {} ({}FLOP)\n", batch,
             m.flops_per_sample * batch, siPrefixed(flops * double(batch)));
  const cnnrt_train_config &t = m.train;
  fmt::print("train defaults: sgd lr={} momentum={} dampening={} "
             "weight_decay={} nesterov={}; penalty {}",
             t.lr, t.momentum, t.dampening, t.weight_decay,
             t.nesterov ? "true" : "false", penaltyName(t.penalty));
  if (t.penalty != CNNRT_PENALTY_NONE)
    fmt::print("({})", t.penalty_strength);
  fmt::print("; epochs {}, batch size {}, seed {}\n", t.epochs, t.batch_size,
             t.seed);
  const char *features = m.target_features;
  fmt::print("target: {} ({})\n", m.target_cpu,
             *features ? features : "baseline x86-64 features");
  const char *missing = cnnrt_cpu_missing_features(features);
  if (*missing)
    fmt::print("this CPU lacks: {} (the other commands refuse to run; "
               "recompile with cnnc -mcpu={} or -mcpu=native)\n",
               missing, cnnrt_cpu_level());
  else
    fmt::print("this CPU has every target feature\n");
  if (m.forward_cuda) {
    fmt::print("gpu: {} PTX, {} kernel{} (eval, infer, bench{} run on the "
               "GPU by default; --device cpu to not)\n",
               m.gpu_arch, m.gpu_num_kernels,
               m.gpu_num_kernels == 1 ? "" : "s",
               m.train_step_cuda ? ", train, train-step" : "");
    fmt::print("this machine's GPU: {}\n", cudaMachineSummary(model));
    if (m.train_step_cuda) {
      std::string why = ncclUnavailable();
      if (why.empty())
        fmt::print("GPUs under mpirun: one a rank, summing by {}\n",
                   ncclVersionText());
      else
        fmt::print("GPUs under mpirun: {}, so mpirun trains on the CPU\n",
                   why);
    }
  } else {
    fmt::print("gpu: none (compiled for the CPU only)\n");
  }
  return 0;
}

} // namespace cnnrt::cli
