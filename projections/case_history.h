#ifndef DOCKET_PROJECTIONS_CASE_HISTORY_H_
#define DOCKET_PROJECTIONS_CASE_HISTORY_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/state.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "projections/store.h"

namespace docket {

// Visits the stored events of `case_id` in revision order, until `visit`
// returns false. kDataLoss when one does not decode.
absl::Status ForEachEvent(
    const Store& store, const std::string& case_id,
    const std::function<bool(const v1::StoredEvent&, const v1::CaseEvent&)>& visit);

// The state of `case_id` as it was: folded from its history up to
// `revision` (0: every revision) and to the events recorded at or before
// `as_of`, with its hash head. Revision 0 when the case had no events then.
// docketctl show and the API's GET /v1/cases/{id} answer with it.
absl::StatusOr<v1::CaseState> CaseStateAt(const Store& store, const std::string& case_id,
                                          int64_t revision, absl::Time as_of);

}  // namespace docket

#endif  // DOCKET_PROJECTIONS_CASE_HISTORY_H_
