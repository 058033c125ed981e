// Links between cases (DESIGN.md, "Related cases"): each is checked
// against the other case's state, which the runtime hands the decision
// (CaseLookup; here a CaseMap).

#include "absl/strings/str_cat.h"
#include "engine/policy.h"
#include "engine/refusal.h"
#include "engine/testing/case_harness.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::docket::testing::CaseHarness;
using ::docket::testing::Handler;
using ::docket::testing::HqSupervisor;
using ::docket::testing::Scanner;
using ::testing::HasSubstr;

v1::Rule RuleOfResult(const absl::StatusOr<std::vector<v1::CaseEvent>>& r) {
  return r.ok() ? v1::RULE_UNSPECIFIED : RuleOf(r.status());
}

std::string OpenWithWaybill(const std::string& waybill, const std::string& link = "") {
  return absl::StrCat(
      "open_case { intake { channel: CHANNEL_SOCIAL_MEDIA category: CATEGORY_DAMAGE "
      "customer { id: \"CUST-LI\" } shipment { waybill: \"",
      waybill, "\" } ", link, " } }");
}

v1::CaseState Opened(const std::string& id, const std::string& waybill) {
  CaseHarness c(id);
  c.MustSubmit(OpenWithWaybill(waybill));
  return c.state();
}

// 渠道管理办法 七(一)3: 对于复杂问题或涉及多个渠道的客户问题，应建立协同处理机制.
// The same waybill reported on two channels is one case: the duplicate
// merges into a live survivor that carries the same waybill (failed
// before: a merge into a case that does not exist, or that is about
// another waybill, was accepted).
TEST(LinksTest, MergeNeedsALiveSurvivorWithTheSameWaybill) {
  CaseMap cases;
  cases.Put(Opened("C-PHONE", "345667"));
  cases.Put(Opened("C-OTHER-WAYBILL", "999999"));
  v1::CaseState closed = Opened("C-CLOSED", "345667");
  closed.set_stage(v1::STAGE_ARCHIVED);
  cases.Put(closed);
  cases.MarkUnavailable("C-ELSEWHERE");

  struct Row {
    const char* survivor;
    const char* why;
    absl::StatusCode code;
  };
  const Row rows[] = {
      {"C-NOWHERE", "does not exist", absl::StatusCode::kFailedPrecondition},
      {"C-OTHER-WAYBILL", "same waybill", absl::StatusCode::kFailedPrecondition},
      {"C-CLOSED", "a merge needs a live case", absl::StatusCode::kFailedPrecondition},
      {"C-ELSEWHERE", "cannot be checked here", absl::StatusCode::kUnavailable},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.survivor);
    CaseHarness c("C-WEIBO");
    c.set_cases(&cases);
    c.MustSubmit(OpenWithWaybill("345667"));
    auto merged = c.Submit(absl::StrCat("merge { survivor_case_id: \"", row.survivor, "\" }"));
    EXPECT_EQ(RuleOfResult(merged), v1::RULE_LINK);
    EXPECT_EQ(merged.status().code(), row.code);
    EXPECT_THAT(merged.status().message(), HasSubstr(row.why));
    EXPECT_EQ(c.state().stage(), v1::STAGE_OPENED);
  }
  CaseHarness c("C-WEIBO");
  c.set_cases(&cases);
  c.MustSubmit(OpenWithWaybill("345667"));
  c.MustSubmit(R"pb(merge { survivor_case_id: "C-PHONE" reason: "same waybill" })pb");
  EXPECT_EQ(c.state().stage(), v1::STAGE_MERGED);
  EXPECT_EQ(c.state().merged_into(), "C-PHONE");
  // A step sent to the merged case is refused and names the case to send
  // it to (an adapter relaying what the customer says next).
  auto after = c.Submit(R"pb(send_progress_notice {})pb");
  EXPECT_EQ(RuleOfResult(after), v1::RULE_CASE_CLOSED);
  EXPECT_THAT(after.status().message(), HasSubstr("merged into C-PHONE"));
}

