//===- TrainCommand.cpp - `train`: SGD over a data set's training split ---===//
//
// The command line of `train`; the run itself is a TrainPlan (settled
// first) carried out by a Trainer. Under mpirun every rank is a replica of
// a data-parallel run (Replicas.h): all of them plan, and all start or none
// does (a bad flag, a missing data set or checkpoint on one rank stops
// every rank before any training, rank 0 saying why); then they start from
// rank 0's weights.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "NcclSums.h"
#include "Replicas.h"
#include "TrainPlan.h"
#include "Trainer.h"

#include "cnnrt/Error.h"

#include <fmt/format.h>

#include <cstdio>
#include <optional>

namespace cnnrt::cli {

namespace {

/// What planning ended in on one replica: 0 (a plan), -1 (--help), 1 (an
/// Error) or 2 (a UsageError), and the message.
struct Outcome {
  int status = 0;
  std::string message;
};

/// Ends a data-parallel run before training: rank 0 says why (as the
/// driver would), and every rank returns `status` only once it has, so
/// that mpirun, which ends the job at the first rank that exits with an
/// error, does not cut rank 0 short.
int stopAll(const Replicas &replicas, const std::string &program, int status,
            const std::string &message) {
  if (replicas.leader()) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: error: %s%s\n", program.c_str(),
                 status == 2 ? "train: " : "", message.c_str());
    std::fflush(stderr);
  }
  replicas.barrier();
  return status;
}

/// Every replica's outcome: the first failure (with the ranks it happened
/// on, where not all) ends every replica (stopAll). Returns 0 when every
/// replica has a plan, -1 for --help, else the exit status.
int agreeOnStart(const Replicas &replicas, const std::string &program,
                 const Outcome &mine) {
  std::vector<std::string> all =
      replicas.gather(fmt::format("{}:{}", mine.status, mine.message));
  int status = 0;
  std::string message, ranks;
  int failed = 0;
  for (int r = 0; r < int(all.size()); ++r) {
    std::size_t colon = all[std::size_t(r)].find(':');
    int s = std::stoi(all[std::size_t(r)].substr(0, colon));
    if (s <= 0)
      continue;
    std::string m = all[std::size_t(r)].substr(colon + 1);
    if (failed++ == 0) {
      status = s;
      message = m;
    }
    if (m == message)
      ranks += fmt::format("{}{}", ranks.empty() ? "" : ", ", r);
  }
  if (!failed)
    return mine.status;
  if (failed < replicas.size())
    message = fmt::format("on rank{} {} of {}: {}",
                          ranks.find(',') == std::string::npos ? "" : "s",
                          ranks, replicas.size(), message);
  if (failed > 1 && ranks.find(',') == std::string::npos)
    message += fmt::format(" (and {} other rank{} failed too)", failed - 1,
                           failed == 2 ? "" : "s");
  return stopAll(replicas, program, status, message);
}

/// What every replica must share to train together: the model, the data,
/// the schedule, where a resumed run stands.
std::string fingerprint(const Model &model, const TrainPlan &plan) {
  const TrainFlags &f = plan.flags;
  return fmt::format(
      "model {} ({} bytes), data {} ({} samples of {}), batch size {}, "
      "epochs {}, seed {}, shards {}, resumed at step {}",
      model.name(), model.desc().train_arena_bytes, plan.data.description,
      plan.data.train.count, plan.data.train.imageSize(), f.batchSize,
      f.epochs, f.seed, f.shards, plan.start.step);
}

} // namespace

int runTrain(const CommandContext &ctx, const Args &args) {
  Replicas replicas;
  // Rank 0 prints progress and results; the others' would repeat them.
  if (!replicas.leader() && !std::freopen("/dev/null", "w", stdout))
    fail("cannot silence the standard output of rank {}", replicas.rank());
  Model model(ctx.model);
  TrainFlags f = defaultTrainFlags(model);
  CommandLine cl(
      ctx.program, "train",
      "Trains the model with SGD on a data set's training split (a fresh "
      "shuffle each epoch, the last partial batch kept; inputs normalised "
      "with the training split's per-channel mean and std), printing the "
      "mean training loss of each epoch, then the accuracy on the training "
      "and validation (test) splits. Defaults come from the model file's "
      "train { } section. Under mpirun each rank takes its share of every "
      "batch (data-parallel, the same result as one process).");
  addTrainFlags(cl, f);

  std::optional<TrainPlan> plan;
  Outcome outcome;
  try {
    if (!cl.parse(args))
      outcome.status = -1;
    else
      plan = planTraining(model, cl, f, ctx, args, replicas);
  } catch (const UsageError &e) {
    if (!replicas.several())
      throw;
    outcome = {2, e.what()};
  } catch (const std::exception &e) {
    if (!replicas.several())
      throw;
    outcome = {1, e.what()};
  }
  if (int status = agreeOnStart(replicas, ctx.program, outcome))
    return status < 0 ? 0 : status;
  plan->replicaText = replicas.describe();
  if (plan->gpu && replicas.several())
    plan->replicaText += fmt::format(", a GPU each, summing by {}",
                                     ncclVersionText());

  if (replicas.several()) {
    std::vector<std::string> prints =
        replicas.gather(fingerprint(model, *plan));
    for (int r = 1; r < replicas.size(); ++r)
      if (prints[std::size_t(r)] != prints[0])
        return stopAll(replicas, ctx.program, 1,
                       fmt::format("the ranks would not train the same run: "
                                   "rank 0 has {}, rank {} has {}",
                                   prints[0], r, prints[std::size_t(r)]));
    // Rank 0's weights, buffers and momentum everywhere, however each
    // rank came by its own (a checkpoint file per host, ...).
    replicas.broadcast(model.arena().base(), model.desc().train_arena_bytes);
  }
  try {
    return Trainer(model, *plan, replicas).run();
  } catch (const ReplicaFailure &e) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: error: on rank %d of %d: %s; ending every rank\n",
                 ctx.program.c_str(), replicas.rank(), replicas.size(),
                 e.what());
    std::fflush(stderr);
    replicas.abort(1);
  }
}

} // namespace cnnrt::cli
