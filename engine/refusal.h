#ifndef DOCKET_ENGINE_REFUSAL_H_
#define DOCKET_ENGINE_REFUSAL_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/outcome.pb.h"
#include "docket/v1/rejection.pb.h"

namespace docket {

// A refusal is an absl::Status whose code says what the caller should do
// (see STYLE.md) and which carries the docket.v1.Rule it enforces as a
// payload, so it travels through StatusOr unchanged.
absl::Status Refuse(v1::Rule rule, absl::StatusCode code, absl::string_view message);

// Shorthands for the common codes.
absl::Status RefuseNotNow(v1::Rule rule, absl::string_view message);  // kFailedPrecondition
absl::Status RefuseMalformed(absl::string_view message);              // kInvalidArgument

// The rule a status carries; RULE_UNSPECIFIED when it carries none.
v1::Rule RuleOf(const absl::Status& status);

// The Rejection recorded for `command` refused with `status` (not OK).
// A status without a rule (an unexpected error) is reported with
// RULE_UNSPECIFIED and its own code and message.
v1::Rejection MakeRejection(const v1::Command& command, const absl::Status& status, absl::Time now);

// Whether the refusal `outcome` is recorded, and so final: a refusal is an
// outcome like any other, unless its command's id is malformed (nothing to
// record it by), its sender unproven (RULE_UNAUTHENTICATED), the id taken
// by other content (RULE_DUPLICATE_COMMAND_ID: the first decision stays),
// it answers a repeat (`duplicate`), or the id is one of docket's own sent
// by anyone but docket (`internal`: the scanner's, a session's), which its
// sender must not occupy. False for an outcome that is no refusal.
bool RecordsRefusal(const v1::CommandOutcome& outcome, bool internal);

}  // namespace docket

#endif  // DOCKET_ENGINE_REFUSAL_H_
