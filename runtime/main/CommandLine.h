//===- CommandLine.h - Flags of the model executable's subcommands -*- C++ -*-===//
//
// Each subcommand declares its flags on a CommandLine (name, value name, help,
// where the parsed value goes) and parses its arguments with it. `--name
// value` and `--name=value` both work; a repeated flag keeps its last value.
// Anything wrong (an unknown flag, a missing or malformed value, a stray
// argument) throws UsageError, which the driver reports with exit status 2;
// `--help`/`-h` prints the generated help to stdout instead.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_COMMANDLINE_H
#define CNNRT_MAIN_COMMANDLINE_H

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cnnrt::cli {

/// A malformed command line: exit status 2.
class UsageError : public std::runtime_error {
public:
  explicit UsageError(const std::string &message, std::string reason = "")
      : std::runtime_error(message),
        reason_(reason.empty() ? message : std::move(reason)) {}
  /// What is wrong, without the pointer to --help.
  const std::string &reason() const { return reason_; }

private:
  std::string reason_;
};

class CommandLine {
public:
  /// `command` is the subcommand's name ("eval"), `summary` the one-line
  /// description shown in the help.
  CommandLine(std::string program, std::string command, std::string summary);

  /// A flag without a value.
  void flag(const std::string &name, const std::string &help, bool &target);
  /// A string value; `target` keeps its default if the flag is absent.
  void string(const std::string &name, const std::string &metavar,
              const std::string &help, std::string &target);
  /// An integer in [min, max].
  void integer(const std::string &name, const std::string &metavar,
               const std::string &help, std::int64_t &target,
               std::int64_t min, std::int64_t max);
  /// An unsigned 64-bit integer (a seed).
  void u64(const std::string &name, const std::string &metavar,
           const std::string &help, std::uint64_t &target);
  /// One of `choices`.
  void choice(const std::string &name, const std::string &metavar,
              const std::string &help, std::string &target,
              const std::vector<std::string> &choices);
  /// A finite real number in [min, max], in decimal (1e-3, 0.5; not 0x10).
  void real(const std::string &name, const std::string &metavar,
            const std::string &help, double &target, double min, double max);
  /// A finite real number above 0 and at most `max` (a learning rate).
  void positiveReal(const std::string &name, const std::string &metavar,
                    const std::string &help, double &target, double max);
  /// A value with its own parser: `set` stores the value and returns "", or
  /// returns what is wrong with it (reported like the other flags' errors).
  void custom(const std::string &name, const std::string &metavar,
              const std::string &help,
              std::function<std::string(const std::string &)> set);
  /// `-letter` as another spelling of the declared flag `name` (`-o OUT`).
  void shortName(char letter, const std::string &name);
  /// Words that are not flags (image files) go to `target`, in order; `--`
  /// makes every later word one. Without this, such a word is an error.
  void positional(const std::string &metavar, std::vector<std::string> &target);
  /// A flag that must be given (checked by parse).
  void require(const std::string &name);

  /// Parses `args` (the words after the subcommand). Returns false when help
  /// was asked for (and printed); throws UsageError on a bad command line.
  bool parse(const std::vector<std::string> &args);

  /// Gives the declared flag `name` the value `value` as if from the command
  /// line, with the same checks, but without counting it as given (a value
  /// recorded in a checkpoint). Throws UsageError.
  void apply(const std::string &name, const std::string &value);
  /// True if the flag appeared on the command line.
  bool given(const std::string &name) const;

  std::string help() const;

private:
  struct Option {
    std::string name, metavar, help;
    bool takesValue = true;
    bool required = false;
    bool seen = false;
    char letter = 0; ///< shortName, 0 for none
    std::function<void(const std::string &)> set;
  };
  Option &add(const std::string &name, const std::string &metavar,
              const std::string &help, bool takesValue,
              std::function<void(const std::string &)> set);
  Option *find(const std::string &name);
  const Option *find(const std::string &name) const;
  [[noreturn]] void error(const std::string &message) const;

  std::string program_, command_, summary_;
  std::vector<Option> options_;
  std::vector<std::string> *positional_ = nullptr;
  std::string positionalMetavar_;
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_COMMANDLINE_H
