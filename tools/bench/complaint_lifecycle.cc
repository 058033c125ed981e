// The generated complaint: the six steps with the branches the seeds add
// (progress notices, task groups, warned customers, referrals, recoveries).

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/time_util.h"
#include "tools/bench/lifecycles.h"
#include "tools/bench/workload.h"

namespace docket::bench {
namespace {

enum Step {
  kOpen,
  kAcknowledge,
  kAccept,
  kPhoto,
  kInvestigate,
  kProgressNotice,
  kConclude,
  kTaskGroup,
  kPropose,
  kReply,
  kSpecialHandling,
  kReferral,
  kPay,
  kDecidePenalty,
  kExecutePenalty,
  kReportUpward,
  kFollowUp,
  kArchive,
};

class Complaint final : public Lifecycle {
 public:
  Complaint(int index, std::mt19937& rng) : Lifecycle(absl::StrFormat("B-%08d", index)), rng_(rng) {
    static const v1::Category kCategories[] = {v1::CATEGORY_DAMAGE,   v1::CATEGORY_LOSS,
                                               v1::CATEGORY_LATE,     v1::CATEGORY_BILLING,
                                               v1::CATEGORY_ATTITUDE, v1::CATEGORY_MISDELIVERY};
    static const v1::Channel kChannels[] = {v1::CHANNEL_PHONE,
                                            v1::CHANNEL_ONLINE,
                                            v1::CHANNEL_EMAIL,
                                            v1::CHANNEL_SOCIAL_MEDIA,
                                            v1::CHANNEL_WALK_IN,
                                            v1::CHANNEL_WRITTEN,
                                            v1::CHANNEL_COMPLAINT_STATION};
    category_ = kCategories[rng() % 6];
    channel_ = kChannels[rng() % 7];
    rejects_ = rng() % 10 == 0;
    refers_ = rejects_ && rng() % 10 < 3;
    internal_ = rng() % 3 != 0;
    other_branch_ = rng() % 10 < 3;
    notifies_ = rng() % 3 == 0;
    departments_ = rng() % 100 < 15;
    const int warning = rng() % 100;
    warning_ = warning < 3   ? v1::AGGRAVATING_FACT_ROUTINE_WARNING
               : warning < 4 ? v1::AGGRAVATING_FACT_MEDIA_WARNING
                             : v1::AGGRAVATING_FACT_UNSPECIFIED;
    recovers_ = rng() % 2 == 0;
    weight_g_ = 200 + rng() % 40000;
    claim_fen_ = 1000 + rng() % 800000;
  }

