//===- Data.cpp - Choosing and preparing a data set -----------------------===//

#include "Data.h"

#include "cnnrt/Cifar.h"
#include "cnnrt/Error.h"
#include "cnnrt/Idx.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <sstream>
#include <sys/stat.h>

namespace cnnrt::cli {

namespace {

/// What the runtime knows of a data set before reading it.
struct DataSetKind {
  const char *name;
  std::int64_t channels, height, width;
  const char *defaultDir; ///< nullptr: --data-dir is required
  std::vector<std::string> classNames;
  std::string defaultClasses;
};

const std::vector<DataSetKind> &dataSetKinds() {
  static const std::vector<DataSetKind> kinds = {
      {"fashion-mnist", 1, 28, 28, kFashionMnistDir,
       {"t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
        "sneaker", "bag", "ankle-boot"},
       "all"},
      {"cifar10", 3, 32, 32, nullptr,
       {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
        "ship", "truck"},
       "airplane,bird"},
  };
  return kinds;
}

const DataSetKind &kindOf(const std::string &name) {
  for (const DataSetKind &k : dataSetKinds())
    if (name == k.name)
      return k;
  throw UsageError(fmt::format("unknown data set '{}'", name));
}

/// "all" or a comma-separated list of class indices or names. Empty for all.
std::vector<int> parseClasses(const DataSetKind &kind,
                              const std::string &text) {
  std::vector<int> classes;
  if (text == "all")
    return classes;
  auto bad = [&](const std::string &why) {
    return UsageError(fmt::format(
        "--classes '{}': {}; expected 'all' or a comma-separated list of "
        "class numbers 0-9 or names ({})",
        text, why, fmt::join(kind.classNames, ", ")));
  };
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    int c = -1;
    if (item.size() == 1 && item[0] >= '0' && item[0] <= '9') {
      c = item[0] - '0';
    } else {
      auto it = std::find(kind.classNames.begin(), kind.classNames.end(), item);
      if (it == kind.classNames.end())
        throw bad(fmt::format("'{}' is not a {} class", item, kind.name));
      c = int(it - kind.classNames.begin());
    }
    if (std::find(classes.begin(), classes.end(), c) != classes.end())
      throw bad(fmt::format("class {} is listed twice", c));
    classes.push_back(c);
  }
  if (classes.empty() || text.back() == ',')
    throw bad("empty class");
  if (classes.size() < 2)
    throw bad("a classifier needs at least two classes");
  return classes;
}

/// Keeps the samples of `classes` in order, relabelling classes[i] as i.
void selectClasses(Dataset &d, const std::vector<int> &classes) {
  if (classes.empty())
    return;
  std::vector<std::int64_t> newLabel(std::size_t(d.numClasses), -1);
  for (std::size_t i = 0; i < classes.size(); ++i)
    newLabel[std::size_t(classes[i])] = std::int64_t(i);
  std::int64_t size = d.imageSize(), kept = 0;
  for (std::int64_t i = 0; i < d.count; ++i) {
    std::int64_t l = newLabel[std::size_t(d.labels[std::size_t(i)])];
    if (l < 0)
      continue;
    if (kept != i) // moving towards the front: the ranges never cross
      std::copy_n(d.image(i), size, d.images.begin() + kept * size);
    d.labels[std::size_t(kept++)] = l;
  }
  d.count = kept;
  d.images.resize(std::size_t(kept * size));
  d.labels.resize(std::size_t(kept));
  d.numClasses = std::int64_t(classes.size());
}

void keepFirst(Dataset &d, std::int64_t n) {
  if (n <= 0 || n >= d.count)
    return;
  d.count = n;
  d.images.resize(std::size_t(n * d.imageSize()));
  d.labels.resize(std::size_t(n));
}

/// The model must take the data set's images and predict its classes.
/// `inFolder`: the images are a folder's, not the data set's own size, so
/// the data set itself is no alternative.
void checkFits(const Model &m, const DataSetKind &kind,
               std::int64_t numClasses, const std::string &dataName,
               bool inFolder = false) {
  bool shapeOk = m.channels() == kind.channels && m.height() == kind.height &&
                 m.width() == kind.width;
  bool classesOk = m.numClasses() == numClasses;
  if (shapeOk && classesOk)
    return;
  // The -D flags that would make the model fit, for the parameters it has.
  std::vector<std::pair<std::string, std::int64_t>> wanted = {
      {"in_chans", kind.channels}, {"n_classes", numClasses}};
  if (kind.height == kind.width)
    wanted.insert(wanted.begin() + 1, {"side", kind.height});
  std::vector<std::string> flags;
  for (const auto &[param, value] : wanted) {
    std::string have = m.hyperparam(param);
    if (!have.empty() && have != std::to_string(value))
      flags.push_back(fmt::format("-D {}={}", param, value));
  }
  std::string fix = flags.empty()
                        ? fmt::format("recompile the model for {}x{}x{} inputs "
                                      "and {} classes",
                                      kind.channels, kind.height, kind.width,
                                      numClasses)
                        : fmt::format("compile with {}", fmt::join(flags, " "));
  if (!shapeOk) {
    // Another data set the model fits as it is.
    std::string other;
    for (const DataSetKind &k : dataSetKinds())
      if (k.channels == m.channels() && k.height == m.height() &&
          k.width == m.width() && !(inFolder && std::string(k.name) == kind.name))
        other = fmt::format(", or use --data {}{}", k.name,
                            k.defaultDir ? "" : " --data-dir DIR");
    fail("model expects {} inputs, {} gives {}x{}x{}; {}{}",
         m.inputShapeString(), dataName, kind.channels, kind.height,
         kind.width, fix, other);
  }
  fail("model has {} classes, {} gives {}; {}, or choose {} classes with "
       "--classes",
       m.numClasses(), dataName, numClasses, fix, m.numClasses());
}

void checkDirectory(const std::string &dataName, const std::string &dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0)
    fail("{}: data directory '{}' does not exist", dataName, dir);
  if (!S_ISDIR(st.st_mode))
    fail("{}: '{}' is not a directory", dataName, dir);
}