// 快递市场管理办法: a handling result within 7 days of the complaint, on a
// clock that never pauses. A merge keeps the earliest report's clocks: the
// later report merges into the earlier (failed before: the earlier merged
// into a later one, whose 7-day clock had started three days after the
// customer first complained). An appeal to the postal authority is the
// regulator's case: never merged, into its parent or anything, and
// nothing merges into it (failed before: a branch handler merged the
// appeal into its parent, and its clock to headquarters was gone).
TEST(LinksTest, TheLaterReportMergesIntoTheEarlierAndAnAppealIsNeverMerged) {
  CaseMap cases;
  cases.Put(Opened("C-PHONE", "345667"));
  CaseHarness later("C-LATER");
  later.Advance(absl::Hours(72));
  later.MustSubmit(OpenWithWaybill("345667"));
  cases.Put(later.state());
  CaseHarness appeal("C-PHONE-APPEAL");
  appeal.set_cases(&cases);
  appeal.Advance(absl::Hours(24 * 7));
  appeal.MustSubmit(
      "open_case { intake { channel: CHANNEL_REGULATOR category: CATEGORY_DAMAGE "
      "customer { id: \"CUST-LI\" } shipment { waybill: \"345667\" } "
      "link { kind: LINK_KIND_REGULATOR_APPEAL case_id: \"C-PHONE\" } } }",
      Scanner());
  cases.Put(appeal.state());

  // The earlier into the later: refused, the later into the earlier: merged.
  CaseHarness phone("C-PHONE");
  phone.set_cases(&cases);
  phone.MustSubmit(OpenWithWaybill("345667"));
  auto into_later = phone.Submit(R"pb(merge { survivor_case_id: "C-LATER" })pb");
  EXPECT_EQ(RuleOfResult(into_later), v1::RULE_LINK);
  EXPECT_THAT(into_later.status().message(), HasSubstr("the later report merges into the earlier"));
  later.set_cases(&cases);
  later.MustSubmit(R"pb(merge { survivor_case_id: "C-PHONE" })pb");
  EXPECT_EQ(later.state().merged_into(), "C-PHONE");

  // The appeal into its parent, another case into the appeal: refused.
  auto appeal_merged = appeal.Submit(R"pb(merge { survivor_case_id: "C-PHONE" })pb");
  EXPECT_EQ(RuleOfResult(appeal_merged), v1::RULE_LINK);
  EXPECT_THAT(appeal_merged.status().message(), HasSubstr("the regulator's case"));
  CaseHarness weibo("C-WEIBO");
  weibo.set_cases(&cases);
  weibo.Advance(absl::Hours(24 * 8));
  weibo.MustSubmit(OpenWithWaybill("345667"));
  auto into_appeal = weibo.Submit(R"pb(merge { survivor_case_id: "C-PHONE-APPEAL" })pb");
  EXPECT_EQ(RuleOfResult(into_appeal), v1::RULE_LINK);
  EXPECT_THAT(into_appeal.status().message(), HasSubstr("the regulator's case"));
  EXPECT_EQ(weibo.state().stage(), v1::STAGE_OPENED);
}

// 渠道管理办法 四(二)6:
// 对于投诉处理结果，客服人员应及时进行跟踪回访，了解客户是否还有其他问题或不满. A complaint about a
// case already closed opens a new case that names it; the named case must exist and be archived
// (failed before: a case "reopening" a case that does not exist or is still open was accepted).
TEST(LinksTest, ReopeningNeedsAnArchivedCase) {
  CaseMap cases;
  cases.Put(Opened("C-STILL-OPEN", "W-1"));
  v1::CaseState archived = Opened("C-ARCHIVED", "W-1");
  archived.set_stage(v1::STAGE_ARCHIVED);
  cases.Put(archived);
  const auto reopen = [](const char* id) {
    return OpenWithWaybill(
        "W-1", absl::StrCat("link { kind: LINK_KIND_REOPENS_ARCHIVED case_id: \"", id, "\" }"));
  };
  for (const char* id : {"C-NOWHERE", "C-STILL-OPEN"}) {
    SCOPED_TRACE(id);
    CaseHarness c("C-AGAIN");
    c.set_cases(&cases);
    auto opened = c.Submit(reopen(id));
    EXPECT_EQ(RuleOfResult(opened), v1::RULE_LINK);
    EXPECT_EQ(c.state().revision(), 0);
  }
  CaseHarness c("C-AGAIN");
  c.set_cases(&cases);
  c.MustSubmit(reopen("C-ARCHIVED"));
  EXPECT_EQ(c.state().link().case_id(), "C-ARCHIVED");
}

// The appeal to the postal authority of `parent`, as the scanner opens it.
std::string AppealOf(const std::string& parent) {
  return absl::StrCat(
      "open_case { intake { channel: CHANNEL_REGULATOR category: CATEGORY_DAMAGE "
      "customer { id: \"CUST-LI\" } link { kind: LINK_KIND_REGULATOR_APPEAL case_id: \"",
      parent, "\" } } }");
}

