#include "engine/authority.h"

#include <algorithm>

#include "engine/severity.h"

namespace docket {

v1::Level LevelForAmount(int64_t amount_fen, const v1::Policy& policy) {
  for (const v1::AuthorityLimit& limit : policy.authority()) {
    if (limit.unlimited() || amount_fen <= limit.max_amount_fen()) {
      return limit.level();
    }
  }
  return v1::LEVEL_UNSPECIFIED;
}

v1::Level RequiredApprovalLevel(int64_t amount_fen, int64_t goodwill_fen, v1::Severity severity,
                                const v1::Policy& policy) {
  const v1::Level for_amount = LevelForAmount(amount_fen, policy);
  if (for_amount == v1::LEVEL_UNSPECIFIED) return v1::LEVEL_UNSPECIFIED;
  v1::Level level = std::max(for_amount, HandlingLevelFor(severity, policy));
  if (goodwill_fen > 0 && level < v1::LEVEL_HEADQUARTERS) {
    level = static_cast<v1::Level>(level + 1);
  }
  return level;
}

}  // namespace docket
