#pragma once
// MONSIM_RC_PROP: RC_GTEST_PROP whose failure ends with the exact command that
// replays the shrunk counterexample (RC_PARAMS with `reproduce=`, this binary,
// this test), so a red CI log can be replayed by copy and paste.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <sstream>
#include <string>

namespace monsim::testing {

inline std::string selfExe() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "<test binary>";
}

template <typename Testable>
void checkWithReproduce(Testable&& testable) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata md;
  md.id = std::string(info->test_suite_name()) + "/" + info->name();
  md.description = info->name();
  const auto result = rc::detail::checkTestable(std::forward<Testable>(testable), md);
  std::ostringstream msg;
  rc::detail::printResultMessage(result, msg);
  rc::detail::FailureResult failure;
  if (!result.match(failure)) {
    if (!result.template is<rc::detail::SuccessResult>()) FAIL() << msg.str();
    std::cout << msg.str() << std::endl;  // the RC_CLASSIFY distribution
    return;
  }
  rc::detail::Configuration cfg = rc::detail::configuration();
  cfg.reproduce[md.id] = failure.reproduce;
  const char* root = std::getenv("MONSIM_ROOT");
  msg << "\nreproduce: " << (root ? std::string("MONSIM_ROOT=") + root + " " : "")
      << "RC_PARAMS=\"" << rc::detail::configToMinimalString(cfg) << "\" " << selfExe()
      << " --gtest_filter=" << info->test_suite_name() << "." << info->name() << "\n";
  FAIL() << msg.str();
}

}  // namespace monsim::testing

#define MONSIM_RC_PROP(Suite, Name, ArgList)                             \
  void monsimProp_##Suite##_##Name ArgList;                              \
  TEST(Suite, Name) {                                                    \
    ::monsim::testing::checkWithReproduce(&monsimProp_##Suite##_##Name); \
  }                                                                      \
  void monsimProp_##Suite##_##Name ArgList
