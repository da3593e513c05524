#pragma once
// Shared by the tests that run on real interpreters: the interpreter found for
// each spec version (discovered once per test binary) and the parameterisation
// over every version, so a missing interpreter skips with the same message.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "interpreter/discovery.h"
#include "model/version_profile.h"

namespace monsim::live {

inline std::optional<harness::Interpreter> interpreterFor(PyVersion v) {
  static const auto all = harness::discoverInterpreters();
  for (const auto& in : all)
    if (parseVersion(in.version) == v) return in;
  return std::nullopt;
}

inline std::string missingMessage(PyVersion v) {
  return "no Python " + std::string(versionName(v)) +
         " interpreter found (pyenv, PATH, node_modules/pyodide*); run ./run setup";
}

inline auto allVersions() {
  return ::testing::Values(PyVersion::V3_12, PyVersion::V3_13, PyVersion::V3_14,
                           PyVersion::V3_15);
}

inline std::string versionTestName(const ::testing::TestParamInfo<PyVersion>& info) {
  std::string n(versionName(info.param));
  n[1] = '_';
  return "Python" + n;
}

}  // namespace monsim::live
