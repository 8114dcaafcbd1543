//===- TrainOptions.h - Optimizer and penalty flags --------------*- C++ -*-===//
//
// The flags `train`, `train-step` and `bench --train` share: torch.optim.SGD's
// hyperparameters (--lr, --momentum, --dampening, --nesterov,
// --weight-decay) and the lecture's penalty (--penalty l2:0.001, l1:1e-4,
// both as l2:A,l1:B, or none), each defaulting to the model file's train { }
// section as compiled into the descriptor.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_TRAINOPTIONS_H
#define CNNRT_MAIN_TRAINOPTIONS_H

#include "CommandLine.h"
#include "Model.h"

#include <string>

namespace cnnrt::cli {

/// The model's train { } defaults.
SgdParams defaultSgd(const Model &model);

/// Declares the optimizer and penalty flags on `cl`, writing into `sgd`
/// (which keeps its current values as the defaults shown in the help).
void addSgdOptions(CommandLine &cl, SgdParams &sgd);

/// Throws UsageError for combinations torch.optim.SGD refuses (nesterov
/// without momentum or with dampening).
void checkSgd(const SgdParams &sgd);

/// Parses a --penalty value into sgd.l1/l2; returns "" or what is wrong.
std::string parsePenalty(const std::string &text, SgdParams &sgd);

/// The --penalty spelling of sgd.l1/l2: "none", "l2:0.001", "l2:0.1,l1:0.2".
std::string penaltyText(const SgdParams &sgd);

/// One line for the output: "sgd lr=0.01 momentum=0.9 dampening=0
/// weight_decay=0 nesterov=false, penalty l2:0.001".
std::string sgdSummary(const SgdParams &sgd);

/// "true" / "false", as --nesterov takes them.
inline const char *boolText(bool b) { return b ? "true" : "false"; }

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_TRAINOPTIONS_H
