//===- CommandLine.cpp - Flags of the model executable's subcommands ------===//

#include "CommandLine.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace cnnrt::cli {

namespace {

/// Strict decimal parse: optional '-', digits only, no overflow.
std::optional<std::int64_t> parseInt(const std::string &text) {
  if (text.empty() || text.find_first_not_of("-0123456789") != std::string::npos)
    return std::nullopt;
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (*end || errno)
    return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parseUnsigned(const std::string &text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  char *end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (*end || errno)
    return std::nullopt;
  return v;
}

/// Decimal only: strtod would also take 0x10, inf and nan.
std::optional<double> parseReal(const std::string &text) {
  if (text.empty() ||
      text.find_first_not_of("0123456789.eE+-") != std::string::npos)
    return std::nullopt;
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (*end || errno || !std::isfinite(v))
    return std::nullopt;
  return v;
}

std::vector<std::string> splitWords(const std::string &text) {
  std::vector<std::string> words;
  std::size_t at = 0;
  while ((at = text.find_first_not_of(' ', at)) != std::string::npos) {
    std::size_t end = std::min(text.find(' ', at), text.size());
    words.push_back(text.substr(at, end - at));
    at = end;
  }
  return words;
}

/// Joins `words` into lines of at most kHelpWidth columns (a longer word gets
/// a line of its own); the first line starts at column `first`, the others
/// are indented to `indent`. Ends with a newline.
std::string wrap(const std::vector<std::string> &words, std::size_t first,
                 std::size_t indent) {
  constexpr std::size_t kHelpWidth = 79;
  std::string text;
  std::size_t column = first;
  bool lineEmpty = true;
  for (const std::string &word : words) {
    if (!lineEmpty && column + 1 + word.size() > kHelpWidth) {
      text += "\n" + std::string(indent, ' ');
      column = indent;
      lineEmpty = true;
    }
    if (!lineEmpty) {
      text += ' ';
      ++column;
    }
    text += word;
    column += word.size();
    lineEmpty = false;
  }
  return text + "\n";
}

} // namespace

CommandLine::CommandLine(std::string program, std::string command,
                         std::string summary)
    : program_(std::move(program)), command_(std::move(command)),
      summary_(std::move(summary)) {}

CommandLine::Option &
CommandLine::add(const std::string &name, const std::string &metavar,
                 const std::string &help, bool takesValue,
                 std::function<void(const std::string &)> set) {
  Option option;
  option.name = name;
  option.metavar = metavar;
  option.help = help;
  option.takesValue = takesValue;
  option.set = std::move(set);
  options_.push_back(std::move(option));
  return options_.back();
}

void CommandLine::flag(const std::string &name, const std::string &help,
                       bool &target) {
  add(name, "", help, false, [&target](const std::string &) { target = true; });
}

void CommandLine::string(const std::string &name, const std::string &metavar,
                         const std::string &help, std::string &target) {
  add(name, metavar, help, true, [this, name, &target](const std::string &v) {
    if (v.empty())
      error(fmt::format("--{} needs a non-empty value", name));
    target = v;
  });
}

void CommandLine::integer(const std::string &name, const std::string &metavar,
                          const std::string &help, std::int64_t &target,
                          std::int64_t min, std::int64_t max) {
  add(name, metavar, help, true,
      [this, name, &target, min, max](const std::string &v) {
        std::optional<std::int64_t> n = parseInt(v);
        if (!n || *n < min || *n > max)
          error(fmt::format("--{} expects an integer from {} to {}, got '{}'",
                            name, min, max, v));
        target = *n;
      });
}

void CommandLine::u64(const std::string &name, const std::string &metavar,
                      const std::string &help, std::uint64_t &target) {
  add(name, metavar, help, true, [this, name, &target](const std::string &v) {
    std::optional<std::uint64_t> n = parseUnsigned(v);
    if (!n)
      error(fmt::format(
          "--{} expects an integer from 0 to 18446744073709551615, got '{}'",
          name, v));
    target = *n;
  });
}

void CommandLine::choice(const std::string &name, const std::string &metavar,
                         const std::string &help, std::string &target,
                         const std::vector<std::string> &choices) {
  add(name, metavar, help, true,
      [this, name, &target, choices](const std::string &v) {
        if (std::find(choices.begin(), choices.end(), v) == choices.end())
          error(fmt::format("--{} expects one of {}, got '{}'", name,
                            fmt::join(choices, ", "), v));
        target = v;
      });
}

void CommandLine::real(const std::string &name, const std::string &metavar,
                       const std::string &help, double &target, double min,
                       double max) {
  add(name, metavar, help, true,
      [this, name, &target, min, max](const std::string &v) {
        std::optional<double> x = parseReal(v);
        if (!x || *x < min || *x > max)
          error(fmt::format("--{} expects a number from {} to {}, got '{}'",
                            name, min, max, v));
        target = *x;
      });
}

void CommandLine::positiveReal(const std::string &name,
                               const std::string &metavar,
                               const std::string &help, double &target,
                               double max) {
  add(name, metavar, help, true,
      [this, name, &target, max](const std::string &v) {
        std::optional<double> x = parseReal(v);
        if (!x || !(*x > 0) || *x > max)
          error(fmt::format("--{} expects a number above 0 and at most {}, "
                            "got '{}'",
                            name, max, v));
        target = *x;
      });
}

void CommandLine::custom(const std::string &name, const std::string &metavar,
                         const std::string &help,
                         std::function<std::string(const std::string &)> set) {
  add(name, metavar, help, true,
      [this, name, set = std::move(set)](const std::string &v) {
        std::string why = set(v);
        if (!why.empty())
          error(fmt::format("--{} '{}': {}", name, v, why));
      });
}

void CommandLine::shortName(char letter, const std::string &name) {
  if (Option *option = find(name))
    option->letter = letter;
}

void CommandLine::positional(const std::string &metavar,
                             std::vector<std::string> &target) {
  positional_ = &target;
  positionalMetavar_ = metavar;
}

void CommandLine::require(const std::string &name) {
  if (Option *option = find(name))
    option->required = true;
}

CommandLine::Option *CommandLine::find(const std::string &name) {
  for (Option &option : options_)
    if (option.name == name)
      return &option;
  return nullptr;
}

const CommandLine::Option *CommandLine::find(const std::string &name) const {
  for (const Option &option : options_)
    if (option.name == name)
      return &option;
  return nullptr;
}

bool CommandLine::given(const std::string &name) const {
  const Option *option = find(name);
  return option && option->seen;
}

void CommandLine::error(const std::string &message) const {
  throw UsageError(
      fmt::format("{} (see '{} {} --help')", message, program_, command_),
      message);
}

void CommandLine::apply(const std::string &name, const std::string &value) {
  Option *option = find(name);
  if (!option || !option->takesValue)
    error(fmt::format("unknown flag '--{}'", name));
  option->set(value);
}

bool CommandLine::parse(const std::vector<std::string> &args) {
  bool flagsEnded = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (positional_ && (flagsEnded || arg.empty() || arg[0] != '-')) {
      positional_->push_back(arg);
      continue;
    }
    if (positional_ && arg == "--") {
      flagsEnded = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      fmt::print("{}", help());
      return false;
    }
    Option *option = nullptr;
    std::string name;
    std::size_t eq = std::string::npos;
    if (arg.size() == 2 && arg[0] == '-' && arg[1] != '-') {
      for (Option &o : options_)
        if (o.letter == arg[1])
          option = &o;
      if (!option)
        error(fmt::format("unexpected argument '{}'", arg));
      name = option->name;
    } else {
      if (arg.size() < 3 || arg.compare(0, 2, "--") != 0)
        error(fmt::format("unexpected argument '{}'", arg));
      eq = arg.find('=');
      name = arg.substr(2, eq == std::string::npos ? std::string::npos
                                                   : eq - 2);
      option = find(name);
    }
    if (!option)
      error(fmt::format("unknown flag '--{}'", name));
    std::string value;
    if (!option->takesValue) {
      if (eq != std::string::npos)
        error(fmt::format("--{} takes no value", name));
    } else if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else {
      // A following flag is not taken as the value: `--load --seed 1` is a
      // missing value, not a checkpoint named "--seed" (`--load=--seed` is).
      if (i + 1 == args.size() || args[i + 1].compare(0, 2, "--") == 0)
        error(fmt::format("--{} needs a value ({})", name, option->metavar));
      value = args[++i];
    }
    option->set(value);
    option->seen = true;
  }
  for (const Option &option : options_)
    if (option.required && !option.seen)
      error(fmt::format("--{} {} is required", option.name, option.metavar));
  return true;
}

