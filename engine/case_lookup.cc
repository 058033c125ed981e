#include "engine/case_lookup.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace docket {

std::vector<std::string> ReferencedCases(const v1::Command& command) {
  std::vector<std::string> ids;
  switch (command.body_case()) {
    case v1::Command::kMerge:
      ids.push_back(command.merge().survivor_case_id());
      break;
    case v1::Command::kOpenCase:
      if (command.open_case().intake().has_link()) {
        ids.push_back(command.open_case().intake().link().case_id());
      }
      break;
    default:
      break;
  }
  ids.erase(
      std::remove_if(ids.begin(), ids.end(),
                     [&](const std::string& id) { return id.empty() || id == command.case_id(); }),
      ids.end());
  return ids;
}

std::vector<std::string> LinkedCasesConsulted(const v1::Command& command) {
  if (command.body_case() != v1::Command::kOpenCase) return {};
  const v1::Intake& intake = command.open_case().intake();
  if (intake.kind() != v1::CASE_KIND_RECOVERY || intake.link().case_id().empty()) return {};
  return {intake.link().case_id()};
}

std::vector<v1::CaseState> CaseMap::LinkedTo(absl::string_view case_id) const {
  std::vector<v1::CaseState> linked;
  for (const auto& [id, state] : states_) {
    if (state.intake().link().case_id() == case_id) linked.push_back(state);
  }
  return linked;
}

absl::StatusOr<v1::CaseState> CaseMap::Find(absl::string_view case_id) const {
  if (std::find(unavailable_.begin(), unavailable_.end(), case_id) != unavailable_.end()) {
    return absl::UnavailableError(absl::StrCat("case ", case_id, " is not visible here"));
  }
  auto it = states_.find(case_id);
  if (it == states_.end()) return v1::CaseState();
  return it->second;
}

const CaseMap& CaseMap::Empty() {
  static const CaseMap* const kEmpty = new CaseMap();
  return *kEmpty;
}

}  // namespace docket
