// docket_demo: drives NDJSON commands through the pure engine in memory and
// prints every outcome, then the case table. No storage: the embedded
// runtime (docketctl) is the durable version of this loop.
//
//   docket_demo [FILE.ndjson ...]   (default: examples/seed_cases.ndjson)
//
// Each command is decided at its own occurred_at (or, without one, just
// after the previous command), so the output is the same on every run.

#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/decider.h"
#include "engine/event_kind.h"
#include "engine/evolve.h"
#include "engine/policy.h"
#include "engine/refusal.h"
#include "engine/time_util.h"
#include "services/json_codec.h"
#include "tools/case_table.h"

int main(int argc, char** argv) {
  using namespace docket;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) files.push_back(argv[i]);
  if (files.empty()) files.push_back("examples/seed_cases.ndjson");

  const v1::Policy& policy = DefaultPolicy();
  std::map<std::string, v1::CaseState> cases;
  absl::Time clock = absl::UnixEpoch();
  int accepted = 0, rejected = 0;
  for (const std::string& file : files) {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "docket_demo: cannot read " << file << "\n";
      return 2;
    }
    std::string line;
    while (std::getline(in, line)) {
      absl::StatusOr<v1::Command> command = ParseCommandJson(line);
      if (!command.ok()) {
        ++rejected;
        std::cout << "REJECTED "
                  << ToJson(MakeRejection(v1::Command(), command.status(), clock))
                  << "\n";
        continue;
      }
      clock = command->has_occurred_at()
                  ? std::max(clock, ToTime(command->occurred_at()))
                  : clock + absl::Seconds(1);
      absl::StatusOr<std::vector<v1::CaseEvent>> events =
          Decide(cases[command->case_id()], *command, policy, clock);
      if (!events.ok()) {
        ++rejected;
        std::cout << "REJECTED "
                  << ToJson(MakeRejection(*command, events.status(), clock))
                  << "\n";
        continue;
      }
      ++accepted;
      for (const v1::CaseEvent& e : *events) {
        Apply(e, &cases[e.case_id()]);
        std::cout << "  " << e.event_id() << "  " << EventKind(e);
        if (e.has_resolution_proposed()) {
          const v1::ResolutionProposed& p = e.resolution_proposed();
          std::cout << "  " << FormatFen(p.amount_fen()) << " CNY = ["
                    << p.calculation() << "]";
          if (p.goodwill_fen() > 0) {
            std::cout << " + goodwill " << FormatFen(p.goodwill_fen());
          }
        }
        std::cout << "\n";
      }
    }
  }
  std::vector<v1::CaseState> table;
  for (auto& [id, state] : cases) {
    if (state.revision() > 0) table.push_back(state);
  }
  std::cout << "\n" << accepted << " commands accepted, " << rejected
            << " rejected; policy " << policy.version() << "; as of "
            << FormatUtc(clock) << "\n\n";
  PrintCaseTable(table, clock, std::cout);
  return rejected > 0 ? 1 : 0;
}
