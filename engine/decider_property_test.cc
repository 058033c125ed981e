// Property test: random command sequences (mostly the next step of the
// process, sometimes any command at all, by random actors at random times)
// against the engine. For every history:
// - the same command on the same state at the same time decides the same
//   events, byte for byte;
// - accepted events carry contiguous revisions from the state's revision;
// - a refused command is refused again identically (no hidden state);
// - folding the whole history from nothing, twice, gives identical bytes,
//   equal to the state the decider saw.

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/decider.h"
#include "engine/deterministic_bytes.h"
#include "engine/evolve.h"
#include "engine/policy.h"
#include "engine/testing/case_harness.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using testing::CommandFromText;

class RandomCase {
 public:
  explicit RandomCase(uint32_t seed) : rng_(seed) {}

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Uniform(0, v.size() - 1)];
  }

  std::string OpenCase() {
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
        Uniform(1, 99999), weight, weight + Uniform(0, 5000), Uniform(800, 30000),
        Uniform(100, 900), Chance(0.3) ? "true" : "false", Uniform(1000, 2000000),
        Uniform(1000, 4000000), Uniform(0, 8000000));
  }

  // The step the process expects next, with an actor that may take it.
  std::pair<std::string, v1::Actor> NextStep(const v1::CaseState& s) {
    const v1::Actor handler = testing::Handler(), hq = testing::HqSupervisor();
    const bool needs_inv = s.category() == v1::CATEGORY_DAMAGE ||
                           s.category() == v1::CATEGORY_LOSS || s.category() == v1::CATEGORY_LATE;
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
                       uri: "cas://p"
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
        if (owed > 0 && Chance(0.5)) {
          return {absl::StrFormat("pay_compensation { amount_fen: %d }", owed), hq};
        }
        return {"record_follow_up { method: FOLLOW_UP_METHOD_PHONE satisfaction: 4 }", handler};
      case v1::STAGE_FOLLOWED_UP:
        if (owed > 0) {
          return {absl::StrFormat("pay_compensation { amount_fen: %d }", owed), hq};
        }
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

  // Any command at all, by any actor: most will be refused.
  std::pair<std::string, v1::Actor> AnyCommand() {
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
    };
    static const std::vector<v1::Actor> kActors = {testing::Handler(), testing::RegionSupervisor(),
                                                   testing::HqSupervisor(), testing::Scanner()};
    return {Pick(kBodies), Pick(kActors)};
  }

 private:
  std::mt19937 rng_;
};

TEST(DeciderPropertyTest, RandomHistoriesFoldDeterministicallyAndContiguously) {
  const v1::Policy& policy = DefaultPolicy();
  int archived = 0, accepted = 0, refused = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    RandomCase gen(seed);
    const std::string case_id = absl::StrCat("C-P", seed);
    v1::CaseState state;
    std::vector<v1::CaseEvent> history;
    absl::Time now = testing::TestEpoch();
    for (int step = 0;
         step < 60 && state.stage() != v1::STAGE_ARCHIVED && state.stage() != v1::STAGE_MERGED;
         ++step) {
      auto [body, actor] = step == 0          ? std::make_pair(gen.OpenCase(), testing::Handler())
                           : gen.Chance(0.75) ? gen.NextStep(state)
                                              : gen.AnyCommand();
      v1::Command command = CommandFromText(body);
      command.set_command_id(absl::StrCat(case_id, "-", step));
      command.set_case_id(case_id);
      *command.mutable_actor() = actor;
      now += absl::Minutes(gen.Uniform(1, 900));

      auto first = Decide(state, command, policy, now);
      auto second = Decide(state, command, policy, now);
      ASSERT_EQ(first.ok(), second.ok());
      if (!first.ok()) {
        EXPECT_EQ(first.status(), second.status());
        ++refused;
        continue;
      }
      ASSERT_EQ(first->size(), second->size());
      for (size_t i = 0; i < first->size(); ++i) {
        ASSERT_EQ(DeterministicBytes((*first)[i]), DeterministicBytes((*second)[i])) << body;
        ASSERT_EQ((*first)[i].revision(), state.revision() + 1) << "revisions must be contiguous";
        Apply((*first)[i], &state);
        history.push_back((*first)[i]);
      }
      ++accepted;
    }
    archived += state.stage() == v1::STAGE_ARCHIVED;

    v1::CaseState fold_a, fold_b;
    for (const v1::CaseEvent& e : history) Apply(e, &fold_a);
    for (const v1::CaseEvent& e : history) fold_b = Evolve(std::move(fold_b), e);
    ASSERT_EQ(DeterministicBytes(fold_a), DeterministicBytes(fold_b));
    ASSERT_EQ(DeterministicBytes(fold_a), DeterministicBytes(state))
        << "the fold differs from the state the decider saw";
  }
  RecordProperty("archived", archived);
  RecordProperty("accepted", accepted);
  RecordProperty("refused", refused);
  // The generator must reach the end of the process, and meet refusals.
  EXPECT_GT(archived, 100);
  EXPECT_GT(refused, 300);
  EXPECT_GT(accepted, 2000);
}

}  // namespace
}  // namespace docket
