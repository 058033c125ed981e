#ifndef DOCKET_ENGINE_TIME_UTIL_H_
#define DOCKET_ENGINE_TIME_UTIL_H_

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace docket {

// Conversions between google.protobuf.Timestamp and absl::Time. An unset
// Timestamp (all zero) is the Unix epoch; callers test `has_*()` first.
absl::Time ToTime(const google::protobuf::Timestamp& ts);
google::protobuf::Timestamp ToProto(absl::Time t);

// RFC 3339 in UTC, e.g. "2026-11-24T08:00:00Z", for messages and reports.
std::string FormatUtc(absl::Time t);

// The day of `t` in China Standard Time (a fixed +08:00: no daylight
// saving), "2026-11-24": the day reports count by.
std::string ChinaDay(absl::Time t);

// Fen as yuan with two decimals: 4820 -> "48.20".
std::string FormatFen(int64_t fen);

}  // namespace docket

#endif  // DOCKET_ENGINE_TIME_UTIL_H_
