#include "engine/time_util.h"

#include <cstdlib>

#include "absl/strings/str_format.h"

namespace docket {

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return ts;
}

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string ChinaDay(absl::Time t) {
  static const absl::TimeZone kChina = absl::FixedTimeZone(8 * 3600);
  return absl::FormatTime("%Y-%m-%d", t, kChina);
}

std::string FormatFen(int64_t fen) {
  const char* sign = fen < 0 ? "-" : "";
  const uint64_t magnitude = fen < 0 ? 0 - static_cast<uint64_t>(fen) : fen;
  return absl::StrFormat("%s%d.%02d", sign, magnitude / 100, magnitude % 100);
}

}  // namespace docket
