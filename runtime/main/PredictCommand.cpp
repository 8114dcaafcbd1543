//===- PredictCommand.cpp - `predict`: classify image files ---------------===//
//
// Each image is read (Image.h: PNG, PGM, PPM), converted to the model's
// channel count, resized to its input size (bilinear; refused with
// --no-resize), scaled to [0, 1] and normalised with the training split's
// per-channel statistics exactly as `train` and `eval` normalise (Data.h),
// then classified; the top classes are printed with their softmax
// probabilities and the data set's class names. Every image is read before
// any is classified, so a bad one stops the run before anything is printed.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "Data.h"
#include "Image.h"
#include "Model.h"
#include "Options.h"

#include "cnnrt/Error.h"
#include "cnnrt/Idx.h"
#include "cnnrt/Tensor.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace cnnrt::cli {

namespace {

struct Prediction {
  std::string path;
  Image original;                   ///< as read, for the report
  std::vector<double> probabilities; ///< softmax of the logits
};

/// `image` fitted to the model's input; throws Error naming the file when
/// (with --no-resize) it has another size.
Image fitImage(const std::string &path, const Image &image, const Model &model,
               bool noResize) {
  Image fitted = convertChannels(image, model.channels());
  if (fitted.height != model.height() || fitted.width != model.width()) {
    if (noResize)
      fail("{}: the image is {}x{} pixels, the model takes {}x{} (--no-resize "
           "refuses to resize it)",
           path, image.width, image.height, model.width(), model.height());
    fitted = resizeBilinear(fitted, model.height(), model.width());
  }
  return fitted;
}

std::vector<double> softmax(const float *logits, std::int64_t k) {
  double top = *std::max_element(logits, logits + k), sum = 0;
  std::vector<double> p(std::size_t(k), 0.0);
  for (std::int64_t i = 0; i < k; ++i)
    sum += p[std::size_t(i)] = std::exp(double(logits[i]) - top);
  for (double &v : p)
    v /= sum;
  return p;
}

/// Class indices by decreasing probability (ties: the lower index first).
std::vector<std::size_t> ranked(const std::vector<double> &p,
                                std::size_t count) {
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
  order.resize(std::min(count, order.size()));
  return order;
}

std::string shapeOf(const Image &image) {
  return fmt::format("{}x{}x{}", image.channels, image.height, image.width);
}

} // namespace

int runPredict(const CommandContext &ctx, const Args &args) {
  Model model(ctx.model);
  WeightOptions weights;
  DataOptions data;
  std::vector<std::string> paths;
  std::int64_t top = 3, threads = 0;
  bool json = false, noResize = false;
  CommandLine cl(
      ctx.program, "predict",
      fmt::format("Classifies image files (PNG, PGM, PPM): each is converted "
                  "to the model's {} channel(s), resized to {}x{} (bilinear, "
                  "as PyTorch's interpolate with align_corners=False) and "
                  "normalised with the training split's statistics as "
                  "training does; prints the top classes with their "
                  "probabilities.",
                  model.channels(), model.height(), model.width()));
  addWeightOptions(cl, weights, model);
  cl.choice("data", "NAME",
            "the data set the model was trained on, for its class names and "
            "statistics: fashion-mnist (default) or cifar10",
            data.name, {"fashion-mnist", "cifar10"});
  cl.string("data-dir", "DIR",
            fmt::format("folder of the data set's files (fashion-mnist: "
                        "default {})",
                        kFashionMnistDir),
            data.dir);
  cl.string("classes", "LIST",
            "the classes the model was trained on, as for train (default: "
            "all; cifar10: airplane,bird)",
            data.classes);
  cl.flag("no-normalize", "skip the normalisation (a model trained with it)",
          data.noNormalize);
  cl.integer("top", "K", "print the K most probable classes (default 3)", top,
             1, 1 << 20);
  cl.flag("no-resize", "refuse images of another size than the model's",
          noResize);
  cl.flag("json", "print JSON instead of one line per image", json);
  addThreadsOption(cl, threads);
  cl.positional("IMAGE", paths);
  if (!cl.parse(args))
    return 0;
  if (paths.empty())
    throw UsageError(fmt::format(
        "no image files given (see '{} predict --help')", ctx.program));

  // Everything that can fail on the inputs comes first.
  std::vector<Prediction> predictions;
  Dataset batch;
  batch.channels = model.channels();
  batch.height = model.height();
  batch.width = model.width();
  batch.numClasses = model.numClasses();
  for (const std::string &path : paths) {
    Image image = readImage(path);
    Image fitted = fitImage(path, image, model, noResize);
    batch.images.insert(batch.images.end(), fitted.pixels.begin(),
                        fitted.pixels.end());
    batch.labels.push_back(0);
    ++batch.count;
    predictions.push_back({path, std::move(image), {}});
  }
  ClassifierData classifier = prepareClassifierData(data, model);
  if (!data.noNormalize)
    normalize(batch, classifier.stats);
  applyThreads(threads);
  std::string weightText = prepareWeights(model, weights);

  std::int64_t size = model.sampleSize(), k = model.numClasses();
  std::int64_t chunk = std::min<std::int64_t>(batch.count, 64);
  AlignedBuffer x(std::size_t(chunk * size) * sizeof(float));
  AlignedBuffer y(std::size_t(chunk * k) * sizeof(float));
  for (std::int64_t at = 0; at < batch.count; at += chunk) {
    std::int64_t m = std::min(chunk, batch.count - at);
    std::memcpy(x.data(), batch.image(at), std::size_t(m * size) * sizeof(float));
    model.forward(reinterpret_cast<float *>(x.data()), m,
                  reinterpret_cast<float *>(y.data()));
    for (std::int64_t i = 0; i < m; ++i)
      predictions[std::size_t(at + i)].probabilities =
          softmax(reinterpret_cast<const float *>(y.data()) + i * k, k);
  }

  auto className = [&](std::size_t c) {
    return c < classifier.classNames.size() ? classifier.classNames[c]
                                            : fmt::format("class {}", c);
  };
  if (json) {
    nlohmann::ordered_json out;
    out["model"] = model.name();
    out["data"] = classifier.description;
    out["weights"] = weightText;
    out["images"] = nlohmann::ordered_json::array();
    for (const Prediction &p : predictions) {
      nlohmann::ordered_json entry;
      entry["file"] = p.path;
      entry["format"] = p.original.format;
      entry["shape"] = {p.original.channels, p.original.height,
                        p.original.width};
      nlohmann::ordered_json classes = nlohmann::ordered_json::array();
      for (std::size_t c : ranked(p.probabilities, std::size_t(top)))
        classes.push_back({{"class", c},
                           {"name", className(c)},
                           {"probability", p.probabilities[c]}});
      entry["top"] = classes;
      out["images"].push_back(entry);
    }
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  std::string want = fmt::format("{}x{}x{}", model.channels(), model.height(),
                                 model.width());
  for (const Prediction &p : predictions) {
    std::string shape = shapeOf(p.original);
    std::string note =
        shape == want ? "" : fmt::format(" ({} {} as {})", p.original.format,
                                         shape, want);
    std::string line;
    for (std::size_t c : ranked(p.probabilities, std::size_t(top)))
      line += fmt::format("{}{} {:.4f}", line.empty() ? "" : ", ",
                          className(c), p.probabilities[c]);
    fmt::print("{}{}: {}\n", p.path, note, line);
  }
  return 0;
}

} // namespace cnnrt::cli
