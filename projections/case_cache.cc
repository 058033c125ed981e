#include "projections/case_cache.h"

#include "projections/projector.h"

namespace docket {

absl::StatusOr<CaseCache::Entry*> CaseCache::GetEntry(const std::string& case_id) {
  auto it = states_.find(case_id);
  if (it != states_.end()) return &it->second;
  absl::StatusOr<v1::CaseState> state = store_->ReadCase(case_id);
  if (!state.ok()) return state.status();
  Entry& entry = states_[case_id];
  entry.state = *std::move(state);
  entry.initial_revision = entry.state.revision();
  entry.initial_stage = entry.state.stage();
  entry.initial_due_keys = DueKeys(entry.state);
  return &entry;
}

absl::StatusOr<CaseCache::DirectoryEntry*> CaseCache::GetDirectory() {
  if (directory_.has_value()) return &*directory_;
  absl::StatusOr<v1::DirectoryState> state = store_->ReadDirectory();
  if (!state.ok()) return state.status();
  directory_.emplace();
  directory_->state = *std::move(state);
  return &*directory_;
}

absl::StatusOr<v1::CaseState*> CaseCache::Get(const std::string& case_id) {
  absl::StatusOr<Entry*> entry = GetEntry(case_id);
  if (!entry.ok()) return entry.status();
  return &(*entry)->state;
}

}  // namespace docket
