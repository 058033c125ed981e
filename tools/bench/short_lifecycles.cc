// The generated short flows: inquiries, suggestions and recovery child
// cases; and what every lifecycle shares.

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/bench/lifecycles.h"

namespace docket::bench {
namespace {

v1::Actor MakeActor(const char* id, v1::Role role, v1::Level level, const char* branch = "",
                    const char* region = "") {
  v1::Actor a;
  a.set_id(id);
  a.set_role(role);
  a.set_level(level);
  a.set_branch(branch);
  a.set_region(region);
  return a;
}

v1::Channel SomeChannel(std::mt19937& rng) {
  static const v1::Channel kChannels[] = {v1::CHANNEL_PHONE, v1::CHANNEL_ONLINE, v1::CHANNEL_EMAIL,
                                          v1::CHANNEL_SOCIAL_MEDIA};
  return kChannels[rng() % 4];
}

// 客户咨询流程: answered at once, or routed and answered; archived.
class Inquiry final : public Lifecycle {
 public:
  Inquiry(int index, std::mt19937& rng)
      : Lifecycle(absl::StrFormat("Q-%08d", index)),
        channel_(SomeChannel(rng)),
        routed_(rng() % 10 < 3) {}

  v1::Command Next(const v1::CaseState&) override {
    v1::Command c = Make(step_ == 0 ? Adapter(channel_) : Handler());
    switch (step_++) {
      case 0: {
        v1::Intake* in = c.mutable_open_case()->mutable_intake();
        in->set_kind(v1::CASE_KIND_INQUIRY);
        in->set_channel(channel_);
        in->mutable_customer()->set_id(absl::StrCat("CU-", id().substr(2)));
        in->mutable_shipment()->set_waybill(absl::StrCat("W", id().substr(2)));
        in->set_handling_branch("GZ");
        in->set_description("where is my parcel?");
        if (!routed_) ++step_;
        break;
      }
      case 1:
        c.mutable_route_to_department()->set_department("operations");
        break;
      case 2:
        c.mutable_answer_inquiry()->set_answer("out for delivery today");
        break;
      default:
        c.mutable_archive();
        Finish();
        break;
    }
    return c;
  }

 private:
  v1::Channel channel_;
  bool routed_;
  int step_ = 0;
};

// 客户建议收集与反馈流程: routed, evaluated, fed back, archived.
class Suggestion final : public Lifecycle {
 public:
  Suggestion(int index, std::mt19937& rng)
      : Lifecycle(absl::StrFormat("S-%08d", index)),
        channel_(SomeChannel(rng)),
        adopted_(rng() % 10 < 4) {}

  v1::Command Next(const v1::CaseState&) override {
    v1::Command c = Make(step_ == 0 ? Adapter(channel_) : Handler());
    switch (step_++) {
      case 0: {
        v1::Intake* in = c.mutable_open_case()->mutable_intake();
        in->set_kind(v1::CASE_KIND_SUGGESTION);
        in->set_channel(channel_);
        in->mutable_customer()->set_id(absl::StrCat("CU-", id().substr(2)));
        in->set_handling_branch("GZ");
        in->set_description("offer pick-up on Saturdays");
        break;
      }
      case 1:
        c.mutable_route_to_department()->set_department("product");
        break;
      case 2:
        c.mutable_evaluate_suggestion()->set_adopted(adopted_);
        c.mutable_evaluate_suggestion()->set_reason(adopted_ ? "feasible" : "too costly for now");
        break;
      case 3:
        c.mutable_feed_back_suggestion()->set_message("thank you for the suggestion");
        break;
      default:
        c.mutable_archive();
        Finish();
        break;
    }
    return c;
  }

 private:
  v1::Channel channel_;
  bool adopted_;
  int step_ = 0;
};

// 网络追偿 / 向第三方索赔 (代位求偿): demanded, settled, archived.
class Recovery final : public Lifecycle {
 public:
  Recovery(const v1::CaseState& parent, std::mt19937& rng)
      : Lifecycle(absl::StrCat(parent.case_id(), "-R")), parent_(parent) {
    parents_.Put(parent);
    const int outcome = rng() % 10;
    outcome_ = outcome < 6   ? v1::RECOVERY_OUTCOME_RECOVERED
               : outcome < 9 ? v1::RECOVERY_OUTCOME_PARTIAL
                             : v1::RECOVERY_OUTCOME_REFUSED;
  }

  const CaseLookup& cases() const override { return parents_; }

