// Links with an object from cnnc-pipeline-tool whose entry point is
//   void forward(memref<?xi8> arena, memref<?xCxHxWxf32> in, memref<?x...xf32> out)
// (llvm.emit_c_interface: _mlir_ciface_forward takes descriptor pointers).
//
//   harness ARENA INPUT OUTPUT N C H W OUT_DIMS... [--iters K]
// reads the arena and the input (raw little-endian f32), runs forward once,
// writes the output; with --iters K (K > 0) also times K more runs and prints
// "median_ms <m> min_ms <m>".
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

template <typename T, int N> struct MemRef {
  T *allocated;
  T *aligned;
  int64_t offset;
  int64_t sizes[N];
  int64_t strides[N];
};

template <typename T, int N>
MemRef<T, N> view(T *data, const int64_t (&sizes)[N]) {
  MemRef<T, N> m{data, data, 0, {}, {}};
  int64_t stride = 1;
  for (int i = N - 1; i >= 0; --i) {
    m.sizes[i] = sizes[i];
    m.strides[i] = stride;
    stride *= sizes[i];
  }
  return m;
}

extern "C" void _mlir_ciface_forward(MemRef<int8_t, 1> *arena,
                                     MemRef<float, 4> *input, void *output);

static std::vector<char> readFile(const char *path) {
  FILE *f = std::fopen(path, "rb");
  if (!f) {
    std::perror(path);
    std::exit(1);
  }
  std::fseek(f, 0, SEEK_END);
  long n = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  std::vector<char> data(n);
  if (std::fread(data.data(), 1, n, f) != size_t(n)) {
    std::perror(path);
    std::exit(1);
  }
  std::fclose(f);
  return data;
}

int main(int argc, char **argv) {
  if (argc < 10) {
    std::fprintf(stderr, "usage: %s ARENA INPUT OUTPUT N C H W OUT_DIMS... "
                         "[--iters K]\n", argv[0]);
    return 2;
  }
  int iters = 0;
  std::vector<int64_t> dims;
  for (int i = 4; i < argc; ++i) {
    if (std::string(argv[i]) == "--iters" && i + 1 < argc) {
      iters = std::atoi(argv[++i]);
      continue;
    }
    dims.push_back(std::atoll(argv[i]));
  }
  int64_t n = dims[0], c = dims[1], h = dims[2], w = dims[3];
  std::vector<int64_t> outDims(dims.begin() + 4, dims.end());
  if (outDims.size() != 2 && outDims.size() != 4) {
    std::fprintf(stderr, "output rank must be 2 or 4\n");
    return 2;
  }

  std::vector<char> arenaBytes = readFile(argv[1]);
  std::vector<char> inputBytes = readFile(argv[2]);
  if (inputBytes.size() != size_t(n * c * h * w) * sizeof(float)) {
    std::fprintf(stderr, "input size mismatch\n");
    return 1;
  }
  // 64-byte aligned copies, as the runtime's arena would be.
  auto *arena = static_cast<int8_t *>(
      std::aligned_alloc(64, (arenaBytes.size() + 63) / 64 * 64));
  std::memcpy(arena, arenaBytes.data(), arenaBytes.size());
  auto *input = static_cast<float *>(
      std::aligned_alloc(64, (inputBytes.size() + 63) / 64 * 64));
  std::memcpy(input, inputBytes.data(), inputBytes.size());
  int64_t outCount = 1;
  for (int64_t d : outDims)
    outCount *= d;
  std::vector<float> output(outCount, 0.0f);

  MemRef<int8_t, 1> arenaRef = view(arena, {int64_t(arenaBytes.size())});
  MemRef<float, 4> inputRef = view(input, {n, c, h, w});
  MemRef<float, 2> out2;
  MemRef<float, 4> out4;
  void *outRef;
  if (outDims.size() == 2) {
    out2 = view(output.data(), {outDims[0], outDims[1]});
    outRef = &out2;
  } else {
    out4 = view(output.data(), {outDims[0], outDims[1], outDims[2], outDims[3]});
    outRef = &out4;
  }

  _mlir_ciface_forward(&arenaRef, &inputRef, outRef);
  FILE *f = std::fopen(argv[3], "wb");
  if (!f || std::fwrite(output.data(), sizeof(float), output.size(), f) !=
                output.size()) {
    std::perror(argv[3]);
    return 1;
  }
  std::fclose(f);

  if (iters > 0) {
    for (int i = 0; i < 5; ++i) // warm up threads and caches
      _mlir_ciface_forward(&arenaRef, &inputRef, outRef);
    std::vector<double> times;
    for (int i = 0; i < iters; ++i) {
      auto start = std::chrono::steady_clock::now();
      _mlir_ciface_forward(&arenaRef, &inputRef, outRef);
      auto end = std::chrono::steady_clock::now();
      times.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    std::sort(times.begin(), times.end());
    std::printf("median_ms %.4f min_ms %.4f\n", times[times.size() / 2], times[0]);
  }
  std::free(arena);
  std::free(input);
  return 0;
}
