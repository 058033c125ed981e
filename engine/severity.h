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

// The level a case of `severity` is handled and approved at.
v1::Level HandlingLevelFor(v1::Severity severity, const v1::Policy& policy);

}  // namespace docket

#endif  // DOCKET_ENGINE_SEVERITY_H_
