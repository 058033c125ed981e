#include "engine/testing/random_case.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/testing/case_harness.h"

namespace docket::testing {

std::string RandomCase::OpenCase() {
  static const std::vector<std::string> kCategories = {
      "CATEGORY_LATE",    "CATEGORY_DAMAGE",      "CATEGORY_LOSS", "CATEGORY_ATTITUDE",
      "CATEGORY_BILLING", "CATEGORY_MISDELIVERY", "CATEGORY_OTHER"};
  static const std::vector<std::string> kChannels = {"CHANNEL_PHONE",
                                                     "CHANNEL_ONLINE",
                                                     "CHANNEL_EMAIL",
                                                     "CHANNEL_SOCIAL_MEDIA",
                                                     "CHANNEL_WALK_IN",
                                                     "CHANNEL_WRITTEN",
                                                     "CHANNEL_COMPLAINT_STATION"};
  const int weight = Uniform(100, 60000);
  // One case in eight is an inquiry, one in twenty a suggestion.
  const int kind = Uniform(1, 40);
  if (kind <= 5 || kind > 38) {
    return absl::StrFormat(
        R"pb(open_case {
               intake {
                 kind: %s
                 channel: %s
                 customer { id: "CU-%d" }
                 shipment { waybill: "W-%d" }
               }
             })pb",
        kind <= 5 ? "CASE_KIND_INQUIRY" : "CASE_KIND_SUGGESTION", Pick(kChannels), Uniform(1, 50),
        Uniform(1, 99999));
  }
  return absl::StrFormat(
      R"pb(open_case {
             intake {
               channel: %s
               category: %s
               customer { id: "CU-%d" key_account: %s }
               shipment {
                 waybill: "W-%d"
                 weight_g: %d
                 billed_weight_g: %d
                 freight_fen: %d
                 freight_rate_fen_per_kg: %d
                 insured: %s
                 declared_value_fen: %d
                 goods_value_fen: %d
               }
               claim_fen: %d
             }
           })pb",
      Pick(kChannels), Pick(kCategories), Uniform(1, 50), Chance(0.1) ? "true" : "false",
      Uniform(1, 99999), weight, weight + Uniform(0, 5000), Uniform(800, 30000), Uniform(100, 900),
      Chance(0.3) ? "true" : "false", Uniform(1000, 2000000), Uniform(1000, 4000000),
      Uniform(0, 8000000));
}

// Toward paying what is owed: from MAJOR up the approvals first (by
// another headquarters supervisor than the proposer, and claims), then the
// payment, recorded by claims.
std::pair<std::string, v1::Actor> RandomCase::Payment(const v1::CaseState& s, int64_t owed) {
  bool supervisor = false, claims = false;
  for (const v1::CompensationApproval& a : s.approvals()) {
    supervisor |= a.role() == v1::ROLE_SUPERVISOR;
    claims |= a.role() == v1::ROLE_CLAIMS;
  }
  if (s.severity() >= v1::SEVERITY_MAJOR && !supervisor) {
    v1::Actor approver = HqSupervisor();
    approver.set_id("E-310");
    return {"approve_compensation {}", approver};
  }
  if (s.severity() >= v1::SEVERITY_MAJOR && !claims) return {"approve_compensation {}", Claims()};
  return {absl::StrFormat("pay_compensation { amount_fen: %d }", owed), Claims()};
}

std::pair<std::string, v1::Actor> RandomCase::NextStep(const v1::CaseState& s) {
  const v1::Actor handler = Handler(), hq = HqSupervisor();
  if (s.kind() == v1::CASE_KIND_INQUIRY || s.kind() == v1::CASE_KIND_SUGGESTION) {
    return {NextFlowStep(s), handler};
  }
  const bool needs_inv = s.category() == v1::CATEGORY_DAMAGE || s.category() == v1::CATEGORY_LOSS ||
                         s.category() == v1::CATEGORY_LATE;
  const int64_t owed = s.compensation_declined() ? 0 : s.proposed_fen() - s.paid_fen();
  switch (s.stage()) {
    case v1::STAGE_OPENED:
      return {"acknowledge {}", handler};
    case v1::STAGE_ACKNOWLEDGED:
      return {Chance(0.2) ? "accept { facts: AGGRAVATING_FACT_MEDIA_WARNING }" : "accept {}",
              handler};
    case v1::STAGE_RESOLVING:
      if (s.category() == v1::CATEGORY_DAMAGE && s.photo_count() == 0) {
        return {
            R"pb(attach_evidence {
                   evidence {
                     kind: EVIDENCE_KIND_PHOTO
                     uri: "cas://cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
                     media_type: "image/jpeg"
                     size_bytes: 5
                     sha256_hex: "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
                   }
                 })pb",
            handler};
      }
      if (s.investigation_open()) {
        return {Chance(0.15) ? R"pb(conclude_investigation {
                                      findings {
                                        responsible: RESPONSIBLE_PARTY_CUSTOMER
                                        exemption: EXEMPTION_SHIPPER_FAULT
                                      }
                                    })pb"
                             : absl::StrFormat(R"pb(conclude_investigation {
                                                      findings {
                                                        responsible: RESPONSIBLE_PARTY_INTERNAL
                                                        internal_branch: "GZ"
                                                        assessed_loss_fen: %d
                                                      }
                                                    })pb",
                                               Uniform(1, 3000000)),
                handler};
      }
      if (needs_inv && !s.investigation_concluded()) {
        return {"open_investigation {}", handler};
      }
      if (s.severity() >= v1::SEVERITY_MAJOR && !s.has_task_group()) {
        return {R"pb(form_task_group {
                       task_group { lead: "E-300" members: "E-100" departments: "service" }
                     })pb",
                hq};
      }
      if (Chance(0.1)) {
        return {absl::StrFormat(R"pb(send_progress_notice {
                                       progress: "investigating"
                                       expected_completion_at { seconds: %d }
                                     })pb",
                                s.opened_at().seconds() + 30 * 86400),
                handler};
      }
      return {absl::StrFormat("propose_resolution { goodwill_fen: %d }",
                              Chance(0.2) ? Uniform(1, 50000) : 0),
              hq};
    case v1::STAGE_PROPOSED:
      return {Chance(0.8) ? "record_customer_reply { decision: CUSTOMER_DECISION_ACCEPTS }"
                          : "record_customer_reply { decision: CUSTOMER_DECISION_REJECTS }",
              handler};
    case v1::STAGE_DISPUTED:
      return {R"pb(start_special_handling { customer_view: "more" })pb", handler};
    case v1::STAGE_REPLIED:
      if (owed > 0 && Chance(0.5)) return Payment(s, owed);
      return {"record_follow_up { method: FOLLOW_UP_METHOD_PHONE satisfaction: 4 }", handler};
    case v1::STAGE_FOLLOWED_UP:
      if (owed > 0) return Payment(s, owed);
      for (const auto& p : s.penalties()) {
        if (!p.executed()) {
          return {
              absl::StrCat("execute_penalty { penalty_id: \"", p.penalty().penalty_id(), "\" }"),
              handler};
        }
      }
      if (s.awaiting_customer()) return {"record_customer_response {}", handler};
      for (const auto& d : s.deadlines()) {
        if (!d.met() && d.kind() == v1::DEADLINE_KIND_REPORT_UPWARD) {
          return {"report_upward { to_level: LEVEL_HEADQUARTERS }", handler};
        }
      }
      return {"archive {}", handler};
    default:
      return {"acknowledge {}", handler};
  }
}

