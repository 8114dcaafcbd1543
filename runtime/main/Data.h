//===- Data.h - Choosing and preparing a data set ----------------*- C++ -*-===//
//
// The data-set flags every data-consuming subcommand shares (--data,
// --data-dir, --classes, --split, --limit, --no-normalize) and what they
// select: Fashion-MNIST (IDX, Debian's folder by default) or CIFAR-10 (binary
// batches; CIFAR-2 = airplane, bird by default), optionally restricted to a
// class subset relabelled 0..k-1, normalised per channel with the mean and
// std of the full training split (all classes) as the lecture does.
//
// The model's input shape and class count are checked against the data set
// before anything is read, and a mismatch names both and the -D flags that
// would recompile the model to fit.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_DATA_H
#define CNNRT_MAIN_DATA_H

#include "CommandLine.h"
#include "Model.h"

#include "cnnrt/Dataset.h"

#include <string>
#include <vector>

namespace cnnrt::cli {

struct DataOptions {
  std::string name = "fashion-mnist";
  std::string dir;          ///< "" = the data set's default folder
  std::string classes;      ///< "" = the data set's default subset
  std::string split = "test";
  std::int64_t limit = 0;   ///< 0 = every sample
  bool noNormalize = false;
};

/// Declares the flags above on `cl`, writing into `options`; --split only
/// if `withSplit` (`train` uses both splits).
void addDataOptions(CommandLine &cl, DataOptions &options,
                    bool withSplit = true);

struct PreparedData {
  Dataset data;             ///< normalised unless --no-normalize, limited
  std::string description;  ///< "fashion-mnist test split (DIR), classes all"
  ChannelStats stats;       ///< empty with --no-normalize
};

/// Resolves and loads the data. Throws UsageError for malformed flags (a bad
/// class list, cifar10 without a folder) and Error for a model that does not
/// fit the data set, a missing folder or a bad file.
PreparedData prepareData(const DataOptions &options, const Model &model);

/// What `train` uses: the training split to train on and the test split to
/// validate on, both with the class subset and --limit applied, normalised
/// with the statistics of the full training split.
struct TrainData {
  Dataset train, test;
  std::string description; ///< "fashion-mnist (DIR), classes all"
  ChannelStats stats;      ///< empty with --no-normalize
};
TrainData prepareTrainData(const DataOptions &options, const Model &model);

/// What `predict` takes from the data set a model was trained on: its class
/// names (after --classes) and, unless --no-normalize, the statistics of the
/// full training split that training normalised with.
struct ClassifierData {
  std::vector<std::string> classNames;
  ChannelStats stats;      ///< empty with --no-normalize
  std::string description; ///< "fashion-mnist (DIR), classes all"
};
ClassifierData prepareClassifierData(const DataOptions &options,
                                     const Model &model);

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_DATA_H
