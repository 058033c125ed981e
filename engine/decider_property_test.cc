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
#include "engine/testing/random_case.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using testing::RandomCase;

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
      auto [body, command, actor] = gen.NextCommand(step, state, case_id, &now);
      *command.mutable_actor() = actor;

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
