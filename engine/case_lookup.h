#ifndef DOCKET_ENGINE_CASE_LOOKUP_H_
#define DOCKET_ENGINE_CASE_LOOKUP_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/state.pb.h"

namespace docket {

// Read-only access to the states of other cases, for the decisions that
// involve one: a merge's survivor, the archived case a new complaint
// reopens, a child case's parent. The runtime loads what
// ReferencedCases(command) names before it decides, so Decide stays pure.
class CaseLookup {
 public:
  virtual ~CaseLookup() = default;

  // The state of `case_id`: a default CaseState (revision 0) when no such
  // case exists; kUnavailable when this runtime cannot see it (Kafka mode:
  // a case of a partition this engine does not own).
  virtual absl::StatusOr<v1::CaseState> Find(absl::string_view case_id) const = 0;

  // The cases whose intake links to `case_id` (its recoveries, appeal,
  // reopenings) that this runtime can see, for the decisions
  // LinkedCasesConsulted names.
  virtual std::vector<v1::CaseState> LinkedTo(absl::string_view case_id) const = 0;
};

// The other cases `command` refers to, which its decision may consult.
std::vector<std::string> ReferencedCases(const v1::Command& command);

// The cases whose linked cases (LinkedTo) `command`'s decision consults: a
// recovery's parent, whose recoveries together claim at most what it paid.
std::vector<std::string> LinkedCasesConsulted(const v1::Command& command);

// A lookup over states held in a map; ids not in the map do not exist.
class CaseMap final : public CaseLookup {
 public:
  CaseMap() = default;
  void Put(v1::CaseState state) { states_[state.case_id()] = std::move(state); }
  // `case_id` is a case this lookup cannot see (kUnavailable).
  void MarkUnavailable(const std::string& case_id) { unavailable_.push_back(case_id); }

  absl::StatusOr<v1::CaseState> Find(absl::string_view case_id) const override;
  std::vector<v1::CaseState> LinkedTo(absl::string_view case_id) const override;

  // A shared lookup that knows no cases.
  static const CaseMap& Empty();

 private:
  std::map<std::string, v1::CaseState, std::less<>> states_;
  std::vector<std::string> unavailable_;
};

}  // namespace docket

#endif  // DOCKET_ENGINE_CASE_LOOKUP_H_
