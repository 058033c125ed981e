#include "tools/docketctl/case_table.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "engine/evolve.h"
#include "engine/time_util.h"

namespace docket {
namespace {

// An enum value's name without its prefix; "-" when unspecified.
std::string Short(const std::string& enum_name, absl::string_view prefix) {
  const absl::string_view name = absl::StripPrefix(enum_name, prefix);
  return name == "UNSPECIFIED" ? "-" : std::string(name);
}

bool IsPastDue(const v1::Deadline& d, absl::Time now) {
  return !d.met() && ToTime(d.due_at()) < now;
}

std::string OpenDeadlines(const v1::CaseState& c, absl::Time now) {
  if (IsClosed(c)) return "-";
  std::vector<std::string> parts;
  for (const v1::Deadline& d : c.deadlines()) {
    if (d.met()) continue;
    const absl::Time due = ToTime(d.due_at());
    parts.push_back(absl::StrCat(Short(v1::DeadlineKind_Name(d.kind()), "DEADLINE_KIND_"), " ",
                                 absl::FormatTime("%m-%d %H:%M", due, absl::UTCTimeZone()),
                                 IsPastDue(d, now) ? " OVERDUE" : ""));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

}  // namespace

bool IsOverdue(const v1::CaseState& c, absl::Time now) {
  if (IsClosed(c)) return false;
  for (const v1::Deadline& d : c.deadlines()) {
    if (IsPastDue(d, now)) return true;
  }
  return false;
}

void PrintCaseTableHeader(std::ostream& out) {
  out << absl::StrFormat("%-14s %-10s %-12s %-17s %-12s %-14s %-12s %10s %10s  %s\n", "CASE",
                         "KIND", "CATEGORY", "CHANNEL", "STAGE", "SEVERITY", "LEVEL", "PROPOSED",
                         "PAID", "OPEN DEADLINES (UTC)");
}

void PrintCaseTableRow(const v1::CaseState& c, absl::Time now, std::ostream& out) {
  const v1::CaseKind kind =
      c.kind() == v1::CASE_KIND_UNSPECIFIED ? v1::CASE_KIND_COMPLAINT : c.kind();
  out << absl::StrFormat("%-14s %-10s %-12s %-17s %-12s %-14s %-12s %10s %10s  %s\n", c.case_id(),
                         Short(v1::CaseKind_Name(kind), "CASE_KIND_"),
                         Short(v1::Category_Name(c.category()), "CATEGORY_"),
                         Short(v1::Channel_Name(c.intake().channel()), "CHANNEL_"),
                         Short(v1::Stage_Name(c.stage()), "STAGE_"),
                         Short(v1::Severity_Name(c.severity()), "SEVERITY_"),
                         Short(v1::Level_Name(c.handling_level()), "LEVEL_"),
                         c.round() > 0 ? FormatFen(c.proposed_fen()) : "-", FormatFen(c.paid_fen()),
                         OpenDeadlines(c, now));
}

}  // namespace docket
