#include "tools/bench/workload.h"

#include <deque>
#include <map>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/decider.h"
#include "engine/evolve.h"
#include "engine/policy.h"
#include "engine/time_util.h"

namespace docket::bench {
namespace {

v1::Actor MakeActor(const char* id, v1::Role role, v1::Level level) {
  v1::Actor a;
  a.set_id(id);
  a.set_role(role);
  a.set_level(level);
  a.set_branch("GZ");
  return a;
}

// One case's scripted lifecycle, emitted one command at a time.
class Lifecycle {
 public:
  Lifecycle(int index, std::mt19937& rng) : id_(absl::StrFormat("B-%08d", index)) {
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
    internal_ = rng() % 3 != 0;
    weight_g_ = 200 + rng() % 40000;
    claim_fen_ = 1000 + rng() % 800000;
  }

  const std::string& id() const { return id_; }
  bool done() const { return step_ >= 99; }

  // The next command of the lifecycle for a case now at `state`;
  // REQUIRES: !done().
  v1::Command Next(const v1::CaseState& state) {
    static const v1::Actor kAdapter = MakeActor("adapter", v1::ROLE_ADAPTER, v1::LEVEL_BRANCH);
    static const v1::Actor kHandler = MakeActor("E-100", v1::ROLE_HANDLER, v1::LEVEL_BRANCH);
    static const v1::Actor kHq = MakeActor("E-300", v1::ROLE_CLAIMS, v1::LEVEL_HEADQUARTERS);
    v1::Command c;
    c.set_case_id(id_);
    c.set_command_id(absl::StrCat(id_, "-", ++seq_));
    *c.mutable_actor() = kHandler;
    const bool needs_investigation = category_ == v1::CATEGORY_DAMAGE ||
                                     category_ == v1::CATEGORY_LOSS ||
                                     category_ == v1::CATEGORY_LATE;
    switch (step_) {
      case 0: {
        *c.mutable_actor() = kAdapter;
        v1::Intake* in = c.mutable_open_case()->mutable_intake();
        in->set_channel(channel_);
        in->set_category(category_);
        in->mutable_customer()->set_id(absl::StrCat("CU-", id_.substr(2)));
        v1::Shipment* s = in->mutable_shipment();
        s->set_waybill(absl::StrCat("W", id_.substr(2)));
        s->set_weight_g(weight_g_);
        s->set_billed_weight_g(weight_g_ + 1000);
        s->set_freight_fen(1500 + weight_g_ / 10);
        s->set_freight_rate_fen_per_kg(300);
        in->set_claim_fen(claim_fen_);
        in->set_handling_branch("GZ");
        in->set_description("generated complaint");
        step_ = 1;
        break;
      }
      case 1:
        c.mutable_acknowledge();
        step_ = 2;
        break;
      case 2:
        c.mutable_accept();
        step_ = category_ == v1::CATEGORY_DAMAGE ? 3 : 4;
        break;
      case 3: {
        v1::Evidence* e = c.mutable_attach_evidence()->mutable_evidence();
        e->set_kind(v1::EVIDENCE_KIND_PHOTO);
        e->set_uri(absl::StrCat("https://evidence.example/", id_, ".jpg"));
        e->set_sha256_hex(std::string(64, 'a'));
        e->set_size_bytes(180000);
        e->set_media_type("image/jpeg");
        step_ = 4;
        break;
      }
      case 4:
        if (!needs_investigation) {
          step_ = 6;
          return Next(state);
        }
        c.mutable_open_investigation()->set_investigator("E-101");
        step_ = 5;
        break;
      case 5: {
        v1::Findings* f = c.mutable_conclude_investigation()->mutable_findings();
        f->set_responsible(internal_ ? v1::RESPONSIBLE_PARTY_INTERNAL
                                     : v1::RESPONSIBLE_PARTY_THIRD_PARTY);
        f->set_internal_branch("GZ");
        f->set_third_party("airline");
        f->set_assessed_loss_fen(claim_fen_ / 2);
        step_ = 6;
        break;
      }
      case 6:
        *c.mutable_actor() = kHq;
        c.mutable_propose_resolution()->set_goodwill_fen(round_ > 0 ? 5000 : 0);
        step_ = 7;
        break;
      case 7:
        c.mutable_record_customer_reply()->set_decision(rejects_ && round_ == 0
                                                            ? v1::CUSTOMER_DECISION_REJECTS
                                                            : v1::CUSTOMER_DECISION_ACCEPTS);
        step_ = rejects_ && round_ == 0 ? 8 : 9;
        break;
      case 8:
        c.mutable_start_special_handling()->set_customer_view("wants more");
        ++round_;
        step_ = 6;
        break;
      case 9: {
        // The amount is the engine's: pay what it proposed, if anything.
        step_ = needs_investigation && internal_ ? 10 : 12;
        const int64_t owed = state.proposed_fen() - state.paid_fen();
        if (owed <= 0) {
          --seq_;
          return Next(state);
        }
        *c.mutable_actor() = kHq;
        c.mutable_pay_compensation()->set_amount_fen(owed);
        break;
      }
      case 10: {
        v1::Penalty* p = c.mutable_decide_penalty()->mutable_penalty();
        p->set_penalty_id("P-1");
        p->set_party_branch("GZ");
        p->set_measure("warning");
        step_ = 11;
        break;
      }
      case 11:
        c.mutable_execute_penalty()->set_penalty_id("P-1");
        step_ = 12;
        break;
      case 12:
        c.mutable_report_upward()->set_to_level(v1::LEVEL_HEADQUARTERS);
        step_ = 13;
        break;
      case 13:
        c.mutable_record_follow_up()->set_method(v1::FOLLOW_UP_METHOD_PHONE);
        c.mutable_record_follow_up()->set_satisfaction(4);
        step_ = 14;
        break;
      default:
        c.mutable_archive();
        step_ = 99;
        break;
    }
    return c;
  }

