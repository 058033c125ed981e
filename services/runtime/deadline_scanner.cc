#include "services/runtime/deadline_scanner.h"

#include <set>
#include <string>
#include <vector>

#include "engine/due_commands.h"
#include "projections/keys.h"

namespace docket {
namespace {

constexpr int kGroup = 512;
constexpr int kMaxPasses = 10000;

}  // namespace

v1::Actor DeadlineScanner::Actor() { return SystemActor(); }

absl::StatusOr<std::vector<v1::Command>> DeadlineScanner::DueCommands(
    const Store& store, absl::Time now, size_t limit, const v1::Policy& policy,
    const Calendar& calendar, const std::function<bool(const std::string& case_id)>& owned,
    std::set<std::string>* tried) {
  std::vector<v1::Command> group;
  std::set<std::string> planned;  // Cases planned in this group.
  std::unique_ptr<rocksdb::Iterator> it = store.NewIterator(Cf::kDue);
  for (it->SeekToFirst(); it->Valid() && group.size() < limit; it->Next()) {
    absl::Time at;
    std::string case_id;
    v1::DeadlineKind kind;
    if (!keys::ParseDue(absl::string_view(it->key().data(), it->key().size()), &at, &case_id,
                        &kind)) {
      return absl::DataLossError("the due index holds a key of the wrong shape");
    }
    if (at > now) break;
    if (owned && !owned(case_id)) continue;
    if (!planned.insert(case_id).second) continue;
    absl::StatusOr<v1::CaseState> state = store.ReadCase(case_id);
    if (!state.ok()) return state.status();
    // All the case's marks reached by now (a breach once its due time has
    // passed), in time order across its clocks, as the engine decides them
    // one after the other.
    for (v1::Command& command : docket::DueCommands(*state, now, policy, calendar, Actor())) {
      if (!tried->insert(command.command_id()).second) continue;
      group.push_back(std::move(command));
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the due index");
  return group;
}

absl::StatusOr<ScanResult> DeadlineScanner::Scan(absl::Time now) {
  ScanResult result;
  std::set<std::string> tried;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    absl::StatusOr<std::vector<v1::Command>> due = DueCommands(
        *store_, now, kGroup, processor_->policy(), processor_->calendar(), nullptr, &tried);
    if (!due.ok()) return due.status();
    if (due->empty()) break;
    std::vector<absl::StatusOr<v1::Command>> group(due->begin(), due->end());
    absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes =
        processor_->SubmitBatchAt(group, now);
    if (!outcomes.ok()) return outcomes.status();
    for (const v1::CommandOutcome& outcome : *outcomes) {
      if (outcome.has_rejection()) {
        ++result.refused;
        continue;
      }
      for (const v1::CaseEvent& e : outcome.events()) {
        if (outcome.duplicate()) break;
        result.warnings += e.has_deadline_warning();
        result.breaches += e.has_deadline_breached();
        result.escalations += e.has_escalated();
        result.appeals += e.has_case_opened();
      }
    }
  }
  return result;
}

}  // namespace docket
