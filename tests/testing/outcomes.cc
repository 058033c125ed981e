#include "tests/testing/outcomes.h"

#include <map>

#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/testing/binaries.h"
#include "tests/testing/subprocess.h"

namespace docket::testing {

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

v1::CommandOutcome NormalizedOutcome(const std::string& line) {
  v1::CommandOutcome outcome;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &outcome).ok()) << line;
  for (v1::CaseEvent& event : *outcome.mutable_events()) event.clear_recorded_at();
  outcome.mutable_rejection()->clear_rejected_at();
  if (!outcome.has_rejection()) outcome.clear_rejection();
  return outcome;
}

std::vector<std::string> Normalized(const std::string& json_lines) {
  std::map<std::string, std::string> by_id;
  for (const std::string& line : Lines(json_lines)) {
    const v1::CommandOutcome outcome = NormalizedOutcome(line);
    EXPECT_TRUE(by_id.emplace(outcome.command_id(), outcome.ShortDebugString()).second)
        << "two outcomes for command " << outcome.command_id();
  }
  std::vector<std::string> out;
  for (auto& [id, text] : by_id) out.push_back(std::move(text));
  return out;
}

std::string SubmitEmbedded(const std::string& dir, const std::string& input) {
  RunResult run =
      RunProcess({DocketctlPath(), "--data_dir=" + dir, kExamplesClock, "submit"}, input);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return run.out;
}

}  // namespace docket::testing
