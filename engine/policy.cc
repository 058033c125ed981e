#include "engine/policy.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "docket/v1/commands.pb.h"
#include "engine/default_policy_text.h"
#include "engine/status_macros.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace docket {
namespace {

class ErrorList final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    errors_.push_back(absl::StrCat("line ", line + 1, " column ", column + 1, ": ", message));
  }
  std::string Joined() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::vector<std::string> errors_;
};

absl::Status FieldError(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("policy field ", field, ": ", problem));
}

absl::Status ValidateSeverity(const v1::SeverityPolicy& s) {
  if (s.major_loss_fen() <= 0) {
    return FieldError("severity.major_loss_fen", "must be > 0");
  }
  if (s.extraordinary_loss_fen() <= s.major_loss_fen()) {
    return FieldError("severity.extraordinary_loss_fen", "must be > severity.major_loss_fen");
  }
  for (int i = 0; i < s.floors_size(); ++i) {
    const v1::SeverityFloor& f = s.floors(i);
    if (f.fact() == v1::AGGRAVATING_FACT_UNSPECIFIED) {
      return FieldError(absl::StrCat("severity.floors[", i, "].fact"), "must be set");
    }
    if (f.at_least() == v1::SEVERITY_UNSPECIFIED) {
      return FieldError(absl::StrCat("severity.floors[", i, "].at_least"), "must be set");
    }
  }
  for (int i = 0; i < s.key_account_tiers_size(); ++i) {
    if (s.key_account_tiers(i) == v1::CUSTOMER_TIER_UNSPECIFIED) {
      return FieldError(absl::StrCat("severity.key_account_tiers[", i, "]"), "must be set");
    }
  }
  if (s.warned_levels_up() < 0 || s.warned_levels_up() > 2) {
    return FieldError("severity.warned_levels_up", "must be 0, 1 or 2");
  }
  return absl::OkStatus();
}

// A positive bound no larger than `ceiling`, so that the engine's checked
// sums and products of bounded values cannot overflow int64.
absl::Status ValidateBound(absl::string_view field, int64_t value, int64_t ceiling) {
  if (value <= 0 || value > ceiling) {
    return FieldError(field, absl::StrCat("must be in (0, ", ceiling, "]"));
  }
  return absl::OkStatus();
}

absl::Status ValidateBounds(const v1::Policy& p) {
  if (!p.has_bounds()) return FieldError("bounds", "must be set");
  const v1::Bounds& b = p.bounds();
  DOCKET_RETURN_IF_ERROR(
      ValidateBound("bounds.max_amount_fen", b.max_amount_fen(), int64_t{1000000000000000}));
  DOCKET_RETURN_IF_ERROR(
      ValidateBound("bounds.max_weight_g", b.max_weight_g(), int64_t{1000000000000}));
  DOCKET_RETURN_IF_ERROR(
      ValidateBound("bounds.max_rate_fen_per_kg", b.max_rate_fen_per_kg(), int64_t{1000000000000}));
  return ValidateBound("bounds.max_freight_multiple", b.max_freight_multiple(), 10000);
}

// The clocks and rules of the seeds' further flows: every window positive.
absl::Status ValidateFlows(const v1::Policy& p) {
  const std::pair<const char*, int64_t> windows[] = {
      {"inquiry.answer_minutes", p.inquiry().answer_minutes()},
      {"inquiry.department_reply_minutes", p.inquiry().department_reply_minutes()},
      {"suggestion.evaluation_minutes", p.suggestion().evaluation_minutes()},
      {"suggestion.feedback_minutes", p.suggestion().feedback_minutes()},
      {"progress_notice.window_minutes", p.progress_notice().window_minutes()},
      {"progress_notice.extraordinary_update_minutes",
       p.progress_notice().extraordinary_update_minutes()},
      {"recovery.network_recovery_minutes", p.recovery().network_recovery_minutes()},
      {"recovery.third_party_claim_minutes", p.recovery().third_party_claim_minutes()},
  };
  for (const auto& [name, minutes] : windows) {
    if (minutes <= 0) return FieldError(name, "must be > 0");
  }
  const v1::TaskGroupPolicy& t = p.task_group();
  if (t.from_severity() == v1::SEVERITY_UNSPECIFIED) {
    return FieldError("task_group.from_severity", "must be set");
  }
  if (t.min_departments() < 2) return FieldError("task_group.min_departments", "must be >= 2");
  if (t.min_members() < 0) return FieldError("task_group.min_members", "must be >= 0");
  if (p.closure().min_special_handlings() < 1) {
    return FieldError("closure.min_special_handlings", "must be >= 1");
  }
  if (p.closure().referral_level() == v1::LEVEL_UNSPECIFIED) {
    return FieldError("closure.referral_level", "must be set");
  }
  return absl::OkStatus();
}