Dataset loadSplit(const DataSetKind &kind, const std::string &dir, Split split,
                  const std::vector<int> &classes) {
  if (std::string(kind.name) == "cifar10")
    return loadCifar10(dir, split, classes);
  Dataset d = loadMnistLike(dir, split);
  selectClasses(d, classes);
  return d;
}

} // namespace

void addDataOptions(CommandLine &cl, DataOptions &o, bool withSplit) {
  cl.choice("data", "NAME",
            "data set: fashion-mnist (default) or cifar10 (binary batches)",
            o.name, {"fashion-mnist", "cifar10"});
  cl.string("data-dir", "DIR",
            fmt::format("folder of the data set's files (fashion-mnist: "
                        "default {})",
                        kFashionMnistDir),
            o.dir);
  cl.string("classes", "LIST",
            "'all' or class numbers/names, e.g. 0,2 or airplane,bird, "
            "relabelled 0..k-1 (default: all; cifar10: airplane,bird)",
            o.classes);
  if (withSplit)
    cl.choice("split", "SPLIT", "test (default) or train", o.split,
              {"test", "train"});
  cl.integer("limit", "N",
             withSplit ? "use only the first N samples of the split"
                       : "use only the first N samples of each split",
             o.limit, 1, std::int64_t(1) << 40);
  cl.flag("no-normalize",
          "skip the per-channel normalisation (training-split mean and std)",
          o.noNormalize);
}

