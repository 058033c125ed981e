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

v1::Level HandlingLevelFor(v1::Severity severity, const v1::Policy& policy) {
  return ClocksFor(policy, severity).approval_level();
}

}  // namespace docket
