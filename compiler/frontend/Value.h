//===- Value.h - compile-time constants -------------------------*- C++ -*-===//
//
// Model and block parameters, layer arguments and train settings evaluate to
// these: Python's int (as int64, overflow is an error), float and bool. A bool
// is not a number here, unlike in Python, so `kernel=true` is caught.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_VALUE_H
#define CNNC_FRONTEND_VALUE_H

#include <cstdint>
#include <string>

namespace cnnc {

struct Const {
  enum Kind { Int, Float, Bool } kind = Int;
  int64_t i = 0;
  double f = 0;
  bool b = false;

  static Const ofInt(int64_t v) { Const c; c.kind = Int; c.i = v; return c; }
  static Const ofFloat(double v) { Const c; c.kind = Float; c.f = v; return c; }
  static Const ofBool(bool v) { Const c; c.kind = Bool; c.b = v; return c; }

  bool isNumber() const { return kind != Bool; }
  double asDouble() const { return kind == Int ? double(i) : f; }
  /// As written in a model file: "32", "0.001", "32.0", "true".
  std::string str() const;
  /// For messages: "integer 32", "float 0.5", "bool true".
  std::string describe() const;
  /// "integer", "float", "bool".
  const char *typeName() const;
};

/// Shortest round-tripping spelling of a double ("0.001", "1e-05", "0.5").
std::string formatDouble(double v);

} // namespace cnnc

#endif // CNNC_FRONTEND_VALUE_H