  v1::Command Next(const v1::CaseState&) override {
    v1::Command c = Make(Claims());
    const int64_t amount = parent_.paid_fen();
    switch (step_++) {
      case 0: {
        const v1::Findings& f = parent_.findings();
        const bool network = f.responsible() == v1::RESPONSIBLE_PARTY_INTERNAL;
        v1::Intake* in = c.mutable_open_case()->mutable_intake();
        in->set_kind(v1::CASE_KIND_RECOVERY);
        in->set_handling_branch("GZ");
        in->mutable_link()->set_kind(network ? v1::LINK_KIND_NETWORK_RECOVERY
                                             : v1::LINK_KIND_THIRD_PARTY_CLAIM);
        in->mutable_link()->set_case_id(parent_.case_id());
        v1::RecoveryClaim* r = in->mutable_recovery();
        r->set_amount_fen(amount);
        if (network) {
          r->set_liable_branch(f.internal_branch());
        } else {
          r->set_third_party(f.third_party());
          r->set_subrogation(true);
        }
        break;
      }
      case 1:
        c.mutable_demand_recovery()->set_reference(absl::StrCat("DEBIT-", parent_.case_id()));
        break;
      case 2: {
        v1::SettleRecovery* s = c.mutable_settle_recovery();
        s->set_outcome(outcome_);
        s->set_recovered_fen(outcome_ == v1::RECOVERY_OUTCOME_RECOVERED ? amount
                             : outcome_ == v1::RECOVERY_OUTCOME_PARTIAL ? (amount + 1) / 2
                                                                        : 0);
        if (amount < 2 && outcome_ == v1::RECOVERY_OUTCOME_PARTIAL) {
          s->set_outcome(v1::RECOVERY_OUTCOME_RECOVERED);
          s->set_recovered_fen(amount);
        }
        s->set_note("settled");
        break;
      }
      default:
        // Claims pursues the recovery; a supervisor closes the case.
        *c.mutable_actor() = Supervisor();
        c.mutable_archive();
        Finish();
        break;
    }
    return c;
  }

 private:
  v1::CaseState parent_;
  CaseMap parents_;
  v1::RecoveryOutcome outcome_;
  int step_ = 0;
};

}  // namespace

v1::Command Lifecycle::Make(const v1::Actor& actor) {
  v1::Command c;
  c.set_case_id(id_);
  c.set_command_id(absl::StrCat(id_, "-", ++seq_));
  *c.mutable_actor() = actor;
  return c;
}

v1::Actor Adapter(v1::Channel channel) {
  switch (channel) {
    case v1::CHANNEL_PHONE:
      return MakeActor("adapter-phone", v1::ROLE_ADAPTER, v1::LEVEL_HEADQUARTERS);
    case v1::CHANNEL_ONLINE:
      return MakeActor("adapter-web", v1::ROLE_ADAPTER, v1::LEVEL_HEADQUARTERS);
    case v1::CHANNEL_EMAIL:
      return MakeActor("adapter-mail", v1::ROLE_ADAPTER, v1::LEVEL_HEADQUARTERS);
    case v1::CHANNEL_SOCIAL_MEDIA:
      return MakeActor("adapter-weibo", v1::ROLE_ADAPTER, v1::LEVEL_HEADQUARTERS);
    case v1::CHANNEL_REGULATOR:
      return MakeActor("adapter-12305", v1::ROLE_ADAPTER, v1::LEVEL_HEADQUARTERS);
    default:
      return MakeActor("adapter-desk", v1::ROLE_ADAPTER, v1::LEVEL_HEADQUARTERS);
  }
}
v1::Actor Handler() { return MakeActor("E-101", v1::ROLE_HANDLER, v1::LEVEL_BRANCH, "GZ"); }
v1::Actor Supervisor() { return MakeActor("E-300", v1::ROLE_SUPERVISOR, v1::LEVEL_HEADQUARTERS); }
v1::Actor Approver(v1::Level required) {
  return required == v1::LEVEL_HEADQUARTERS
             ? MakeActor("E-301", v1::ROLE_SUPERVISOR, v1::LEVEL_HEADQUARTERS)
             : MakeActor("E-200", v1::ROLE_SUPERVISOR, v1::LEVEL_REGION, "", "SOUTH");
}
v1::Actor Claims() { return MakeActor("C-100", v1::ROLE_CLAIMS, v1::LEVEL_HEADQUARTERS); }

std::unique_ptr<Lifecycle> NewInquiry(int index, std::mt19937& rng) {
  return std::make_unique<Inquiry>(index, rng);
}

std::unique_ptr<Lifecycle> NewSuggestion(int index, std::mt19937& rng) {
  return std::make_unique<Suggestion>(index, rng);
}

std::unique_ptr<Lifecycle> NewRecovery(const v1::CaseState& parent, std::mt19937& rng) {
  return std::make_unique<Recovery>(parent, rng);
}

}  // namespace docket::bench