// DESIGN.md: an appeal case is the regulator's; it never opens an appeal of
// an appeal (failed before: C-…-APPEAL-APPEAL-…, eleven deep after one far
// tick). The scanner's appeal opens where its case is not visible (Kafka:
// another partition); anyone else's link must be checked.
TEST(LinksTest, AnAppealIsNotAppealedAgain) {
  CaseMap cases;
  cases.Put(Opened("C-1", "W-1"));
  CaseHarness appeal("C-1-APPEAL");
  appeal.set_cases(&cases);
  appeal.MustSubmit(R"pb(open_case {
                           intake {
                             channel: CHANNEL_REGULATOR
                             category: CATEGORY_DAMAGE
                             customer { id: "CUST-LI" }
                             link { kind: LINK_KIND_REGULATOR_APPEAL case_id: "C-1" }
                           }
                         })pb",
                    Scanner());
  cases.Put(appeal.state());

  CaseHarness again("C-1-APPEAL-APPEAL");
  again.set_cases(&cases);
  auto refused =
      again.Submit(R"pb(open_case {
                          intake {
                            channel: CHANNEL_REGULATOR
                            category: CATEGORY_DAMAGE
                            customer { id: "CUST-LI" }
                            link { kind: LINK_KIND_REGULATOR_APPEAL case_id: "C-1-APPEAL" }
                          }
                        })pb",
                   Scanner());
  EXPECT_EQ(RuleOfResult(refused), v1::RULE_LINK);
  EXPECT_THAT(refused.status().message(), HasSubstr("not appealed again"));

  CaseMap elsewhere;
  elsewhere.MarkUnavailable("C-2");
  const std::string appeal_of_c2 = AppealOf("C-2");
  CaseHarness by_scanner("C-2-APPEAL");
  by_scanner.set_cases(&elsewhere);
  EXPECT_TRUE(by_scanner.Submit(appeal_of_c2, Scanner()).ok());
  CaseHarness by_handler("C-2-APPEAL");
  by_handler.set_cases(&elsewhere);
  auto unchecked = by_handler.Submit(appeal_of_c2, Handler());
  EXPECT_EQ(RuleOfResult(unchecked), v1::RULE_PERMISSION);
}

// The appeal is docket's to open, when the regulatory window passes
// without a handling result (the system principal records appeal intake):
// headquarters opened one two minutes into a case's seven days, at a level
// of its own choosing (found by an outside check).
TEST(LinksTest, OnlyDocketOpensAnAppeal) {
  CaseMap cases;
  cases.Put(Opened("C-1", "W-1"));
  const std::string appeal_of_c1 = AppealOf("C-1");
  for (const v1::Actor& actor : {Handler(), HqSupervisor()}) {
    CaseHarness early("C-1-APPEAL");
    early.set_cases(&cases);
    auto refused = early.Submit(appeal_of_c1, actor);
    EXPECT_EQ(RuleOfResult(refused), v1::RULE_PERMISSION) << actor.id();
    EXPECT_THAT(refused.status().message(), HasSubstr("opened by docket")) << actor.id();
  }
  CaseHarness by_docket("C-1-APPEAL");
  by_docket.set_cases(&cases);
  EXPECT_TRUE(by_docket.Submit(appeal_of_c1, Scanner()).ok());
}

// 12305 is the postal authority's: an appeal comes on the regulator's
// channel, and a case has one, named by it (<case>-APPEAL, as the scanner
// opens it), so neither an adapter nor the scanner adds a second (three
// appeals of one case were accepted before).
TEST(LinksTest, ACaseHasOneAppealOnTheRegulatorsChannel) {
  CaseMap cases;
  cases.Put(Opened("C-1", "W-1"));
  const auto appeal = [&](const std::string& id, const std::string& channel) {
    CaseHarness c(id);
    c.set_cases(&cases);
    return c.Submit(absl::StrCat("open_case { intake { channel: ", channel,
                                 " category: CATEGORY_DAMAGE customer { id: \"CUST-LI\" } "
                                 "link { kind: LINK_KIND_REGULATOR_APPEAL case_id: \"C-1\" } } }"),
                    Scanner());
  };
  auto by_phone = appeal("C-1-APPEAL", "CHANNEL_PHONE");
  EXPECT_EQ(RuleOfResult(by_phone), v1::RULE_LINK);
  EXPECT_THAT(by_phone.status().message(), HasSubstr("CHANNEL_REGULATOR"));
  auto named_otherwise = appeal("R-05", "CHANNEL_REGULATOR");
  EXPECT_EQ(RuleOfResult(named_otherwise), v1::RULE_LINK);
  EXPECT_THAT(named_otherwise.status().message(), HasSubstr("C-1-APPEAL"));
  EXPECT_TRUE(appeal("C-1-APPEAL", "CHANNEL_REGULATOR").ok());
  // Nor does another case take the appeal's name first.
  CaseHarness squatter("C-1-APPEAL");
  auto taken = squatter.Submit(R"pb(open_case {
                                      intake {
                                        channel: CHANNEL_PHONE
                                        category: CATEGORY_LATE
                                        customer { id: "X" }
                                      }
                                    })pb");
  EXPECT_EQ(RuleOfResult(taken), v1::RULE_MALFORMED_COMMAND);
  EXPECT_THAT(taken.status().message(), HasSubstr("names an appeal"));
}

}  // namespace
}  // namespace docket
