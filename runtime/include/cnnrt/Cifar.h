//===- Cifar.h - CIFAR-10 binary batches -------------------------*- C++ -*-===//
//
// The "binary version" of CIFAR-10: data_batch_1..5.bin (train) and
// test_batch.bin (test), each a run of 3073-byte records: one label byte
// (0..9), then 3072 bytes of a 3x32x32 image in CHW order (red plane, green,
// blue). The real files hold 10000 records each; any whole number is accepted
// so that tests can make small ones.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_CIFAR_H
#define CNNRT_CIFAR_H

#include "cnnrt/Dataset.h"

#include <string>
#include <vector>

namespace cnnrt {

/// The lecture's CIFAR-2: airplane (0) and bird (2), relabelled 0 and 1.
inline const std::vector<int> kCifar2Classes = {0, 2};

/// Loads a split from a CIFAR-10 folder. With a non-empty `classes`, keeps
/// only records of those classes and relabels class classes[i] as i. Throws
/// on a missing or truncated file, a label above 9, or a bad class list.
Dataset loadCifar10(const std::string &dir, Split split,
                    const std::vector<int> &classes = {});

/// One batch file's bytes appended to `d` (whose channels, sides and class
/// count loadCifar10 sets), keeping and relabelling as `classes` says;
/// `path` names the bytes in errors.
void appendCifar10Batch(Dataset &d, const std::vector<std::uint8_t> &bytes,
                        const std::string &path,
                        const std::vector<int> &classes = {});

} // namespace cnnrt

#endif // CNNRT_CIFAR_H
