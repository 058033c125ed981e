#include "engine/case_kind.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/refusal.h"

namespace docket {
namespace {

using C = v1::Command;

struct KindRow {
  C::BodyCase body;
  const char* name;
  // The kinds that take it; CASE_KIND_UNSPECIFIED ends the list.
  v1::CaseKind kinds[3];
};

// The steps that belong to some kinds only; every other command passes.
constexpr v1::CaseKind kComplaint = v1::CASE_KIND_COMPLAINT;
constexpr v1::CaseKind kInquiry = v1::CASE_KIND_INQUIRY;
constexpr v1::CaseKind kSuggestion = v1::CASE_KIND_SUGGESTION;
constexpr v1::CaseKind kRecovery = v1::CASE_KIND_RECOVERY;

const KindRow kRows[] = {
    {C::kAcknowledge, "acknowledge", {kComplaint}},
    {C::kAccept, "accept", {kComplaint}},
    {C::kClassify, "classify", {kComplaint}},
    {C::kReportUpward, "report_upward", {kComplaint}},
    {C::kOpenInvestigation, "open_investigation", {kComplaint}},
    {C::kAttachEvidence, "attach_evidence", {kComplaint, kRecovery}},
    {C::kConcludeInvestigation, "conclude_investigation", {kComplaint}},
    {C::kProposeResolution, "propose_resolution", {kComplaint}},
    {C::kRecordCustomerReply, "record_customer_reply", {kComplaint}},
    {C::kStartSpecialHandling, "start_special_handling", {kComplaint}},
    {C::kRecordFollowUp, "record_follow_up", {kComplaint}},
    {C::kDecidePenalty, "decide_penalty", {kComplaint}},
    {C::kExecutePenalty, "execute_penalty", {kComplaint}},
    {C::kPayCompensation, "pay_compensation", {kComplaint}},
    {C::kMerge, "merge", {kComplaint}},
    {C::kApproveCompensation, "approve_compensation", {kComplaint}},
    {C::kSendProgressNotice, "send_progress_notice", {kComplaint}},
    {C::kFormTaskGroup, "form_task_group", {kComplaint}},
    {C::kCloseByReferral, "close_by_referral", {kComplaint}},
    {C::kAnswerInquiry, "answer_inquiry", {kInquiry}},
    {C::kRouteToDepartment, "route_to_department", {kInquiry, kSuggestion}},
    {C::kEvaluateSuggestion, "evaluate_suggestion", {kSuggestion}},
    {C::kFeedBackSuggestion, "feed_back_suggestion", {kSuggestion}},
    {C::kDemandRecovery, "demand_recovery", {kRecovery}},
    {C::kSettleRecovery, "settle_recovery", {kRecovery}},
};

}  // namespace

v1::CaseKind KindOf(const v1::Intake& intake) {
  return intake.kind() == v1::CASE_KIND_UNSPECIFIED ? v1::CASE_KIND_COMPLAINT : intake.kind();
}

v1::CaseKind KindOf(const v1::CaseState& state) {
  return state.kind() == v1::CASE_KIND_UNSPECIFIED ? KindOf(state.intake()) : state.kind();
}

absl::Status CheckCaseKind(const v1::CaseState& state, const v1::Command& command) {
  const v1::CaseKind kind = KindOf(state);
  for (const KindRow& row : kRows) {
    if (row.body != command.body_case()) continue;
    std::vector<std::string> takers;
    for (v1::CaseKind k : row.kinds) {
      if (k == v1::CASE_KIND_UNSPECIFIED) break;
      if (k == kind) return absl::OkStatus();
      takers.push_back(v1::CaseKind_Name(k));
    }
    return RefuseNotNow(
        v1::RULE_CASE_KIND,
        absl::StrCat("case ", command.case_id(), " is a ", v1::CaseKind_Name(kind), ": ", row.name,
                     " is a step of a ", absl::StrJoin(takers, " or ")));
  }
  return absl::OkStatus();
}

}  // namespace docket
