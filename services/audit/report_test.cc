// How a report is written and which days it counts.

#include "services/audit/report.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::testing::HasSubstr;

ReportRows TwoBranches() {
  ReportRows r;
  r.header = {"branch", "opened"};
  r.rows = {{"GZ", "3"}, {"HZ,West", "1"}, {"say \"hi\"", "-"}};
  r.text_columns = 1;
  return r;
}

// A branch id may hold a comma (any printable key does): CSV quotes it, as
// RFC 4180 says, so a row stays as wide as its header.
TEST(ReportTest, CsvQuotesACellWithACommaOrAQuote) {
  std::ostringstream csv;
  WriteRows(TwoBranches(), ReportFormat::kCsv, csv);
  EXPECT_EQ(csv.str(), "branch,opened\nGZ,3\n\"HZ,West\",1\n\"say \"\"hi\"\"\",-\n");
  std::ostringstream json;
  WriteRows(TwoBranches(), ReportFormat::kJson, json);
  EXPECT_THAT(json.str(), HasSubstr("{\"branch\":\"HZ,West\",\"opened\":1}\n"));
  EXPECT_THAT(json.str(), HasSubstr("\"opened\":\"-\""));
  std::ostringstream table;
  WriteRows(TwoBranches(), ReportFormat::kTable, table);
  EXPECT_THAT(table.str(), HasSubstr("\n HZ,West       1\n"));
}

// from and to: days in China Standard Time, both counted; a time names
// its day there.
TEST(ReportTest, AWindowIsDaysInChinaStandardTime) {
  absl::StatusOr<ReportWindow> w = MakeReportWindow("2026-11-05", "2026-11-12T23:59:59+08:00");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->first_day, "2026-11-05");
  EXPECT_EQ(w->last_day, "2026-11-12");
  EXPECT_TRUE(w->Holds("2026-11-05"));
  EXPECT_TRUE(w->Holds("2026-11-12"));
  EXPECT_FALSE(w->Holds("2026-11-04"));
  EXPECT_FALSE(w->Holds("2026-11-13"));
  // 16:30 UTC on the 4th is half past midnight on the 5th in China.
  w = MakeReportWindow("2026-11-04T16:30:00Z", "");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->first_day, "2026-11-05");
  EXPECT_TRUE(w->Holds("2099-01-01")) << "no end: the latest";
  EXPECT_TRUE(MakeReportWindow("", "").ok());
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"garbage", ""}, {"", "2026-13-01"}, {"2026-11-12", "2026-11-05"}, {"11/05/2026", ""}}) {
    absl::StatusOr<ReportWindow> bad = MakeReportWindow(from, to);
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << from << " " << to;
  }
}

}  // namespace
}  // namespace docket
