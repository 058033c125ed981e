#include "projections/case_cache.h"

namespace docket {

absl::StatusOr<v1::CaseState*> CaseCache::Get(const std::string& case_id) {
  auto it = states_.find(case_id);
  if (it != states_.end()) return &it->second;
  absl::StatusOr<v1::CaseState> state = store_->ReadCase(case_id);
  if (!state.ok()) return state.status();
  return &states_.emplace(case_id, *std::move(state)).first->second;
}

}  // namespace docket
