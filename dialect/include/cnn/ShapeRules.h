//===- ShapeRules.h - output shapes of the cnn ops --------------*- C++ -*-===//
//
// The shape arithmetic of each op, free of MLIR so that the front end (which
// reports errors at source locations) and the dialect's verifiers and type
// inference agree by construction. Shapes here exclude the batch dimension.
//
//===----------------------------------------------------------------------===//
#ifndef CNN_SHAPERULES_H
#define CNN_SHAPERULES_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cnn::shape {

using Shape = std::vector<int64_t>;

/// Either an output shape or a message saying why the input is rejected.
struct Result {
  Shape shape;
  std::string error; // empty on success
  explicit operator bool() const { return error.empty(); }
  static Result ok(Shape s) { return {std::move(s), {}}; }
  static Result fail(std::string e) { return {{}, std::move(e)}; }
};

/// Output extent of a sliding window, as PyTorch computes it (floor mode).
inline int64_t windowOutput(int64_t in, int64_t kernel, int64_t stride,
                            int64_t padding) {
  return (in + 2 * padding - kernel) / stride + 1;
}

inline std::string str(const Shape &s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

/// conv2d: input [C, H, W], weight [O, C, KH, KW] -> [O, OH, OW].
inline Result conv2d(const Shape &in, int64_t inChannels, int64_t outChannels,
                     int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                     int64_t ph, int64_t pw) {
  if (in.size() != 3)
    return Result::fail("conv2d expects a [channels, height, width] input, got " +
                        str(in));
  if (in[0] != inChannels)
    return Result::fail("conv2d expects " + std::to_string(inChannels) +
                        " input channels, got " + std::to_string(in[0]));
  if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || ph < 0 || pw < 0)
    return Result::fail("conv2d needs a positive kernel and stride and a "
                        "non-negative padding");
  if (in[1] + 2 * ph < kh || in[2] + 2 * pw < kw)
    return Result::fail("conv2d kernel " + std::to_string(kh) + "x" +
                        std::to_string(kw) + " is larger than its padded input " +
                        std::to_string(in[1] + 2 * ph) + "x" +
                        std::to_string(in[2] + 2 * pw));
  return Result::ok({outChannels, windowOutput(in[1], kh, sh, ph),
                     windowOutput(in[2], kw, sw, pw)});
}

/// max_pool2d / avg_pool2d without padding: [C, H, W] -> [C, OH, OW].
inline Result pool2d(const char *op, const Shape &in, int64_t kh, int64_t kw,
                     int64_t sh, int64_t sw) {
  if (in.size() != 3)
    return Result::fail(std::string(op) +
                        " expects a [channels, height, width] input, got " +
                        str(in));
  if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0)
    return Result::fail(std::string(op) + " needs a positive kernel and stride");
  if (in[1] < kh || in[2] < kw)
    return Result::fail(std::string(op) + " window " + std::to_string(kh) + "x" +
                        std::to_string(kw) + " is larger than its input " +
                        std::to_string(in[1]) + "x" + std::to_string(in[2]));
  return Result::ok({in[0], windowOutput(in[1], kh, sh, 0),
                     windowOutput(in[2], kw, sw, 0)});
}

/// linear: [F] -> [O].
inline Result linear(const Shape &in, int64_t inFeatures, int64_t outFeatures) {
  if (in.size() != 1)
    return Result::fail("linear expects a flat [features] input, got " +
                        str(in) + "; flatten it first");
  if (in[0] != inFeatures)
    return Result::fail("linear expects " + std::to_string(inFeatures) +
                        " input features, got " + std::to_string(in[0]));
  return Result::ok({outFeatures});
}

/// batchnorm2d: [C, H, W] -> [C, H, W].
inline Result batchnorm2d(const Shape &in, int64_t features) {
  if (in.size() != 3)
    return Result::fail("batchnorm2d expects a [channels, height, width] input, got " +
                        str(in));
  if (in[0] != features)
    return Result::fail("batchnorm2d expects " + std::to_string(features) +
                        " channels, got " + std::to_string(in[0]));
  return Result::ok(in);
}

/// dropout2d zeroes whole channels: [C, H, W].
inline Result dropout2d(const Shape &in) {
  if (in.size() != 3)
    return Result::fail("dropout2d expects a [channels, height, width] input, got " +
                        str(in));
  return Result::ok(in);
}

/// flatten from dimension 1: [C, H, W] -> [C*H*W].
inline Result flatten(const Shape &in) {
  int64_t n = 1;
  for (int64_t d : in)
    n *= d;
  return Result::ok({n});
}

/// Residual add: both sides the same shape.
inline Result add(const Shape &lhs, const Shape &rhs) {
  if (lhs != rhs)
    return Result::fail("cannot add tensors of shapes " + str(lhs) + " and " +
                        str(rhs));
  return Result::ok(lhs);
}

} // namespace cnn::shape

#endif // CNN_SHAPERULES_H
