//===- TrainOptions.cpp - Optimizer and penalty flags ---------------------===//

#include "TrainOptions.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace cnnrt::cli {

namespace {

constexpr double kHuge = 1e30;

bool parseStrength(const std::string &text, double &out) {
  // Decimal, as the other reals (strtod alone would take 0x10 and inf).
  if (text.empty() ||
      text.find_first_not_of("0123456789.eE+-") != std::string::npos)
    return false;
  char *end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  return !*end && !errno && std::isfinite(out) && out >= 0;
}

} // namespace

SgdParams defaultSgd(const Model &model) {
  const cnnrt_train_config &t = model.desc().train;
  SgdParams sgd;
  sgd.lr = t.lr;
  sgd.momentum = t.momentum;
  sgd.dampening = t.dampening;
  sgd.weightDecay = t.weight_decay;
  sgd.nesterov = t.nesterov != 0;
  if (t.penalty == CNNRT_PENALTY_L2)
    sgd.l2 = t.penalty_strength;
  else if (t.penalty == CNNRT_PENALTY_L1)
    sgd.l1 = t.penalty_strength;
  return sgd;
}

std::string parsePenalty(const std::string &text, SgdParams &sgd) {
  const char *expected =
      "expected none, l2:STRENGTH, l1:STRENGTH or l2:A,l1:B with "
      "non-negative strengths";
  if (text == "none") {
    sgd.l1 = sgd.l2 = 0;
    return "";
  }
  double l1 = 0, l2 = 0;
  bool seen1 = false, seen2 = false;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::size_t colon = item.find(':');
    std::string kind = item.substr(0, colon);
    double value = 0;
    if (colon == std::string::npos ||
        !parseStrength(item.substr(colon + 1), value))
      return expected;
    bool &seen = kind == "l1" ? seen1 : seen2;
    if ((kind != "l1" && kind != "l2") || seen)
      return expected;
    seen = true;
    (kind == "l1" ? l1 : l2) = value;
  }
  if (!seen1 && !seen2)
    return expected;
  if (text.back() == ',')
    return expected;
  sgd.l1 = l1;
  sgd.l2 = l2;
  return "";
}

std::string penaltyText(const SgdParams &sgd) {
  if (sgd.l1 == 0 && sgd.l2 == 0)
    return "none";
  if (sgd.l1 == 0)
    return fmt::format("l2:{}", sgd.l2);
  if (sgd.l2 == 0)
    return fmt::format("l1:{}", sgd.l1);
  return fmt::format("l2:{},l1:{}", sgd.l2, sgd.l1);
}

void addSgdOptions(CommandLine &cl, SgdParams &sgd) {
  cl.positiveReal("lr", "LR",
                  fmt::format("learning rate (default {})", sgd.lr), sgd.lr,
                  kHuge);
  cl.real("momentum", "M",
          fmt::format("SGD momentum (default {})", sgd.momentum), sgd.momentum,
          0, kHuge);
  cl.real("dampening", "D",
          fmt::format("dampening of the momentum (default {})", sgd.dampening),
          sgd.dampening, -kHuge, kHuge);
  cl.custom("nesterov", "BOOL",
            fmt::format("Nesterov momentum, true or false (default {})",
                        boolText(sgd.nesterov)),
            [&sgd](const std::string &v) -> std::string {
              if (v != "true" && v != "false")
                return "expected true or false";
              sgd.nesterov = v == "true";
              return "";
            });
  cl.real("weight-decay", "WD",
          fmt::format("SGD weight decay: adds WD*p to each gradient (default "
                      "{})",
                      sgd.weightDecay),
          sgd.weightDecay, 0, kHuge);
  cl.custom("penalty", "P",
            fmt::format("the lecture's penalty added to the loss over every "
                        "parameter: l2:L (L*sum p^2), l1:L (L*sum |p|), "
                        "l2:A,l1:B, or none (default {})",
                        penaltyText(sgd)),
            [&sgd](const std::string &v) { return parsePenalty(v, sgd); });
}

void checkSgd(const SgdParams &sgd) {
  // torch.optim.SGD: "Nesterov momentum requires a momentum and zero
  // dampening".
  if (sgd.nesterov && (sgd.momentum <= 0 || sgd.dampening != 0))
    throw UsageError(fmt::format(
        "Nesterov momentum needs a momentum above 0 and zero dampening (got "
        "momentum {}, dampening {}), as torch.optim.SGD does",
        sgd.momentum, sgd.dampening));
}

std::string sgdSummary(const SgdParams &sgd) {
  return fmt::format("sgd lr={} momentum={} dampening={} weight_decay={} "
                     "nesterov={}, penalty {}",
                     sgd.lr, sgd.momentum, sgd.dampening, sgd.weightDecay,
                     boolText(sgd.nesterov), penaltyText(sgd));
}

} // namespace cnnrt::cli