std::string CommandLine::help() const {
  std::vector<std::string> words = {"usage:", program_, command_};
  for (const Option &option : options_) {
    std::string word = option.letter ? std::string("-") + option.letter
                                     : "--" + option.name;
    if (option.takesValue)
      word += " " + option.metavar;
    words.push_back(option.required ? word : "[" + word + "]");
  }
  if (positional_)
    words.push_back(positionalMetavar_ + "...");
  std::string text = wrap(words, 0, std::string("usage: ").size() +
                                        program_.size() + 1 +
                                        command_.size() + 1);
  text += "\n" + wrap(splitWords(summary_), 0, 0) + "\noptions:\n";
  std::vector<std::string> left;
  std::size_t width = std::string("-h, --help").size();
  for (const Option &option : options_) {
    std::string word = "--" + option.name;
    if (option.letter)
      word = fmt::format("-{}, {}", option.letter, word);
    if (option.takesValue)
      word += " " + option.metavar;
    width = std::max(width, word.size());
    left.push_back(word);
  }
  left.push_back("-h, --help");
  for (std::size_t i = 0; i < left.size(); ++i) {
    std::string help = i < options_.size() ? options_[i].help : "show this help";
    std::string head = fmt::format("  {:<{}}  ", left[i], width);
    text += head + wrap(splitWords(help), head.size(), head.size());
  }
  return text;
}

} // namespace cnnrt::cli
