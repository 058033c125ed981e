#ifndef DOCKET_ENGINE_AUTHORITY_H_
#define DOCKET_ENGINE_AUTHORITY_H_

#include "docket/v1/common.pb.h"
#include "docket/v1/policy.pb.h"

namespace docket {

// 处理权限: the lowest level whose limit covers `amount_fen`;
// LEVEL_UNSPECIFIED when no level may approve it.
v1::Level LevelForAmount(int64_t amount_fen, const v1::Policy& policy);

// The level a proposal needs: the higher of what the amount and the
// severity need, and one level more when it includes goodwill (通融赔偿)
// above the computed amount (headquarters being the top).
// LEVEL_UNSPECIFIED when no level may approve it.
v1::Level RequiredApprovalLevel(int64_t amount_fen, int64_t goodwill_fen, v1::Severity severity,
                                const v1::Policy& policy);

}  // namespace docket

#endif  // DOCKET_ENGINE_AUTHORITY_H_
