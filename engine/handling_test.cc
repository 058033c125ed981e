// Handling a complaint beyond the six steps: progress notices (渠道管理办法
// 三(一)2-3), the task group of a MAJOR or multi-department complaint
// (四(二)3), and the ways a case the customer never accepts ends
// (服务事故的常用处理办法).

#include "absl/strings/str_cat.h"
#include "engine/deadlines.h"
#include "engine/policy.h"
#include "engine/refusal.h"
#include "engine/testing/case_harness.h"
#include "engine/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::docket::testing::CaseHarness;
using ::docket::testing::Handler;
using ::docket::testing::RegionSupervisor;
using ::testing::HasSubstr;

v1::Rule RuleOfResult(const absl::StatusOr<std::vector<v1::CaseEvent>>& r) {
  return r.ok() ? v1::RULE_UNSPECIFIED : RuleOf(r.status());
}

void OpenAttitude(CaseHarness& c, const char* facts = "") {
  c.MustSubmit(
      absl::StrCat("open_case { intake { channel: CHANNEL_EMAIL category: CATEGORY_ATTITUDE "
                   "customer { id: \"CUST\" } ",
                   facts, " } }"));
}

std::string Notice(absl::Time expected) {
  return absl::StrCat(
      "send_progress_notice { progress: \"the depot is checking the CCTV\" "
      "expected_completion_at { seconds: ",
      absl::ToUnixSeconds(expected), " } }");
}

const v1::Deadline* Progress(const CaseHarness& c) {
  return FindOpenDeadline(c.state(), v1::DEADLINE_KIND_PROGRESS_NOTICE);
}

// 三(一)2: 对于复杂问题需要进一步沟通的，应在[X]个工作日内明确告知客户处理进度和预计完成时间.
// A complaint owes a progress notice if it is not resolved within the
// policy's window (2 working days: 16 business hours); resolving it in
// time meets the clock, a notice meets it and the next is due at the
// completion time promised.
TEST(ProgressNoticeTest, AnUnresolvedComplaintOwesANoticeWithAnExpectedCompletionTime) {
  CaseHarness resolved("C-QUICK");
  OpenAttitude(resolved);
  ASSERT_NE(Progress(resolved), nullptr);
  EXPECT_EQ(ToTime(Progress(resolved)->due_at()), resolved.now() + absl::Hours(16));
  resolved.MustSubmit("acknowledge {}");
  resolved.MustSubmit("accept {}");
  resolved.Advance(absl::Hours(10));
  resolved.MustSubmit(R"pb(propose_resolution { remedy: "apology" })pb");
  EXPECT_EQ(Progress(resolved), nullptr) << "resolved in time: no notice owed";

  CaseHarness c("C-SLOW");
  OpenAttitude(c);
  EXPECT_EQ(RuleOfResult(c.Submit(Notice(c.now() + absl::Hours(48)))), v1::RULE_STEP_ORDER)
      << "the customer is heard first";
  c.MustSubmit("acknowledge {}");
  c.MustSubmit("accept {}");
  c.Advance(absl::Hours(15));
  EXPECT_EQ(RuleOfResult(c.Submit(Notice(c.now()))), v1::RULE_PROGRESS_NOTICE);
  auto undated = c.Submit(R"pb(send_progress_notice { progress: "checking" })pb");
  EXPECT_EQ(RuleOfResult(undated), v1::RULE_PROGRESS_NOTICE);
  EXPECT_THAT(undated.status().message(), HasSubstr("expected_completion_at is required"));
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(send_progress_notice {
                                         expected_completion_at { seconds: 1900000000 }
                                       })pb")),
            v1::RULE_MALFORMED_COMMAND);
  const absl::Time expected = c.now() + absl::Hours(48);
  c.MustSubmit(Notice(expected));
  EXPECT_EQ(c.state().progress_notices(), 1);
  EXPECT_EQ(ToTime(c.state().expected_completion_at()), expected);
  ASSERT_NE(Progress(c), nullptr);
  EXPECT_EQ(ToTime(Progress(c)->due_at()), expected) << "the next notice: at the promised time";
  int met_on_time = 0;
  for (const v1::Deadline& d : c.state().deadlines()) {
    met_on_time += d.kind() == v1::DEADLINE_KIND_PROGRESS_NOTICE && d.met() && !d.met_late();
  }
  EXPECT_EQ(met_on_time, 1);
}

