//===- Progress.cpp - What `train` shows while it runs --------------------===//

#include "Progress.h"

#include <fmt/format.h>

#include <cstdio>

namespace cnnrt::cli {

void Progress::startEpoch(std::int64_t epoch, std::int64_t epochs,
                          std::int64_t batches) {
  epoch_ = epoch;
  epochs_ = epochs;
  batches_ = batches;
  batch_ = 0;
  loss_ = imagesPerSecond_ = 0;
  lastDraw_ = -1;
  if (bar_)
    draw();
}

void Progress::update(std::int64_t batch, double meanLoss, std::int64_t images,
                      double seconds) {
  batch_ = batch;
  loss_ = meanLoss;
  imagesPerSecond_ = seconds > 0 ? double(images) / seconds : 0;
  if (!bar_)
    return;
  double now = clock_.seconds();
  if (batch == batches_ || lastDraw_ < 0 || now - lastDraw_ >= 0.1) {
    lastDraw_ = now;
    draw();
  }
}

void Progress::draw() {
  constexpr std::int64_t kWidth = 30;
  std::int64_t filled = batches_ ? kWidth * batch_ / batches_ : kWidth;
  std::string bar(std::size_t(filled), '=');
  if (filled < kWidth)
    bar += '>' + std::string(std::size_t(kWidth - filled - 1), ' ');
  // \r back to the line's start, \033[K erases what a longer line left.
  std::string text = fmt::format("\rEpoch {}/{} [{}] {}/{}", epoch_, epochs_,
                                 bar, batch_, batches_);
  if (batch_ > 0)
    text +=
        fmt::format("  loss {:.4f}  {:.0f} images/s", loss_, imagesPerSecond_);
  std::fputs((text + "\033[K").c_str(), stdout);
  std::fflush(stdout);
  shown_ = true;
}

void Progress::clear() {
  if (!shown_)
    return;
  std::fputs("\r\033[K", stdout);
  std::fflush(stdout);
  shown_ = false;
}

void Progress::line(const std::string &text) {
  bool redraw = shown_;
  clear();
  std::fputs((text + "\n").c_str(), stdout);
  if (redraw && batch_ < batches_)
    draw();
  std::fflush(stdout);
}

} // namespace cnnrt::cli
