//===- Value.cpp ----------------------------------------------------------===//
#include "frontend/Value.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace cnnc;

std::string cnnc::formatDouble(double v) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v < 0 ? "-inf" : "inf";
  char buf[64];
  for (int prec = 6; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v)
      break;
  }
  return buf;
}

std::string Const::str() const {
  switch (kind) {
  case Int: return std::to_string(i);
  case Bool: return b ? "true" : "false";
  case Float: {
    std::string s = formatDouble(f);
    // Keep a float recognisable as one.
    if (s.find_first_of(".en") == std::string::npos)
      s += ".0";
    return s;
  }
  }
  return "";
}

const char *Const::typeName() const {
  switch (kind) {
  case Int: return "integer";
  case Float: return "float";
  case Bool: return "bool";
  }
  return "";
}

std::string Const::describe() const { return std::string(typeName()) + " " + str(); }