// DESIGN.md: EXTRAORDINARY cases owe a daily update, whatever the expected
// completion; a case that becomes EXTRAORDINARY has its notice due a day
// after its start.
TEST(ProgressNoticeTest, ExtraordinaryComplaintsOweADailyUpdate) {
  CaseHarness grave("C-GRAVE");
  OpenAttitude(grave, "facts: AGGRAVATING_FACT_INJURY");
  ASSERT_EQ(grave.state().severity(), v1::SEVERITY_EXTRAORDINARY);
  EXPECT_EQ(ToTime(Progress(grave)->due_at()), grave.now() + absl::Hours(24));
  grave.MustSubmit("acknowledge {}");
  grave.Advance(absl::Hours(20));
  grave.MustSubmit(Notice(grave.now() + absl::Hours(24 * 5)));
  EXPECT_EQ(ToTime(Progress(grave)->due_at()), grave.now() + absl::Hours(24));

  CaseHarness raised("C-RAISED");
  const absl::Time complained = raised.now();
  OpenAttitude(raised);
  raised.MustSubmit("acknowledge {}");
  raised.MustSubmit("accept {}");
  raised.MustSubmit(R"pb(classify { facts: AGGRAVATING_FACT_NATIONAL_MEDIA reason: "CCTV" })pb");
  ASSERT_EQ(raised.state().severity(), v1::SEVERITY_EXTRAORDINARY);
  EXPECT_EQ(ToTime(Progress(raised)->due_at()), complained + absl::Hours(24));
}

// 四(二)3: 对于一般性投诉，由客服部门协调相关部门进行处理；对于重大投诉或涉及多个部门的投诉，
// 成立专项投诉处理小组进行处理. A MAJOR complaint, or one involving two or more
// departments, needs its task group (a lead, members, the departments
// involved) before its resolution.
TEST(TaskGroupTest, MajorOrMultiDepartmentComplaintsNeedOneBeforeTheResolution) {
  CaseHarness major("C-MAJOR");
  OpenAttitude(major, "facts: AGGRAVATING_FACT_STAFF_MISCONDUCT");
  major.MustSubmit("acknowledge {}");
  major.MustSubmit("accept {}");
  ASSERT_EQ(major.state().severity(), v1::SEVERITY_MAJOR);
  auto refused = major.Submit("propose_resolution {}", RegionSupervisor());
  EXPECT_EQ(RuleOfResult(refused), v1::RULE_TASK_GROUP);
  EXPECT_THAT(refused.status().message(), HasSubstr("专项投诉处理小组"));
  EXPECT_EQ(RuleOfResult(major.Submit(R"pb(form_task_group {
                                             task_group { lead: "E-200" departments: "service" }
                                           })pb")),
            v1::RULE_TASK_GROUP)
      << "a lead alone is not a group";
  EXPECT_EQ(RuleOfResult(major.Submit(
                R"pb(form_task_group {
                       task_group { lead: "E-200" members: "E-200" departments: "service" }
                     })pb")),
            v1::RULE_MALFORMED_COMMAND);
  major.MustSubmit(R"pb(form_task_group {
                          task_group {
                            lead: "E-200"
                            members: "E-100"
                            members: "E-130"
                            departments: "service"
                            departments: "delivery"
                          }
                        })pb");
  EXPECT_EQ(major.state().task_group().members_size(), 2);
  EXPECT_TRUE(major.Submit("propose_resolution {}", RegionSupervisor()).ok());

  CaseHarness several("C-SEVERAL");
  OpenAttitude(several);
  several.MustSubmit("acknowledge {}");
  several.MustSubmit(R"pb(accept { departments: "sorting" departments: "delivery" })pb");
  ASSERT_EQ(several.state().severity(), v1::SEVERITY_GENERAL);
  EXPECT_EQ(RuleOfResult(several.Submit("propose_resolution {}")), v1::RULE_TASK_GROUP);
  auto partial =
      several.Submit(R"pb(form_task_group {
                            task_group { lead: "E-100" members: "E-101" departments: "sorting" }
                          })pb");
  EXPECT_EQ(RuleOfResult(partial), v1::RULE_TASK_GROUP);
  EXPECT_THAT(partial.status().message(), HasSubstr("missing: delivery"));
  several.MustSubmit(R"pb(form_task_group {
                            task_group {
                              lead: "E-100"
                              members: "E-101"
                              departments: "sorting"
                              departments: "delivery"
                            }
                          })pb");
  EXPECT_TRUE(several.Submit("propose_resolution {}").ok());

  CaseHarness general("C-GENERAL");
  OpenAttitude(general);
  general.MustSubmit("acknowledge {}");
  general.MustSubmit(R"pb(accept { departments: "delivery" })pb");
  EXPECT_TRUE(general.Submit("propose_resolution {}").ok()) << "a general complaint needs none";
}