std::string RandomCase::NextFlowStep(const v1::CaseState& s) {
  const bool inquiry = s.kind() == v1::CASE_KIND_INQUIRY;
  switch (s.stage()) {
    case v1::STAGE_OPENED:
      if (inquiry && Chance(0.6)) return R"pb(answer_inquiry { answer: "out for delivery" })pb";
      return R"pb(route_to_department { department: "operations" })pb";
    case v1::STAGE_ROUTED:
      if (inquiry) return R"pb(answer_inquiry { answer: "the department's answer" })pb";
      return Chance(0.5) ? R"pb(evaluate_suggestion { adopted: true reason: "useful" })pb"
                         : R"pb(evaluate_suggestion { adopted: false reason: "too costly" })pb";
    case v1::STAGE_EVALUATED:
      return R"pb(feed_back_suggestion { message: "thank you" })pb";
    default:
      return "archive {}";
  }
}

std::pair<std::string, v1::Actor> RandomCase::AnyCommand() {
  static const std::vector<std::string> kBodies = {
      "acknowledge {}",
      "accept {}",
      "open_investigation {}",
      "propose_resolution {}",
      "archive {}",
      R"pb(classify { facts: AGGRAVATING_FACT_STAFF_MISCONDUCT reason: "r" })pb",
      R"pb(classify { category: CATEGORY_LOSS reason: "lost after all" })pb",
      "escalate { to_level: LEVEL_REGION }",
      "report_upward { to_level: LEVEL_BRANCH }",
      R"pb(await_customer { reason: "waiting for receipts" })pb",
      "record_customer_response {}",
      R"pb(decide_penalty {
             penalty { penalty_id: "P-1" party_branch: "GZ" measure: "fine" amount_fen: 1000 }
           })pb",
      R"pb(execute_penalty { penalty_id: "P-1" })pb",
      "pay_compensation { amount_fen: 1 }",
      "record_deadline_warning { kind: DEADLINE_KIND_FIRST_RESPONSE percent: 50 }",
      "record_deadline_warning { kind: DEADLINE_KIND_REGULATORY_RESULT percent: 75 }",
      "record_deadline_breach { kind: DEADLINE_KIND_FIRST_RESPONSE }",
      "record_deadline_breach { kind: DEADLINE_KIND_RESOLUTION }",
      R"pb(merge { survivor_case_id: "C-SURVIVOR" })pb",
      "record_customer_reply { decision: CUSTOMER_DECISION_REJECTS }",
      R"pb(answer_inquiry { answer: "a" })pb",
      R"pb(route_to_department { department: "d" })pb",
      R"pb(form_task_group { task_group { lead: "E-1" members: "E-2" departments: "d" } })pb",
      R"pb(close_by_referral { referral: REFERRAL_INSURER reason: "r" })pb",
  };
  static const std::vector<v1::Actor> kActors = {Handler(), RegionSupervisor(), HqSupervisor(),
                                                 Scanner()};
  return {Pick(kBodies), Pick(kActors)};
}

std::pair<std::string, v1::Actor> RandomCase::Step(int step, const v1::CaseState& s) {
  if (step == 0) return {OpenCase(), Handler()};
  return Chance(0.75) ? NextStep(s) : AnyCommand();
}

RandomCase::StepCommand RandomCase::NextCommand(int step, const v1::CaseState& s,
                                                const std::string& case_id, absl::Time* now) {
  auto [body, actor] = Step(step, s);
  StepCommand out{body, CommandFromText(body), std::move(actor)};
  out.command.set_command_id(absl::StrCat(case_id, "-", step));
  out.command.set_case_id(case_id);
  *now += absl::Minutes(Uniform(1, 900));
  return out;
}

}  // namespace docket::testing
