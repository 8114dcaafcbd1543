//===- Evaluate.h - The eval-mode pass over a data set -----------*- C++ -*-===//
//
// What `eval` reports and what `train` reports as train and validation
// accuracy (as the lecture's validate() does): the eval-mode forward over a
// data set in order, in batches (the last one partial), accumulated into
// ClassificationMetrics.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_EVALUATE_H
#define CNNRT_MAIN_EVALUATE_H

#include "Device.h"
#include "Metrics.h"
#include "Model.h"

#include "cnnrt/Dataset.h"

namespace cnnrt::cli {

/// Batches b with b % parts == part only (a data-parallel run's replicas
/// share the work so, then sum the metrics).
ClassificationMetrics evaluate(Forward &forward, const Dataset &data,
                               std::int64_t batchSize, int part = 0,
                               int parts = 1);
/// On the CPU.
ClassificationMetrics evaluate(Model &model, const Dataset &data,
                               std::int64_t batchSize, int part = 0,
                               int parts = 1);

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_EVALUATE_H
