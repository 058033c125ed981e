#include "engine/actions.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "engine/authorization.h"
#include "engine/decider.h"
#include "engine/refusal.h"
#include "engine/time_util.h"
#include "google/protobuf/descriptor.h"

namespace docket {
namespace {

// The body fields of a Command that act on an existing case.
const std::vector<const google::protobuf::FieldDescriptor*>& CaseCommandKinds() {
  static const auto* const kinds = [] {
    auto* out = new std::vector<const google::protobuf::FieldDescriptor*>;
    const google::protobuf::OneofDescriptor* body =
        v1::Command::descriptor()->FindOneofByName("body");
    for (int i = 0; i < body->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* field = body->field(i);
      if (field->number() == v1::Command::kOpenCaseFieldNumber ||
          field->number() == v1::Command::kDirectoryFieldNumber) {
        continue;
      }
      out->push_back(field);
    }
    return out;
  }();
  return *kinds;
}

// The refusal of `probe`, its reason naming the kind of command rather
// than the probe's own id, which nobody sent.
void SetRefusal(const absl::Status& status, const v1::Command& probe, const std::string& kind,
                v1::ActionOption* option) {
  option->set_allowed(false);
  option->set_rule(RuleOf(status));
  option->set_code(absl::StatusCodeToString(status.code()));
  option->set_reason(absl::StrReplaceAll(
      status.message(),
      {{absl::StrCat("command ", probe.command_id()), kind}, {probe.command_id(), kind}}));
}

}  // namespace

v1::CaseActions AvailableActions(const Directory& directory, const v1::Actor& actor,
                                 const v1::CaseState& state, const v1::Policy& policy,
                                 absl::Time now, const Calendar& calendar,
                                 const CaseLookup& cases) {
  v1::CaseActions out;
  out.set_case_id(state.case_id());
  out.set_revision(state.revision());
  out.set_owed_fen(OwedFen(state));
  for (const google::protobuf::FieldDescriptor* field : CaseCommandKinds()) {
    v1::Command probe;
    probe.set_command_id(absl::StrCat("probe-", field->name()));
    probe.set_case_id(state.case_id());
    *probe.mutable_actor() = actor;
    *probe.mutable_occurred_at() = ToProto(now);
    probe.GetReflection()->MutableMessage(&probe, field);

    v1::ActionOption* option = out.add_actions();
    option->set_command(field->name());
    option->set_allowed(true);
    absl::Status authorized = Authorize(directory, actor, probe, state, policy);
    if (!authorized.ok()) {
      SetRefusal(authorized, probe, field->name(), option);
      continue;
    }
    absl::Status decided = Decide(state, probe, policy, now, calendar, cases).status();
    if (!decided.ok() && decided.code() != absl::StatusCode::kInvalidArgument) {
      SetRefusal(decided, probe, field->name(), option);
    }
  }
  return out;
}

}  // namespace docket