 private:
  std::string id_;
  v1::Category category_;
  v1::Channel channel_;
  bool rejects_, internal_;
  int64_t weight_g_, claim_fen_;
  int step_ = 0, seq_ = 0, round_ = 0;
};

}  // namespace

std::vector<v1::Command> GenerateWorkload(const WorkloadOptions& options) {
  std::mt19937 rng(options.seed);
  std::vector<v1::Command> out;
  std::deque<Lifecycle> active;
  std::map<std::string, v1::CaseState> states;
  const v1::Policy& policy = DefaultPolicy();
  int opened = 0;
  // One command a second, ending around 2026-11-02 01:00 UTC whatever the
  // size (about 11 commands per case), so that no command occurs after the
  // time it is decided at.
  absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 11, 2, 1, 0, 0), absl::UTCTimeZone()) -
                 absl::Seconds(12) * options.cases;
  while (opened < options.cases || !active.empty()) {
    while (opened < options.cases && static_cast<int>(active.size()) < options.concurrency) {
      active.emplace_back(opened++, rng);
    }
    const size_t pick = rng() % active.size();
    Lifecycle& life = active[pick];
    v1::CaseState& state = states[life.id()];
    v1::Command c = life.Next(state);
    t += absl::Seconds(1);
    *c.mutable_occurred_at() = ToProto(t);
    out.push_back(c);
    // Folded with the real engine, so the next step sees what it decided.
    absl::StatusOr<std::vector<v1::CaseEvent>> events = Decide(state, c, policy, t);
    if (events.ok()) {
      for (const v1::CaseEvent& e : *events) Apply(e, &state);
    }
    const double roll = std::uniform_real_distribution<double>(0, 1)(rng);
    if (roll < options.bad_share) {
      v1::Command bad = c;
      switch (rng() % 3) {
        case 0:  // A repeat of the same command: a duplicate.
          break;
        case 1:  // Out of order: archive now.
          bad.set_command_id(absl::StrCat(c.command_id(), "-early-archive"));
          bad.mutable_archive();
          break;
        default:  // An unknown case.
          bad.set_command_id(absl::StrCat(c.command_id(), "-stray"));
          bad.set_case_id(absl::StrCat(c.case_id(), "-NOWHERE"));
          break;
      }
      out.push_back(bad);
    }
    if (life.done()) {
      states.erase(life.id());
      active[pick] = std::move(active.back());
      active.pop_back();
    }
  }
  return out;
}

}  // namespace docket::bench
