// Audits scale. Before: verify was quadratic in a case's events (it copied
// the whole state per event: 40,000 events took 109 s to verify against
// 2.5 s to submit), and list over 100,000 cases held them all (585 MB).
// Timings are compared within the same run, with a wide margin; docket's
// speed proper is measured by docket_bench.

#include <chrono>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/subprocess.h"

namespace docket {
namespace {

using testing::RunProcess;
using testing::RunResult;

RunResult Ctl(const std::string& dir, std::vector<std::string> args,
              const std::string& input = "") {
  args.insert(args.begin(), {testing::DocketctlPath(), "--data_dir=" + dir});
  return RunProcess(args, input);
}

// Principals of examples/org.ndjson: the handler at GZ, and the adapters
// of the phone and the web.
constexpr char kActor[] = R"("actor":{"id":"E-101"})";
constexpr char kPhone[] = R"("actor":{"id":"adapter-phone"})";
constexpr char kWeb[] = R"("actor":{"id":"adapter-web"})";

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

TEST(AuditScaleTest, VerifyIsLinearInACasesEvents) {
  // One case with 30,000 events: intake, step 1, step 2, then evidence.
  constexpr int kEvents = 30000;
  std::string input = absl::StrCat(
      R"({"commandId":"o","caseId":"C-BIG",)", kPhone,
      R"(,"openCase":{"intake":{"channel":"CHANNEL_PHONE","category":"CATEGORY_DAMAGE",)",
      R"("customer":{"id":"CU-1"},"handlingBranch":"GZ"}}})", "\n",
      R"({"commandId":"a","caseId":"C-BIG",)", kActor, R"(,"acknowledge":{}})", "\n",
      R"({"commandId":"b","caseId":"C-BIG",)", kActor, R"(,"accept":{}})", "\n");
  for (int i = 3; i < kEvents; ++i) {
    absl::StrAppend(&input, R"({"commandId":"e)", i, R"(","caseId":"C-BIG",)", kActor,
                    R"(,"attachEvidence":{"evidence":{"kind":"EVIDENCE_KIND_DOCUMENT",)",
                    R"("uri":"https://evidence.example/)", i, R"(.pdf","sha256Hex":")",
                    absl::StrFormat("%064x", i),  // A file once on a case: each its own.
                    R"(","sizeBytes":"10","mediaType":"application/pdf"}}})", "\n");
  }
  const std::string dir = testing::OrganisedDir("one-big-case");
  auto start = std::chrono::steady_clock::now();
  RunResult submitted = Ctl(dir, {"submit"}, input);
  const double submit_s = Seconds(start);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err.substr(0, 500);
  start = std::chrono::steady_clock::now();
  RunResult verified = Ctl(dir, {"verify"});
  const double verify_s = Seconds(start);
  ASSERT_EQ(verified.exit_code, 0) << verified.out;
  RecordProperty("submit_s", absl::StrCat(submit_s));
  RecordProperty("verify_s", absl::StrCat(verify_s));
  // Quadratic, this was over 40 times the submit; linear, about as long.
  EXPECT_LT(verify_s, 4 * submit_s + 2) << "verify took " << verify_s << " s, submit " << submit_s;
}

TEST(AuditScaleTest, ListStreamsInBoundedMemory) {
  constexpr int kCases = 100000;
  std::string input;
  for (int i = 0; i < kCases; ++i) {
    absl::StrAppend(
        &input, R"({"commandId":"o)", i, R"(","caseId":"C-)", i, R"(",)", kWeb,
        R"(,"openCase":{"intake":{"channel":"CHANNEL_ONLINE","category":"CATEGORY_LATE",)",
        R"("customer":{"id":"CU-)", i % 977, R"("},"handlingBranch":"GZ"}}})", "\n");
  }
  const std::string dir = testing::OrganisedDir("many-cases");
  ASSERT_EQ(Ctl(dir, {"submit"}, input).exit_code, 0);
  for (const char* format : {"--format=table", "--format=json"}) {
    RunResult listed = Ctl(dir, {"list", format});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_GE(std::count(listed.out.begin(), listed.out.end(), '\n'), kCases);
    RecordProperty(absl::StrCat("list_rss_mb_", format + 9), listed.max_rss_kb / 1024);
    // RocksDB's fixed budgets (memtables, block cache) and one case; not
    // the 100,000 states (585 MB before).
    EXPECT_LT(listed.max_rss_kb, 200 * 1024) << format;
  }
}

}  // namespace
}  // namespace docket
