#ifndef DOCKET_ENGINE_POLICY_H_
#define DOCKET_ENGINE_POLICY_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "docket/v1/policy.pb.h"

namespace docket {

// Parses a text-format docket.v1.Policy and validates it. Errors name the
// line and column, or the offending field: "policy field
// clocks[1].resolution_minutes: must be > 0". kInvalidArgument.
absl::StatusOr<v1::Policy> ParsePolicy(absl::string_view text);

// Checks that every number the engine will read is present and sensible.
absl::Status ValidatePolicy(const v1::Policy& policy);

// engine/default_policy.textproto, compiled into the binary and validated
// on first use.
const v1::Policy& DefaultPolicy();

// The clocks for `severity`. REQUIRES: `policy` is validated and `severity`
// is not UNSPECIFIED.
const v1::SeverityClocks& ClocksFor(const v1::Policy& policy, v1::Severity severity);

}  // namespace docket

#endif  // DOCKET_ENGINE_POLICY_H_
