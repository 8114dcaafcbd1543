# lit configuration for cnnc's tests.
import os
import subprocess

import lit.formats

config.name = "cnnc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".cnn", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cnnc_obj_root, "test")

config.environment["PATH"] = os.pathsep.join(
    [config.cnnc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
# PyTorch comes from Debian's python3-torch: the system interpreter, not a venv's.
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%models", os.path.join(config.cnnc_src_root, "models")))
# cnnc's target flags in the PyTorch comparisons (models/pytorch): none, this
# machine's CPU; models/pytorch-x86-64-v3 runs them again with -mcpu=x86-64-v3.
config.substitutions.append(("%mcpu", ""))
# The build tree, for `cmake --install` (test/cmake).
config.substitutions.append(("%cnnc_build", config.cnnc_obj_root))
# The tests' fake CUDA driver (runtime/tools/cnnrt-fake-cuda.cpp): a folder
# holding only libcuda.so.1, for LD_LIBRARY_PATH.
config.substitutions.append(("%fake_cuda", os.path.join(config.cnnc_obj_root, "lib", "fake-cuda")))
# libcnnrt for C programs that embed a model (--emit=lib).
config.substitutions.append(("%cnnrt_include", os.path.join(config.cnnc_src_root, "runtime", "include")))
config.substitutions.append(("%cnnrt_lib", os.path.join(config.cnnc_obj_root, "lib")))
# A program linking libcnnrt links with the build's C++ compiler: the
# sanitizer build's runtime (clang's) must match its instrumentation.
config.substitutions.append(("%cxx", config.cnnc_cxx))
# A sanitizer build's libcnnrt is instrumented; so must a program linking it be.
config.substitutions.append(("%cnnrt_link_flags",
                             "-fsanitize=address,undefined" if config.cnnc_sanitize else ""))
if config.cnnc_sanitize:
    config.available_features.add("sanitizer")
    # LLVM's inline allocators poison memory from our instrumented code while
    # the uninstrumented libMLIR.so writes to it: ignore manual poisoning.
    config.environment["ASAN_OPTIONS"] = "detect_leaks=1:allow_user_poisoning=0"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"

# The x86-64 levels this CPU runs (Linux's names in /proc/cpuinfo), for tests
# that run code compiled with -mcpu=x86-64-v3 (AVX2, FMA) or x86-64-v4
# (AVX-512).
def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()

_flags = _cpu_flags()
_v3 = {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"}
_v4 = _v3 | {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}
if _v3 <= _flags:
    config.available_features.add("x86-64-v3")
if _v4 <= _flags:
    config.available_features.add("x86-64-v4")

# Root in a mount namespace can mount a small tmpfs: a full disk for tests.
if subprocess.run(["unshare", "-m", "sh", "-c",
                    "mount -t tmpfs -o size=4k tmpfs /mnt"],
                   capture_output=True).returncode == 0:
    config.available_features.add("tmpfs-mount")

# strace, where installed and allowed to trace: tests that count system calls.
if subprocess.run(["sh", "-c", "strace -o /dev/null true"],
                  capture_output=True).returncode == 0:
    config.available_features.add("strace")

# Data-parallel training: a build with MPI and Open MPI's mpirun (both from
# scripts/setup.sh). %mpirun as root (the CI's containers), with more ranks
# than cores, each rank one OpenMP thread unless a test says otherwise.
import shutil
if getattr(config, "cnnc_mpi", False) and shutil.which("mpirun"):
    config.available_features.add("mpi")
# In a sanitizer build the ranks keep AddressSanitizer but not its leak
# check: Open MPI leaves its own allocations (op tables, components it has
# already unloaded, so no suppression can name them) to the process's end.
_rank_env = " -x OMP_NUM_THREADS=1"
if config.cnnc_sanitize:
    _rank_env += " -x ASAN_OPTIONS=detect_leaks=0:allow_user_poisoning=0"
config.substitutions.append(
    ("%mpirun",
     "mpirun --allow-run-as-root --oversubscribe --bind-to none "
     "--mca btl_base_warn_component_unused 0" + _rank_env))

# Network namespaces (root and iproute2's `ip netns`): test hosts of their
# own on this machine for MPI's TCP transport (test/runtime/mpi/netns.test).
_probe = "cnnc-probe-%d" % os.getpid()
if subprocess.run(["sh", "-c", "ip netns add %s && ip netns del %s" % (_probe, _probe)],
                  capture_output=True).returncode == 0:
    config.available_features.add("netns")

# ptxas (the CUDA toolkit's, optional: /usr/local/cuda on the project's
# machines, else on PATH): tests that assemble cnnc's PTX and check each
# kernel's registers and spills.
_ptxas = shutil.which("ptxas") or (
    "/usr/local/cuda/bin/ptxas" if os.access("/usr/local/cuda/bin/ptxas", os.X_OK) else None)
if _ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", _ptxas))