absl::Status ValidateCompensation(const v1::CompensationPolicy& c) {
  switch (c.uninsured_basis()) {
    case v1::COMPENSATION_BASIS_CONTRACT_RATE_PER_KG:
    case v1::COMPENSATION_BASIS_FREIGHT_MULTIPLE:
    case v1::COMPENSATION_BASIS_DIRECT_LOSS:
      break;
    default:
      return FieldError("compensation.uninsured_basis",
                        "must be CONTRACT_RATE_PER_KG, FREIGHT_MULTIPLE or "
                        "DIRECT_LOSS");
  }
  if (c.rate_fen_per_kg() <= 0) {
    return FieldError("compensation.rate_fen_per_kg", "must be > 0");
  }
  if (c.freight_multiple() <= 0) {
    return FieldError("compensation.freight_multiple", "must be > 0");
  }
  if (c.freight_multiple() > 10000) {
    return FieldError("compensation.freight_multiple", "must be <= 10000");
  }
  if (c.complete_delay_days() <= 0) {
    return FieldError("compensation.complete_delay_days", "must be > 0");
  }
  return absl::OkStatus();
}

absl::Status ValidateTime(const v1::TimePolicy& t) {
  if (t.backdate_minutes() <= 0) return FieldError("time.backdate_minutes", "must be > 0");
  if (t.intake_backdate_minutes() < t.backdate_minutes()) {
    return FieldError("time.intake_backdate_minutes", "must be >= time.backdate_minutes");
  }
  if (t.clock_skew_seconds() <= 0) return FieldError("time.clock_skew_seconds", "must be > 0");
  return absl::OkStatus();
}

absl::Status ValidatePermissions(const v1::Policy& p) {
  const google::protobuf::OneofDescriptor* body =
      v1::Command::descriptor()->FindOneofByName("body");
  for (int i = 0; i < p.permissions_size(); ++i) {
    const v1::Permission& permission = p.permissions(i);
    if (permission.role() == v1::ROLE_UNSPECIFIED) {
      return FieldError(absl::StrCat("permissions[", i, "].role"), "must be set");
    }
    for (const std::string& kind : permission.commands()) {
      const google::protobuf::FieldDescriptor* field =
          v1::Command::descriptor()->FindFieldByName(kind);
      if (field == nullptr || field->containing_oneof() != body) {
        return FieldError(absl::StrCat("permissions[", i, "].commands"),
                          absl::StrCat("'", kind, "' is not a command"));
      }
    }
  }
  if (p.co_approval_from() == v1::SEVERITY_UNSPECIFIED) {
    return FieldError("co_approval_from", "must be a severity");
  }
  return absl::OkStatus();
}

absl::Status ValidateAuthority(const v1::Policy& p) {
  if (p.authority_size() != 3) {
    return FieldError("authority",
                      "needs exactly one entry per level: BRANCH, REGION, "
                      "HEADQUARTERS");
  }
  int64_t previous = 0;
  for (int i = 0; i < 3; ++i) {
    const v1::AuthorityLimit& a = p.authority(i);
    const std::string field = absl::StrCat("authority[", i, "]");
    if (a.level() != static_cast<v1::Level>(i + 1)) {
      return FieldError(absl::StrCat(field, ".level"),
                        absl::StrCat("must be ", v1::Level_Name(static_cast<v1::Level>(i + 1)),
                                     " (levels ascending)"));
    }
    if (a.unlimited()) {
      if (i != 2) {
        return FieldError(absl::StrCat(field, ".unlimited"),
                          "only the highest level may be unlimited");
      }
      continue;
    }
    if (a.max_amount_fen() <= previous) {
      return FieldError(absl::StrCat(field, ".max_amount_fen"),
                        "must be > 0 and above the level below");
    }
    previous = a.max_amount_fen();
  }
  return absl::OkStatus();
}

