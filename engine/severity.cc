#include "engine/severity.h"

#include <algorithm>

#include "engine/policy.h"

namespace docket {

v1::Severity ClassifySeverity(int64_t loss_fen, const google::protobuf::RepeatedField<int>& facts,
                              const v1::Policy& policy) {
  const v1::SeverityPolicy& s = policy.severity();
  v1::Severity severity = v1::SEVERITY_GENERAL;
  if (loss_fen >= s.extraordinary_loss_fen()) {
    severity = v1::SEVERITY_EXTRAORDINARY;
  } else if (loss_fen >= s.major_loss_fen()) {
    severity = v1::SEVERITY_MAJOR;
  }
  for (int fact : facts) {
    for (const v1::SeverityFloor& floor : s.floors()) {
      if (floor.fact() == fact) severity = std::max(severity, floor.at_least());
    }
  }
  return severity;
}

v1::Severity ApprovalSeverity(v1::Severity case_severity, int64_t amount_fen,
                              const v1::Policy& policy) {
  return std::max(case_severity,
                  ClassifySeverity(amount_fen, google::protobuf::RepeatedField<int>(), policy));
}

v1::Level HandlingLevelFor(v1::Severity severity, const v1::Policy& policy) {
  return ClocksFor(policy, severity).approval_level();
}

v1::Level HandlingLevelFor(v1::Severity severity, const google::protobuf::RepeatedField<int>& facts,
                           const v1::Policy& policy) {
  int level = HandlingLevelFor(severity, policy);
  if (WarningOf(facts) != v1::CUSTOMER_WARNING_NONE) {
    level = std::min<int>(level + policy.severity().warned_levels_up(), v1::LEVEL_HEADQUARTERS);
  }
  return static_cast<v1::Level>(level);
}

bool IsKeyAccount(const v1::Customer& customer, const v1::Policy& policy) {
  if (customer.key_account()) return true;
  const auto& tiers = policy.severity().key_account_tiers();
  return customer.tier() != v1::CUSTOMER_TIER_UNSPECIFIED &&
         std::find(tiers.begin(), tiers.end(), customer.tier()) != tiers.end();
}

v1::CustomerWarning WarningOf(const google::protobuf::RepeatedField<int>& facts) {
  v1::CustomerWarning warning = v1::CUSTOMER_WARNING_NONE;
  for (int fact : facts) {
    if (fact == v1::AGGRAVATING_FACT_MEDIA_WARNING || fact == v1::AGGRAVATING_FACT_NATIONAL_MEDIA) {
      return v1::CUSTOMER_WARNING_MEDIA;
    }
    if (fact == v1::AGGRAVATING_FACT_ROUTINE_WARNING) warning = v1::CUSTOMER_WARNING_ROUTINE;
  }
  return warning;
}

}  // namespace docket
