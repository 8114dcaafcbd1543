//===- Link.cpp - a model object and libcnnrt into an executable ----------===//
#include "Link.h"
#include "OutputFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace cnnc {
namespace {

void linkError(const llvm::Twine &msg) {
  llvm::errs() << "cnnc: error: " << msg << "\n";
}

/// Removes a temporary file when it goes out of scope, unless released.
struct TempFile {
  llvm::SmallString<128> path;
  ~TempFile() {
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
};

/// The directory holding libcnnrt_main.a and libcnnrt.a: found relative to
/// cnnc's own executable, as the build tree (bin/, lib/) or an installation
/// (CMAKE_INSTALL_BINDIR, CMAKE_INSTALL_LIBDIR) lays them out, so that an
/// installed or moved cnnc needs no build tree. Empty (reported) if neither.
std::string runtimeLibDir() {
  // Any function of this executable serves getMainExecutable, which reads
  // /proc/self/exe on Linux.
  std::string self = llvm::sys::fs::getMainExecutable(
      "cnnc", reinterpret_cast<void *>(&runtimeLibDir));
  llvm::StringRef binDir = llvm::sys::path::parent_path(self);
  std::string tried;
  for (llvm::StringRef rel : {CNNC_BUILD_LIB_RELDIR, CNNC_INSTALL_LIB_RELDIR}) {
    llvm::SmallString<256> dir(binDir);
    llvm::sys::path::append(dir, rel);
    llvm::sys::path::remove_dots(dir, /*remove_dot_dot=*/true);
    llvm::SmallString<256> lib(dir);
    llvm::sys::path::append(lib, "libcnnrt_main.a");
    if (llvm::sys::fs::exists(lib))
      return std::string(dir);
    tried += (tried.empty() ? "" : ", ") + std::string(dir);
  }
  linkError("cannot find the runtime (libcnnrt_main.a) beside cnnc '" + self +
            "': looked in " + tried);
  return {};
}

} // namespace

bool linkExecutable(const std::vector<std::string> &objects,
                    llvm::StringRef output, bool exportHostKernels) {
  std::vector<TempFile> objs(objects.size());
  for (std::size_t i = 0; i < objects.size(); ++i) {
    int fd;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
            "cnnc-model", "o", fd, objs[i].path)) {
      linkError("cannot create a temporary object file: " + ec.message());
      return false;
    }
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << objects[i];
    os.close();
    if (os.has_error()) {
      linkError("cannot write '" + objs[i].path + "'");
      return false;
    }
  }

  // Linked into a temporary, then written over the output as every output
  // is (OutputFile.h).
  TempFile exe;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("cnnc-exe", "", exe.path)) {
    linkError("cannot create a temporary executable: " + ec.message());
    return false;
  }

  std::string libDir = runtimeLibDir();
  if (libDir.empty())
    return false;
  auto cxx = llvm::sys::findProgramByName(CNNC_CXX_COMPILER);
  if (!cxx) {
    linkError(llvm::Twine("cannot find the C++ compiler '") +
              CNNC_CXX_COMPILER + "' to link with");
    return false;
  }
  std::vector<std::string> args = {*cxx, "-o", std::string(exe.path)};
  for (const TempFile &obj : objs)
    args.emplace_back(obj.path);
  // By path: -lcnnrt would pick the shared libcnnrt.so beside it.
  args.insert(args.end(), {libDir + "/libcnnrt_main.a",
                           libDir + "/libcnnrt.a", "-lpng", "-lfmt", "-lz",
                           "-lomp", "-lm"});
#ifdef CNNC_MPI_LIBRARIES
  // The runtime's data-parallel training (runtime/main/Replicas.h).
  for (llvm::StringRef lib : llvm::split(CNNC_MPI_LIBRARIES, ','))
    if (!lib.empty())
      args.push_back(lib.str());
#endif
  if (exportHostKernels)
    args.push_back("-Wl,--export-dynamic-symbol=cnnrt_fake_kernel_*");
#ifdef CNNC_LINK_SANITIZERS
  // The runtime of a sanitizer build is instrumented; so must the link be.
  args.push_back("-fsanitize=address,undefined");
#endif
  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*cxx, argRefs, std::nullopt, {}, 0, 0,
                                     &message);
  if (rc != 0) {
    linkError("linking '" + output + "' failed" +
              (message.empty() ? "" : ": " + message));
    return false;
  }
  auto linked = llvm::MemoryBuffer::getFile(exe.path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!linked) {
    linkError("cannot read the linked executable: " +
              linked.getError().message());
    return false;
  }
  std::string error;
  if (!writeOutputFile(output.str(), (*linked)->getBuffer(),
                       /*executable=*/true, error)) {
    linkError(error);
    return false;
  }
  return true;
}

} // namespace cnnc