absl::Status ValidateClocks(const v1::Policy& p) {
  bool seen[4] = {false, false, false, false};
  for (int i = 0; i < p.clocks_size(); ++i) {
    const v1::SeverityClocks& c = p.clocks(i);
    const std::string field = absl::StrCat("clocks[", i, "]");
    if (c.severity() == v1::SEVERITY_UNSPECIFIED) {
      return FieldError(absl::StrCat(field, ".severity"), "must be set");
    }
    if (seen[c.severity()]) {
      return FieldError(absl::StrCat(field, ".severity"),
                        absl::StrCat(v1::Severity_Name(c.severity()), " appears twice"));
    }
    seen[c.severity()] = true;
    const std::pair<const char*, int64_t> windows[] = {
        {"first_response_minutes", c.first_response_minutes()},
        {"report_upward_minutes", c.report_upward_minutes()},
        {"resolution_minutes", c.resolution_minutes()},
        {"reply_minutes", c.reply_minutes()},
        {"follow_up_minutes", c.follow_up_minutes()},
    };
    for (const auto& [name, minutes] : windows) {
      if (minutes <= 0) {
        return FieldError(absl::StrCat(field, ".", name), "must be > 0");
      }
    }
    if (c.report_to() == v1::LEVEL_UNSPECIFIED) {
      return FieldError(absl::StrCat(field, ".report_to"), "must be set");
    }
    if (c.approval_level() == v1::LEVEL_UNSPECIFIED) {
      return FieldError(absl::StrCat(field, ".approval_level"), "must be set");
    }
  }
  for (int s = v1::SEVERITY_GENERAL; s <= v1::SEVERITY_EXTRAORDINARY; ++s) {
    if (!seen[s]) {
      return FieldError(
          "clocks", absl::StrCat("no entry for ", v1::Severity_Name(static_cast<v1::Severity>(s))));
    }
  }
  for (int i = 0; i < p.channel_first_reply_size(); ++i) {
    const v1::ChannelFirstReply& c = p.channel_first_reply(i);
    const std::string field = absl::StrCat("channel_first_reply[", i, "]");
    if (c.channel() == v1::CHANNEL_UNSPECIFIED) {
      return FieldError(absl::StrCat(field, ".channel"), "must be set");
    }
    if (c.minutes() <= 0) {
      return FieldError(absl::StrCat(field, ".minutes"), "must be > 0");
    }
  }
  if (p.regulatory_result_minutes() <= 0) {
    return FieldError("regulatory_result_minutes", "must be > 0");
  }
  int previous = 0;
  for (int i = 0; i < p.warning_percent_size(); ++i) {
    const int percent = p.warning_percent(i);
    if (percent <= previous || percent >= 100) {
      return FieldError(absl::StrCat("warning_percent[", i, "]"),
                        "must ascend strictly within (0, 100)");
    }
    previous = percent;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidatePolicy(const v1::Policy& policy) {
  if (policy.version().empty()) return FieldError("version", "must be set");
  if (!policy.has_severity()) return FieldError("severity", "must be set");
  DOCKET_RETURN_IF_ERROR(ValidateSeverity(policy.severity()));
  if (!policy.has_compensation()) {
    return FieldError("compensation", "must be set");
  }
  DOCKET_RETURN_IF_ERROR(ValidateCompensation(policy.compensation()));
  DOCKET_RETURN_IF_ERROR(ValidateAuthority(policy));
  DOCKET_RETURN_IF_ERROR(ValidateTime(policy.time()));
  DOCKET_RETURN_IF_ERROR(ValidatePermissions(policy));
  if (policy.evidence().max_bytes() <= 0) {
    return FieldError("evidence.max_bytes", "must be > 0");
  }
  DOCKET_RETURN_IF_ERROR(ValidateClocks(policy));
  DOCKET_RETURN_IF_ERROR(ValidateBounds(policy));
  if (policy.compensation().rate_fen_per_kg() > policy.bounds().max_rate_fen_per_kg()) {
    return FieldError("compensation.rate_fen_per_kg", "must be <= bounds.max_rate_fen_per_kg");
  }
  if (policy.compensation().freight_multiple() > policy.bounds().max_freight_multiple()) {
    return FieldError("compensation.freight_multiple", "must be <= bounds.max_freight_multiple");
  }
  return ValidateFlows(policy);
}

absl::StatusOr<v1::Policy> ParsePolicy(absl::string_view text) {
  v1::Policy policy;
  ErrorList errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &policy)) {
    return absl::InvalidArgumentError(absl::StrCat("policy does not parse: ", errors.Joined()));
  }
  DOCKET_RETURN_IF_ERROR(ValidatePolicy(policy));
  return policy;
}

const v1::Policy& DefaultPolicy() {
  static const v1::Policy* const kPolicy = [] {
    absl::StatusOr<v1::Policy> policy = ParsePolicy(kDefaultPolicyText);
    // The default ships with the binary and is tested; failing here is a
    // build defect, not an input error.
    if (!policy.ok()) {
      fprintf(stderr, "docket: built-in default policy is invalid: %s\n",
              policy.status().ToString().c_str());
      abort();
    }
    return new v1::Policy(*std::move(policy));
  }();
  return *kPolicy;
}

const v1::SeverityClocks& ClocksFor(const v1::Policy& policy, v1::Severity severity) {
  for (const v1::SeverityClocks& clocks : policy.clocks()) {
    if (clocks.severity() == severity) return clocks;
  }
  // Unreachable for a validated policy and a set severity.
  return v1::SeverityClocks::default_instance();
}

}  // namespace docket
