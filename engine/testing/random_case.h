#ifndef DOCKET_ENGINE_TESTING_RANDOM_CASE_H_
#define DOCKET_ENGINE_TESTING_RANDOM_CASE_H_

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/common.pb.h"
#include "docket/v1/state.pb.h"

namespace docket::testing {

// Random commands for property tests, reproducible from a seed: a random
// intake (mostly complaints, some inquiries and suggestions), the step the process expects next
// (mostly accepted), or any command at all by any actor (mostly refused). Bodies are text format,
// for CommandFromText.
class RandomCase {
 public:
  explicit RandomCase(uint32_t seed) : rng_(seed) {}

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Uniform(0, v.size() - 1)];
  }

  // An open_case body with random category, channel, customer and shipment.
  std::string OpenCase();

  // The step the process expects next for `s`, with an actor that may take it.
  std::pair<std::string, v1::Actor> NextStep(const v1::CaseState& s);

  // Any command at all, by any actor: most will be refused.
  std::pair<std::string, v1::Actor> AnyCommand();

  // Step `step` (from 0) of a random history at `s`: the intake first (by
  // a handler), then mostly the next step, sometimes any command.
  std::pair<std::string, v1::Actor> Step(int step, const v1::CaseState& s);

  // Step `step` of the random history of `case_id` at `s`, as a command
  // (id "<case_id>-<step>", no actor yet) that occurs 1 to 900 minutes
  // after `*now`, which it advances.
  struct StepCommand {
    std::string body;  // Text format.
    v1::Command command;
    v1::Actor actor;  // One that may take the step.
  };
  StepCommand NextCommand(int step, const v1::CaseState& s, const std::string& case_id,
                          absl::Time* now);

 private:
  // The next step of an inquiry or suggestion.
  std::string NextFlowStep(const v1::CaseState& s);
  std::pair<std::string, v1::Actor> Payment(const v1::CaseState& s, int64_t owed);

  std::mt19937 rng_;
};

}  // namespace docket::testing

#endif  // DOCKET_ENGINE_TESTING_RANDOM_CASE_H_
