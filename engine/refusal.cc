#include "engine/refusal.h"

#include <string>

#include "absl/strings/cord.h"
#include "engine/input_grammar.h"
#include "engine/time_util.h"

namespace docket {
namespace {

constexpr char kRulePayloadUrl[] = "type.docket/docket.v1.Rule";

}  // namespace

absl::Status Refuse(v1::Rule rule, absl::StatusCode code, absl::string_view message) {
  absl::Status status(code, message);
  status.SetPayload(kRulePayloadUrl, absl::Cord(v1::Rule_Name(rule)));
  return status;
}

absl::Status RefuseNotNow(v1::Rule rule, absl::string_view message) {
  return Refuse(rule, absl::StatusCode::kFailedPrecondition, message);
}

absl::Status RefuseMalformed(absl::string_view message) {
  return Refuse(v1::RULE_MALFORMED_COMMAND, absl::StatusCode::kInvalidArgument, message);
}

v1::Rule RuleOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kRulePayloadUrl);
  v1::Rule rule = v1::RULE_UNSPECIFIED;
  if (payload.has_value() && v1::Rule_Parse(std::string(*payload), &rule)) {
    return rule;
  }
  return v1::RULE_UNSPECIFIED;
}

v1::Rejection MakeRejection(const v1::Command& command, const absl::Status& status,
                            absl::Time now) {
  v1::Rejection rejection;
  // Only what is valid is echoed: everything docket writes is valid UTF-8.
  if (IsValidCommandId(command.command_id())) rejection.set_command_id(command.command_id());
  // The directory's stream too: its refusals are read (and listed) under it.
  if (IsValidCaseId(command.case_id()) || command.case_id() == kDirectoryStream) {
    rejection.set_case_id(command.case_id());
  }
  rejection.set_rule(RuleOf(status));
  rejection.set_code(absl::StatusCodeToString(status.code()));
  rejection.set_reason(SafeText(status.message(), 2048));
  *rejection.mutable_rejected_at() = ToProto(now);
  return rejection;
}

bool RecordsRefusal(const v1::CommandOutcome& outcome, bool internal) {
  if (!outcome.has_rejection() || outcome.duplicate() || outcome.command_id().empty()) return false;
  const v1::Rule rule = outcome.rejection().rule();
  return rule != v1::RULE_UNAUTHENTICATED && rule != v1::RULE_DUPLICATE_COMMAND_ID &&
         (internal || !IsReservedCommandId(outcome.command_id()));
}

}  // namespace docket
