#include "engine/envelope.h"

#include "absl/strings/str_cat.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"

namespace docket {

absl::Status CheckEnvelope(const v1::Command& command) {
  if (!IsValidCommandId(command.command_id())) {
    return RefuseMalformed(absl::StrCat("command_id must be 1-", kMaxCommandIdLength,
                                        " printable ASCII characters without '/' or spaces"));
  }
  // A directory change names the directory's stream; anything else a case.
  const bool directory = command.body_case() == v1::Command::kDirectory;
  if (directory ? command.case_id() != kDirectoryStream : !IsValidCaseId(command.case_id())) {
    return RefuseMalformed(absl::StrCat(
        "command ", command.command_id(), ": case_id must be ",
        directory ? absl::StrCat("\"", kDirectoryStream, "\" for a directory change")
                  : absl::StrCat("1-", kMaxCaseIdLength,
                                 " ASCII letters, digits, '.', '_' or '-', beginning with a "
                                 "letter or digit")));
  }
  DOCKET_RETURN_IF_ERROR(CheckInputGrammar(command));
  if (IsReservedCommandId(command.command_id()) && command.actor().role() != v1::ROLE_SYSTEM) {
    return RefuseMalformed(absl::StrCat("command ", command.command_id(),
                                        ": ids beginning with deadline:, appeal:, session: or "
                                        "logout: are reserved for docket itself"));
  }
  const v1::Actor& actor = command.actor();
  if (actor.id().empty() || actor.role() == v1::ROLE_UNSPECIFIED ||
      actor.level() == v1::LEVEL_UNSPECIFIED) {
    return RefuseMalformed(
        absl::StrCat("command ", command.command_id(), ": actor needs an id, a role and a level"));
  }
  if (command.body_case() == v1::Command::BODY_NOT_SET) {
    return RefuseMalformed(
        absl::StrCat("command ", command.command_id(), ": names no step (the body is empty)"));
  }
  return absl::OkStatus();
}

absl::Status CheckTime(const v1::Command& command, std::optional<absl::Time> opened_at,
                       std::optional<absl::Time> latest_event, const v1::Policy& policy,
                       absl::Time now) {
  const absl::Time occurred = command.has_occurred_at() ? ToTime(command.occurred_at()) : now;
  const auto refuse = [&](absl::string_view why) {
    return Refuse(v1::RULE_TIME, absl::StatusCode::kInvalidArgument,
                  absl::StrCat("command ", command.command_id(), ": occurred_at ",
                               FormatUtc(occurred), " ", why));
  };
  if (occurred > now) {
    return refuse(absl::StrCat("is later than now, ", FormatUtc(now)));
  }
  if (opened_at.has_value() && occurred < *opened_at) {
    return refuse(absl::StrCat("is before the complaint, ", FormatUtc(*opened_at)));
  }
  const bool scanner = command.actor().role() == v1::ROLE_SYSTEM;
  if (scanner) return absl::OkStatus();
  if (latest_event.has_value() && occurred < *latest_event) {
    return refuse(absl::StrCat("is before ", command.case_id(), "'s latest event, at ",
                               FormatUtc(*latest_event),
                               ": a case's events never go back in time"));
  }
  const bool intake =
      command.body_case() == v1::Command::kOpenCase && command.actor().role() == v1::ROLE_ADAPTER;
  const int64_t tolerance =
      intake ? policy.time().intake_backdate_minutes() : policy.time().backdate_minutes();
  if (now - occurred > absl::Minutes(tolerance)) {
    return refuse(absl::StrCat("is ", absl::ToInt64Minutes(now - occurred),
                               " minutes before docket decides it; the policy allows ", tolerance,
                               intake ? " for an adapter's intake" : " for a step"));
  }
  return absl::OkStatus();
}

void StampEvents(const v1::Command& command, int64_t after_revision, absl::Time occurred,
                 absl::Time now, const v1::Policy& policy, std::vector<v1::CaseEvent>* events) {
  const google::protobuf::Timestamp occurred_at = ToProto(occurred);
  const google::protobuf::Timestamp recorded_at = ToProto(now);
  int64_t revision = after_revision;
  for (v1::CaseEvent& event : *events) {
    ++revision;
    event.set_event_id(absl::StrCat(command.case_id(), "/", revision));
    event.set_case_id(command.case_id());
    event.set_revision(revision);
    event.set_command_id(command.command_id());
    *event.mutable_actor() = command.actor();
    *event.mutable_occurred_at() = occurred_at;
    *event.mutable_recorded_at() = recorded_at;
    event.set_policy_version(policy.version());
  }
}

}  // namespace docket
