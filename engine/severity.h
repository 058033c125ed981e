#ifndef DOCKET_ENGINE_SEVERITY_H_
#define DOCKET_ENGINE_SEVERITY_H_

#include "docket/v1/common.pb.h"
#include "docket/v1/policy.pb.h"
#include "google/protobuf/repeated_field.h"

namespace docket {

// 事故级别 by policy: the loss amount sets the level (below major_loss_fen
// GENERAL, below extraordinary_loss_fen MAJOR, else EXTRAORDINARY) and each
// aggravating fact may raise it to its floor, never lower it.
// REQUIRES: `policy` is validated.
v1::Severity ClassifySeverity(int64_t loss_fen, const google::protobuf::RepeatedField<int>& facts,
                              const v1::Policy& policy);

// The severity a compensation of `amount_fen` is approved at: the case's,
// or that of a loss the size of the amount, whichever is higher. A payment
// the size of a MAJOR loss is approved as MAJOR (region and claims) however
// the case was judged.
v1::Severity ApprovalSeverity(v1::Severity case_severity, int64_t amount_fen,
                              const v1::Policy& policy);

// The level a case of `severity` is approved at (its clocks' approval level).
v1::Level HandlingLevelFor(v1::Severity severity, const v1::Policy& policy);

// The level a case of `severity` with `facts` is handled at: its
// severity's, raised by policy.severity.warned_levels_up (up to
// headquarters) when the facts put the customer under a warning
// (预警客户的处理原则: a warned case is handled at the higher level).
v1::Level HandlingLevelFor(v1::Severity severity, const google::protobuf::RepeatedField<int>& facts,
                           const v1::Policy& policy);

// 大客户: flagged a key account, or of a class (按重要程度分类) the policy
// counts as one (default: A).
bool IsKeyAccount(const v1::Customer& customer, const v1::Policy& policy);

// 预警客户: the warning the facts put a case under. Media outranks routine.
// A definition of the process, not a policy number: ROUTINE_WARNING is a
// routine warning (常规事故预警), MEDIA_WARNING and NATIONAL_MEDIA a media
// warning (媒体曝光预警).
v1::CustomerWarning WarningOf(const google::protobuf::RepeatedField<int>& facts);

}  // namespace docket

#endif  // DOCKET_ENGINE_SEVERITY_H_
