#include "services/runtime/deadline_scanner.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/deadlines.h"
#include "engine/time_util.h"
#include "projections/keys.h"

namespace docket {
namespace {

constexpr int kGroup = 512;
constexpr int kMaxPasses = 10000;

struct DueEntry {
  absl::Time at;
  std::string case_id;
  v1::DeadlineKind kind = v1::DEADLINE_KIND_UNSPECIFIED;
};

v1::Command Base(const std::string& id, const std::string& case_id, absl::Time occurred) {
  v1::Command c;
  c.set_command_id(id);
  c.set_case_id(case_id);
  *c.mutable_actor() = DeadlineScanner::Actor();
  *c.mutable_occurred_at() = ToProto(occurred);
  return c;
}

v1::Command Appeal(const v1::CaseState& state, absl::Time occurred) {
  v1::Command c = Base(absl::StrCat("appeal:", state.case_id()),
                       absl::StrCat(state.case_id(), "-APPEAL"), occurred);
  v1::Intake* intake = c.mutable_open_case()->mutable_intake();
  *intake = state.intake();
  intake->set_channel(v1::CHANNEL_REGULATOR);
  intake->set_category(state.category());
  intake->set_claim_fen(state.claim_fen());
  *intake->mutable_facts() = state.facts();
  intake->mutable_link()->set_kind(v1::LINK_KIND_REGULATOR_APPEAL);
  intake->mutable_link()->set_case_id(state.case_id());
  intake->set_description(
      absl::StrCat("appeal to the postal authority (12305): no handling result within the "
                   "regulatory window of case ",
                   state.case_id()));
  return c;
}

}  // namespace

v1::Actor DeadlineScanner::Actor() {
  v1::Actor actor;
  actor.set_id("docket-scanner");
  actor.set_role(v1::ROLE_SYSTEM);
  actor.set_level(v1::LEVEL_HEADQUARTERS);
  return actor;
}

absl::StatusOr<std::vector<v1::Command>> DeadlineScanner::DueCommands(
    const Store& store, absl::Time now, size_t limit,
    const std::function<bool(const std::string& case_id)>& owned, std::set<std::string>* tried) {
  std::vector<v1::Command> group;
  std::unique_ptr<rocksdb::Iterator> it = store.NewIterator(Cf::kDue);
  for (it->SeekToFirst(); it->Valid() && group.size() < limit; it->Next()) {
    DueEntry due;
    if (!keys::ParseDue(absl::string_view(it->key().data(), it->key().size()), &due.at,
                        &due.case_id, &due.kind)) {
      return absl::DataLossError("the due index holds a key of the wrong shape");
    }
    if (due.at > now) break;
    if (owned && !owned(due.case_id)) continue;
    absl::StatusOr<v1::CaseState> state = store.ReadCase(due.case_id);
    if (!state.ok()) return state.status();
    const v1::Deadline* d = FindOpenDeadline(*state, due.kind);
    if (d == nullptr) continue;
    const std::string prefix =
        absl::StrCat("deadline:", due.case_id, ":", v1::DeadlineKind_Name(due.kind), ":",
                     d->window_number(), ":");
    const v1::DeadlineMark* mark = NextUnwarnedMark(*d);
    v1::Command command;
    if (mark != nullptr) {
      command = Base(absl::StrCat(prefix, mark->percent()), due.case_id, ToTime(mark->at()));
      command.mutable_record_deadline_warning()->set_kind(due.kind);
      command.mutable_record_deadline_warning()->set_percent(mark->percent());
    } else {
      command = Base(absl::StrCat(prefix, "breach"), due.case_id, ToTime(d->due_at()));
      command.mutable_record_deadline_breach()->set_kind(due.kind);
    }
    if (!tried->insert(command.command_id()).second) continue;
    const bool appeal = mark == nullptr && due.kind == v1::DEADLINE_KIND_REGULATORY_RESULT;
    group.push_back(std::move(command));
    // In the same atomic group as the breach: both happen, or neither.
    if (appeal) group.push_back(Appeal(*state, ToTime(d->due_at())));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the due index");
  return group;
}

absl::StatusOr<ScanResult> DeadlineScanner::Scan(absl::Time now) {
  ScanResult result;
  std::set<std::string> tried;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    absl::StatusOr<std::vector<v1::Command>> due =
        DueCommands(*store_, now, kGroup, nullptr, &tried);
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