  v1::Command Next(const v1::CaseState& state) override {
    const bool needs_investigation = category_ == v1::CATEGORY_DAMAGE ||
                                     category_ == v1::CATEGORY_LOSS ||
                                     category_ == v1::CATEGORY_LATE;
    switch (step_) {
      case kOpen: {
        v1::Command c = Make(Adapter(channel_));
        v1::Intake* in = c.mutable_open_case()->mutable_intake();
        in->set_channel(channel_);
        in->set_category(category_);
        in->mutable_customer()->set_id(absl::StrCat("CU-", id().substr(2)));
        v1::Shipment* s = in->mutable_shipment();
        s->set_waybill(absl::StrCat("W", id().substr(2)));
        s->set_weight_g(weight_g_);
        s->set_billed_weight_g(weight_g_ + 1000);
        s->set_freight_fen(1500 + weight_g_ / 10);
        s->set_freight_rate_fen_per_kg(300);
        in->set_claim_fen(claim_fen_);
        in->set_handling_branch("GZ");
        in->set_description("generated complaint");
        if (warning_ != v1::AGGRAVATING_FACT_UNSPECIFIED) in->add_facts(warning_);
        step_ = kAcknowledge;
        return c;
      }
      case kAcknowledge: {
        v1::Command c = Make(Handler());
        c.mutable_acknowledge();
        step_ = kAccept;
        return c;
      }
      case kAccept: {
        v1::Command c = Make(Handler());
        v1::Accept* accept = c.mutable_accept();
        if (departments_) {
          accept->add_departments("sorting");
          accept->add_departments("delivery");
        }
        step_ = category_ == v1::CATEGORY_DAMAGE ? kPhoto : kInvestigate;
        return c;
      }
      case kPhoto: {
        v1::Command c = Make(Handler());
        *c.mutable_attach_evidence()->mutable_evidence() = WorkloadPhoto();
        step_ = kInvestigate;
        return c;
      }
      case kInvestigate: {
        if (!needs_investigation) {
          step_ = kTaskGroup;
          return Next(state);
        }
        v1::Command c = Make(Handler());
        c.mutable_open_investigation()->set_investigator("E-101");
        step_ = notifies_ ? kProgressNotice : kConclude;
        return c;
      }
      case kProgressNotice: {
        // 渠道管理办法 三(一)2: the customer told the progress and when.
        v1::Command c = Make(Handler());
        v1::SendProgressNotice* n = c.mutable_send_progress_notice();
        n->set_progress("the investigation is checking the scans");
        *n->mutable_expected_completion_at() =
            ToProto(ToTime(state.opened_at()) + absl::Hours(24 * 5));
        step_ = kConclude;
        return c;
      }
      case kConclude: {
        v1::Command c = Make(Handler());
        v1::Findings* f = c.mutable_conclude_investigation()->mutable_findings();
        f->set_responsible(internal_ ? v1::RESPONSIBLE_PARTY_INTERNAL
                                     : v1::RESPONSIBLE_PARTY_THIRD_PARTY);
        if (internal_) f->set_internal_branch(other_branch_ ? "FS" : "GZ");
        if (!internal_) f->set_third_party("airline");
        f->set_assessed_loss_fen(claim_fen_ / 2);
        step_ = kTaskGroup;
        return c;
      }
      case kTaskGroup: {
        // 四(二)3: MAJOR or several departments: a task group first.
        step_ = kPropose;
        if ((state.severity() < v1::SEVERITY_MAJOR && state.departments_size() < 2) ||
            state.has_task_group()) {
          return Next(state);
        }
        v1::Command c = Make(Supervisor());
        v1::TaskGroup* g = c.mutable_form_task_group()->mutable_task_group();
        g->set_lead("E-300");
        g->add_members("E-101");
        g->add_departments("sorting");
        g->add_departments("delivery");
        return c;
      }
      case kPropose: {
        v1::Command c = Make(Supervisor());
        c.mutable_propose_resolution()->set_goodwill_fen(round_ > 0 ? 5000 : 0);
        step_ = kReply;
        return c;
      }
      case kReply: {
        const bool rejects = (rejects_ && round_ == 0) || (refers_ && round_ == 1);
        v1::Command c = Make(Handler());
        c.mutable_record_customer_reply()->set_decision(rejects ? v1::CUSTOMER_DECISION_REJECTS
                                                                : v1::CUSTOMER_DECISION_ACCEPTS);
        step_ = !rejects ? kPay : round_ == 0 ? kSpecialHandling : kReferral;
        return c;
      }
      case kSpecialHandling: {
        v1::Command c = Make(Handler());
        c.mutable_start_special_handling()->set_customer_view("wants more");
        ++round_;
        step_ = kPropose;
        return c;
      }
      case kReferral: {
        v1::Command c = Make(Supervisor());
        v1::CloseByReferral* r = c.mutable_close_by_referral();
        r->set_referral(rng_() % 2 == 0 ? v1::REFERRAL_LITIGATION : v1::REFERRAL_INSURER);
        r->set_reason("rejected twice after special handling");
        Finish();
        return c;
      }
      case kPay: {
        // The amount is the engine's: pay what it proposed, if anything.
        step_ = needs_investigation && internal_ ? kDecidePenalty : kReportUpward;
        const int64_t owed = state.proposed_fen() - state.paid_fen();
        if (owed <= 0) return Next(state);
        // From MAJOR up, approved and co-approved first (the policy's
        // co_approval_from); goodwill, at any severity, approved by a
        // supervisor other than its proposer.
        const bool co_approved = state.severity() >= v1::SEVERITY_MAJOR;
        if (co_approved || state.goodwill_fen() > 0) {
          const auto approved = [&](v1::Role role) {
            for (const v1::CompensationApproval& a : state.approvals()) {
              if (a.role() == role) return true;
            }
            return false;
          };
          for (v1::Role role : {v1::ROLE_SUPERVISOR, v1::ROLE_CLAIMS}) {
            if (approved(role) || (role == v1::ROLE_CLAIMS && !co_approved)) continue;
            step_ = kPay;
            v1::Command c = Make(
                role == v1::ROLE_CLAIMS ? Claims() : Approver(state.proposal_required_level()));
            c.mutable_approve_compensation();
            return c;
          }
        }
        v1::Command c = Make(Claims());
        c.mutable_pay_compensation()->set_amount_fen(owed);
        const bool someone_else =
            (internal_ && other_branch_) ||
            state.findings().responsible() == v1::RESPONSIBLE_PARTY_THIRD_PARTY;
        if (needs_investigation && someone_else && recovers_) {
          v1::CaseState paid = state;
          paid.set_paid_fen(state.paid_fen() + owed);
          Spawn(NewRecovery(paid, rng_));
        }
        return c;
      }
      case kDecidePenalty: {
        v1::Command c = Make(Supervisor());
        v1::Penalty* p = c.mutable_decide_penalty()->mutable_penalty();
        p->set_penalty_id("P-1");
        p->set_party_branch(other_branch_ ? "FS" : "GZ");
        p->set_measure("warning");
        step_ = kExecutePenalty;
        return c;
      }
      case kExecutePenalty: {
        v1::Command c = Make(Supervisor());
        c.mutable_execute_penalty()->set_penalty_id("P-1");
        step_ = kReportUpward;
        return c;
      }
      case kReportUpward: {
        v1::Command c = Make(Supervisor());
        c.mutable_report_upward()->set_to_level(v1::LEVEL_HEADQUARTERS);
        step_ = kFollowUp;
        return c;
      }
      case kFollowUp: {
        v1::Command c = Make(Handler());
        c.mutable_record_follow_up()->set_method(v1::FOLLOW_UP_METHOD_PHONE);
        c.mutable_record_follow_up()->set_satisfaction(4);
        step_ = kArchive;
        return c;
      }
      default: {
        v1::Command c = Make(Handler());
        c.mutable_archive();
        Finish();
        return c;
      }
    }
  }

  bool may_inject_early_archive() const override { return true; }

 private:
  std::mt19937& rng_;
  v1::Category category_;
  v1::Channel channel_;
  v1::AggravatingFact warning_;
  bool rejects_, refers_, internal_, other_branch_, notifies_, departments_, recovers_;
  int64_t weight_g_, claim_fen_;
  int step_ = kOpen, round_ = 0;
};

}  // namespace

std::unique_ptr<Lifecycle> NewComplaint(int index, std::mt19937& rng) {
  return std::make_unique<Complaint>(index, rng);
}

v1::Evidence WorkloadPhoto() {
  constexpr char kSha[] = "dab83750bfa0f03e0ebfac01ae179ee5f95e97f7dbd4d4fb778481b2c603c2aa";
  v1::Evidence e;
  e.set_kind(v1::EVIDENCE_KIND_PHOTO);
  e.set_uri(absl::StrCat("cas://", kSha));
  e.set_sha256_hex(kSha);
  e.set_size_bytes(83);
  e.set_media_type("image/png");
  e.set_captured_by("E-101");
  return e;
}

}  // namespace docket::bench
