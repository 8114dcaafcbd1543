//===- TrainPlan.h - What a `train` run will do ------------------*- C++ -*-===//
//
// The plan of a run, settled before its first step: the flags (as given,
// else the resumed run's, else the model file's train { } defaults), the
// weights, the data and the batches per epoch. Whatever a bad flag, a bad
// checkpoint or missing data breaks fails here, so a run that starts fails
// later only for what training itself finds.
//
// A checkpoint records the run's settings (checkpointMetadata) and --resume
// takes them back as the defaults of the flags not given; both directions
// live here, next to each other.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_TRAINPLAN_H
#define CNNRT_MAIN_TRAINPLAN_H

#include "CommandLine.h"
#include "Commands.h"
#include "Data.h"
#include "Model.h"
#include "Replicas.h"
#include "TrainCheckpoint.h"

#include <cstdint>
#include <string>

namespace cnnrt::cli {

/// `train`'s flags.
struct TrainFlags {
  SgdParams sgd;
  DataOptions data;
  std::int64_t epochs = 1, batchSize = 64, threads = 0, printEvery = 0;
  /// --shards: the fixed split of every batch (FixedShards.h); 0 for one
  /// share per rank.
  std::int64_t shards = 0;
  std::uint64_t seed = 0;
  std::string load, resume, save, log, progress = "auto";
  std::string device; ///< --device; "" for the default
};

/// The model file's train { } section as flag defaults.
TrainFlags defaultTrainFlags(const Model &model);

/// Declares `train`'s flags on `cl`, parsed into `f` (whose values are the
/// defaults the help shows).
void addTrainFlags(CommandLine &cl, TrainFlags &f);

/// Gives the flags not given on `cl` the values a training checkpoint's
/// metadata records (seed, epochs, batch_size, the optimizer's, the data's),
/// each checked by its flag's parser; `cl` writes into `f`. Throws Error
/// naming `path` and the key.
void applyResumeDefaults(CommandLine &cl, const Metadata &metadata,
                         const std::string &path, TrainFlags &f);

struct TrainPlan {
  TrainFlags flags;
  TrainProgressState start; ///< where a resumed run stands; zero if fresh
  Metadata resumed;         ///< the resumed checkpoint's metadata, or empty
  std::string weightText;   ///< what follows "weights: "
  std::string threadText;   ///< "1 thread", or the GPU that trains
  bool gpu = false;         ///< the steps run on CUDA device 0
  std::string replicaText;  ///< a data-parallel run's, Replicas::describe
  int replicas = 1;         ///< processes training together (mpirun's ranks)
  TrainData data;
  std::int64_t batchesPerEpoch = 0;
  std::int64_t lastBatchSize = 0; ///< samples in an epoch's last batch
  std::string program;            ///< for the command that resumes
  Args args;

  /// The command line that continues this run from `checkpoint`: this one,
  /// with --resume CHECKPOINT instead of its --load or --resume (under
  /// mpirun -np N for a data-parallel run).
  std::string resumeCommand(const std::string &checkpoint) const;
};

/// Loads or initialises the weights, taking a resumed run's settings as the
/// defaults of the flags not given on `cl` (which parsed into `flags`);
/// checks the flags, sets the threads and loads the data. Throws UsageError
/// or Error. Only rank 0 of a data-parallel run writes (checkpoints, the
/// log): only its directories are checked. No exchange with the other
/// replicas: one may fail here alone.
TrainPlan planTraining(Model &model, CommandLine &cl, TrainFlags &flags,
                       const CommandContext &ctx, const Args &args,
                       const Replicas &replicas);

/// The data flags as a checkpoint records them.
Metadata dataMetadata(const DataOptions &data);

/// What a checkpoint of this run records besides where training stands.
Metadata checkpointMetadata(const Model &model, const TrainFlags &flags);

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_TRAINPLAN_H