namespace {

/// The flags resolved and checked against the model, before any file is read.
struct Selection {
  const DataSetKind *kind;
  std::string classText, dir;
  std::vector<int> classes;
  const Model *model;
  std::int64_t numClasses;
};

/// One split, its images checked against the model by their real size: a
/// folder in a data set's format may hold images of another size than the
/// data set's own (the model would read past them).
Dataset loadSplit(const Selection &sel, Split split,
                  const std::vector<int> &classes) {
  Dataset d = loadSplit(*sel.kind, sel.dir, split, classes);
  if (d.channels != sel.kind->channels || d.height != sel.kind->height ||
      d.width != sel.kind->width) {
    DataSetKind actual = *sel.kind;
    actual.channels = d.channels;
    actual.height = d.height;
    actual.width = d.width;
    checkFits(*sel.model, actual, sel.numClasses,
              fmt::format("'{}' ({} format)", sel.dir, sel.kind->name),
              /*inFolder=*/true);
  }
  return d;
}

Selection select(const DataOptions &o, const Model &model) {
  Selection sel;
  sel.kind = &kindOf(o.name);
  const DataSetKind &kind = *sel.kind;
  sel.classText = o.classes.empty() ? kind.defaultClasses : o.classes;
  sel.classes = parseClasses(kind, sel.classText);
  sel.dir = o.dir;
  if (sel.dir.empty()) {
    if (!kind.defaultDir)
      throw UsageError(fmt::format(
          "--data {} needs --data-dir DIR (the folder of its binary batches "
          "data_batch_1.bin ... data_batch_5.bin, test_batch.bin)",
          kind.name));
    sel.dir = kind.defaultDir;
  }
  std::int64_t numClasses =
      sel.classes.empty() ? std::int64_t(kind.classNames.size())
                          : std::int64_t(sel.classes.size());
  std::string dataName = kind.name;
  if (!sel.classes.empty())
    dataName += fmt::format(" with classes {}", sel.classText);
  checkFits(model, kind, numClasses, dataName);
  checkDirectory(kind.name, sel.dir);
  sel.model = &model;
  sel.numClasses = numClasses;
  return sel;
}

/// One split of the selection, limited; fails on an empty result.
Dataset loadSelected(const Selection &sel, Split split, std::int64_t limit) {
  Dataset d = loadSplit(sel, split, sel.classes);
  keepFirst(d, limit);
  if (d.count == 0)
    fail("{}: the {} split of '{}' has no samples of classes {}",
         sel.kind->name, split == Split::Train ? "train" : "test", sel.dir,
         sel.classText);
  return d;
}

} // namespace

PreparedData prepareData(const DataOptions &o, const Model &model) {
  Selection sel = select(o, model);
  PreparedData p;
  Split split = o.split == "train" ? Split::Train : Split::Test;
  p.data = loadSplit(sel, split, sel.classes);
  if (!o.noNormalize) {
    // Over the full training split, every class, as the lecture computes it.
    if (split == Split::Train && sel.classes.empty())
      p.stats = computeChannelStats(p.data);
    else
      p.stats = computeChannelStats(loadSplit(sel, Split::Train, {}));
  }
  keepFirst(p.data, o.limit);
  if (!o.noNormalize)
    normalize(p.data, p.stats);
  if (p.data.count == 0)
    fail("{}: the {} split of '{}' has no samples of classes {}",
         sel.kind->name, o.split, sel.dir, sel.classText);
  p.description = fmt::format("{} {} split ({}), classes {}", sel.kind->name,
                              o.split, sel.dir, sel.classText);
  return p;
}

TrainData prepareTrainData(const DataOptions &o, const Model &model) {
  Selection sel = select(o, model);
  TrainData t;
  if (!o.noNormalize) {
    if (sel.classes.empty()) {
      t.train = loadSplit(sel, Split::Train, {});
      t.stats = computeChannelStats(t.train);
    } else {
      t.stats = computeChannelStats(loadSplit(sel, Split::Train, {}));
    }
  }
  if (t.train.count == 0)
    t.train = loadSplit(sel, Split::Train, sel.classes);
  keepFirst(t.train, o.limit);
  if (t.train.count == 0)
    fail("{}: the train split of '{}' has no samples of classes {}",
         sel.kind->name, sel.dir, sel.classText);
  t.test = loadSelected(sel, Split::Test, o.limit);
  if (!o.noNormalize) {
    normalize(t.train, t.stats);
    normalize(t.test, t.stats);
  }
  t.description =
      fmt::format("{} ({}), classes {}", sel.kind->name, sel.dir, sel.classText);
  return t;
}

ClassifierData prepareClassifierData(const DataOptions &o, const Model &model) {
  Selection sel = select(o, model);
  ClassifierData c;
  if (sel.classes.empty())
    c.classNames = sel.kind->classNames;
  for (int k : sel.classes)
    c.classNames.push_back(sel.kind->classNames[std::size_t(k)]);
  if (!o.noNormalize)
    c.stats = computeChannelStats(loadSplit(sel, Split::Train, {}));
  c.description =
      fmt::format("{} ({}), classes {}", sel.kind->name, sel.dir, sel.classText);
  return c;
}

} // namespace cnnrt::cli
