#ifndef DOCKET_SERVICES_RUNTIME_RUNTIME_CONFIG_H_
#define DOCKET_SERVICES_RUNTIME_RUNTIME_CONFIG_H_

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "docket/v1/policy.pb.h"
#include "engine/business_calendar.h"

namespace docket {

// What docketctl and docketd decide under, loaded the same way by both.

// The policy in the text-format file at `path`, validated; the built-in
// default policy when `path` is empty.
absl::StatusOr<v1::Policy> LoadPolicy(const std::string& path);

// The business calendar of `policy`'s working hours over the built-in
// years, or over every *.textproto CalendarYear in `dir` when it is not
// empty. Writes a warning to `warnings` when the current year is not
// covered.
absl::StatusOr<std::unique_ptr<BusinessCalendar>> LoadCalendar(const v1::Policy& policy,
                                                               const std::string& dir,
                                                               std::ostream& warnings);

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_RUNTIME_CONFIG_H_