// 第五步：特事特办，如客户仍不满意，征询客户意见; 服务事故的常用处理办法 3、保险理赔 5、诉讼.
// A customer who never accepts does not keep the case open forever: after
// special handling it may close, referred to litigation or the insurer,
// with the reason and the authority the policy requires (failed before:
// such a case could never be closed).
TEST(ClosureTest, AfterSpecialHandlingACaseClosesByReferral) {
  CaseHarness c("C-NEVER");
  OpenAttitude(c);
  c.MustSubmit("acknowledge {}");
  c.MustSubmit("accept {}");
  c.MustSubmit(R"pb(propose_resolution { remedy: "apology letter (致歉函)" })pb");
  c.MustSubmit("record_customer_reply { decision: CUSTOMER_DECISION_REJECTS }");
  const char* to_court = R"pb(close_by_referral {
                                referral: REFERRAL_LITIGATION
                                reason: "the customer sues for 50,000 CNY"
                              })pb";
  auto early = c.Submit(to_court, RegionSupervisor());
  EXPECT_EQ(RuleOfResult(early), v1::RULE_CLOSURE);
  EXPECT_THAT(early.status().message(), HasSubstr("special handling"));
  c.MustSubmit(R"pb(start_special_handling { customer_view: "wants 50,000 CNY" })pb");
  EXPECT_EQ(RuleOfResult(c.Submit(R"pb(close_by_referral { referral: REFERRAL_LITIGATION })pb",
                                  RegionSupervisor())),
            v1::RULE_MALFORMED_COMMAND);
  EXPECT_EQ(RuleOfResult(c.Submit(to_court, Handler())), v1::RULE_AUTHORITY);
  auto closed = c.Submit(to_court, RegionSupervisor());
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(c.state().stage(), v1::STAGE_REFERRED);
  EXPECT_EQ(c.state().referral(), v1::REFERRAL_LITIGATION);
  EXPECT_TRUE(c.state().has_closed_at());
  EXPECT_EQ(RuleOfResult(c.Submit("archive {}")), v1::RULE_CASE_CLOSED);
}

// An attitude complaint accepted, its investigation concluded: the GZ
// branch at fault, no employee named.
void InvestigatedInternalFaultAtGz(CaseHarness& c) {
  OpenAttitude(c);
  c.MustSubmit("acknowledge {}");
  c.MustSubmit("accept {}");
  c.MustSubmit("open_investigation {}");
  c.MustSubmit(R"pb(conclude_investigation {
                      findings { responsible: RESPONSIBLE_PARTY_INTERNAL internal_branch: "GZ" }
                    })pb");
}

