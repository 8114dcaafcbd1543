//===- CudaDevice.h - The model's forward on an NVIDIA GPU -------*- C++ -*-===//
//
// The CUDA side of --device (Device.h): whether this machine can run the
// model's GPU code, and a Forward that runs it (cnnrt/CudaForward.h) on
// device 0 (CUDA_VISIBLE_DEVICES picks which GPU that is).
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_CUDADEVICE_H
#define CNNRT_MAIN_CUDADEVICE_H

#include "Device.h"

#include <memory>
#include <string>

namespace cnnrt::cli {

/// Why the model cannot run on a GPU here ("FakeMnist was compiled without
/// GPU code ...", "no CUDA driver (libcuda.so.1 not found)", "no CUDA GPU
/// (...)", "the model's GPU code is for sm_90, but device 0 ... is sm_80"),
/// or "" when it can.
std::string cudaUnavailable(const Model &model);

/// The forward on device 0, the model's weights copied to it. Requires
/// cudaUnavailable(model) to be "". Throws Error (a PTX the driver cannot
/// load, no memory).
std::unique_ptr<Forward> makeCudaForward(Model &model);

/// For `info`: the GPU this machine would run the model on ("device 0:
/// NVIDIA H200, sm_90, 132 SMs, 139.8 GiB; driver CUDA 13.0"), or why
/// there is none.
std::string cudaMachineSummary(const Model &model);

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_CUDADEVICE_H
