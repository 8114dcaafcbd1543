//===- Link.h - a model object and libcnnrt into an executable --*- C++ -*-===//
#ifndef CNNC_TOOLS_CNNC_LINK_H
#define CNNC_TOOLS_CNNC_LINK_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace cnnc {

/// Links `objects` (the bytes of a model's object files) with libcnnrt's
/// main program into the executable `output`, through the system C++
/// compiler driver. The executable appears whole or not at all: it is linked to a
/// temporary name beside `output` and renamed into place.
/// `exportHostKernels`: the executable exports its cnnrt_fake_kernel_*
/// functions (--gpu-host-kernels), which the fake CUDA driver looks up.
bool linkExecutable(const std::vector<std::string> &objects,
                    llvm::StringRef output, bool exportHostKernels = false);

} // namespace cnnc

#endif // CNNC_TOOLS_CNNC_LINK_H