// 受理客户投诉的流程: …5、确定处罚办法 6、执行 7、存档. A case that closes by
// referral closes its file too: a penalty decided is executed first, as
// before an archive (failed before: the case was referred with its
// penalty pending, which then could never be executed).
TEST(ClosureTest, APenaltyDecidedIsExecutedBeforeTheCaseClosesByReferral) {
  CaseHarness c("C-PENALTY");
  InvestigatedInternalFaultAtGz(c);
  c.MustSubmit(R"pb(decide_penalty {
                      penalty { penalty_id: "P-1" party_branch: "GZ" measure: "warning" }
                    })pb");
  c.MustSubmit(R"pb(propose_resolution { remedy: "apology letter (致歉函)" })pb");
  c.MustSubmit("record_customer_reply { decision: CUSTOMER_DECISION_REJECTS }");
  c.MustSubmit(R"pb(start_special_handling { customer_view: "will sue" })pb");
  const char* to_court =
      R"pb(close_by_referral { referral: REFERRAL_LITIGATION reason: "the customer sues" })pb";
  auto pending = c.Submit(to_court, RegionSupervisor());
  EXPECT_EQ(RuleOfResult(pending), v1::RULE_CLOSURE);
  EXPECT_THAT(pending.status().message(), HasSubstr("penalty P-1"));
  c.MustSubmit(R"pb(execute_penalty { penalty_id: "P-1" })pb");
  auto closed = c.Submit(to_court, RegionSupervisor());
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(c.state().stage(), v1::STAGE_REFERRED);
}

// 确定处罚办法: a penalty falls on the party the investigation named. A
// branch found at fault is no finding against any one of its people: an
// employee the findings do not name is not penalised (an outside check
// fined a ZHUHAI employee on a case whose findings named GZ alone).
TEST(ClosureTest, APenaltyFallsOnlyOnThePartyTheFindingsName) {
  CaseHarness c("C-PENALTY");
  InvestigatedInternalFaultAtGz(c);
  auto on_someone = c.Submit(R"pb(decide_penalty {
                                    penalty {
                                      penalty_id: "P-1"
                                      party_branch: "GZ"
                                      party_employee: "E-100"
                                      measure: "fine"
                                    }
                                  })pb");
  EXPECT_EQ(RuleOfResult(on_someone), v1::RULE_PENALTY_NEEDS_INTERNAL_FINDING);
  EXPECT_THAT(on_someone.status().message(), HasSubstr("no employee"));
  c.MustSubmit(R"pb(decide_penalty {
                      penalty { penalty_id: "P-1" party_branch: "GZ" measure: "warning" }
                    })pb");
}

// One file once: the same photo attached twice counted as two (an outside
// walk-through attached one screenshot twice, unwarned).
TEST(EvidenceTest, AFileIsAttachedToACaseOnce) {
  CaseHarness c("C-PHOTO");
  OpenAttitude(c);
  c.MustSubmit("acknowledge {}");
  const char* photo =
      R"pb(attach_evidence {
             evidence {
               kind: EVIDENCE_KIND_PHOTO
               uri: "cas://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
               media_type: "image/png"
               size_bytes: 10
               sha256_hex: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
               description: "the torn box"
             }
           })pb";
  c.MustSubmit(photo);
  auto again = c.Submit(photo);
  EXPECT_EQ(RuleOfResult(again), v1::RULE_EVIDENCE);
  EXPECT_THAT(again.status().message(), HasSubstr("already holds this file"));
  EXPECT_THAT(again.status().message(), HasSubstr("the torn box"));
  EXPECT_EQ(c.state().photo_count(), 1);
  // An outside document's hash is only claimed: another address claiming
  // the same one is another file, the same address under another hash the
  // same file.
  const auto document = [](const std::string& uri, char sha) {
    return absl::StrCat(
        R"pb(attach_evidence {
               evidence { kind: EVIDENCE_KIND_DOCUMENT media_type: "application/pdf" size_bytes: 10
                          uri: ")pb",
        uri, "\" sha256_hex: \"", std::string(64, sha), "\" } }");
  };
  c.MustSubmit(document("https://docs.example/waybill.pdf", 'c'));
  c.MustSubmit(document("https://docs.example/handover.pdf", 'c'));
  EXPECT_EQ(RuleOfResult(c.Submit(document("https://docs.example/waybill.pdf", 'd'))),
            v1::RULE_EVIDENCE);
}

}  // namespace
}  // namespace docket
