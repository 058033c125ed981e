#include "services/runtime/runtime_config.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/policy.h"
#include "google/protobuf/text_format.h"

namespace docket {

absl::StatusOr<v1::Policy> LoadPolicy(const std::string& path) {
  if (path.empty()) return DefaultPolicy();
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read policy ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<v1::Policy> policy = ParsePolicy(text.str());
  if (!policy.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", policy.status().message()));
  }
  return policy;
}

absl::StatusOr<std::unique_ptr<BusinessCalendar>> LoadCalendar(const v1::Policy& policy,
                                                               const std::string& dir,
                                                               std::ostream& warnings) {
  std::vector<v1::CalendarYear> years;
  if (dir.empty()) {
    years = BuiltInCalendarYears();
  } else {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.path().extension() != ".textproto") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      v1::CalendarYear year;
      if (!google::protobuf::TextFormat::ParseFromString(text.str(), &year)) {
        return absl::InvalidArgumentError(
            absl::StrCat(entry.path().string(), ": not a text-format docket.v1.CalendarYear"));
      }
      years.push_back(std::move(year));
    }
    if (ec) return absl::NotFoundError(absl::StrCat("cannot read calendar directory ", dir));
  }
  absl::StatusOr<std::unique_ptr<BusinessCalendar>> calendar =
      BusinessCalendar::Create(policy.business_hours(), years);
  if (!calendar.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("business calendar: ", calendar.status().message()));
  }
  const int year = absl::ToCivilYear(absl::Now(), absl::FixedTimeZone(8 * 3600)).year();
  if (!(*calendar)->Covers(year)) {
    warnings << "warning: no business-calendar file for " << year
             << "; business time counts Monday to Friday without holidays "
                "(add one with --calendar_dir)\n";
  }
  return calendar;
}

}  // namespace docket
