#ifndef DOCKET_ENGINE_EVENT_KIND_H_
#define DOCKET_ENGINE_EVENT_KIND_H_

#include <string>

#include "docket/v1/events.pb.h"

namespace docket {

// The name of the event's oneof case, e.g. "evidence_attached": the
// `docket-kind` header on Kafka and the kind column of reports. Empty for an
// event without a body.
const std::string& EventKind(const v1::CaseEvent& event);

}  // namespace docket

#endif  // DOCKET_ENGINE_EVENT_KIND_H_
