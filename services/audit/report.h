#ifndef DOCKET_SERVICES_AUDIT_REPORT_H_
#define DOCKET_SERVICES_AUDIT_REPORT_H_

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "projections/store.h"

namespace docket {

enum class ReportFormat { kTable, kCsv, kJson };

absl::StatusOr<ReportFormat> ParseReportFormat(const std::string& name);

// The days a report covers, in China Standard Time, both included
// ("YYYY-MM-DD"; empty: unbounded). Counters are kept per day, so a window
// is whole days.
struct ReportWindow {
  std::string first_day, last_day;
  bool Holds(absl::string_view day) const {
    return (first_day.empty() || day >= first_day) && (last_day.empty() || day <= last_day);
  }
};

// The window from `from` through `to`, each a day ("2026-11-20") or an
// RFC 3339 time (its day in China Standard Time), or empty (unbounded);
// kInvalidArgument, naming the parameter, for anything else or a window
// that ends before it begins.
absl::StatusOr<ReportWindow> MakeReportWindow(absl::string_view from, absl::string_view to);

// 统计报表: the `stats` counters grouped by the dimensions in `by` (any of
// day, category, channel, severity, branch, kind (complaints, inquiries,
// suggestions and recoveries beside each other), warning (预警客户 reported
// separately: ROUTINE, MEDIA, "-"); none: one total row), or by `handler`
// alone: the per-handler assessment (BuildHandlerReport). Each row:
// cases opened, archived and merged; first responses, their mean time and
// 50th/90th percentiles; handling results likewise; SLA compliance (the
// share of deadlines met on time among those met on time or breached);
// compensation paid; penalties and their total; breaches; escalations; mean
// satisfaction; inquiries and suggestions routed; progress notices; cases
// referred (litigation, insurer); amounts recovered. A clock met after its
// due time counts as breached. Percentiles are histogram bucket bounds, in minutes. Counters are
// attributed to the day an event occurred (China Standard Time) and the
// case's category, channel, severity and branch at that event.
// kInvalidArgument for an unknown dimension.
//
// `in_scope` (when given) keeps only the counters of the branches it
// accepts: the report of a branch's or a region's supervisor; `window`
// only those of its days (a monthly or quarterly 考核).
using BranchFilter = std::function<bool(absl::string_view branch)>;

// A report before it is written: its columns, its rows (each as long as
// the header), and how many of the first columns are text (the groups).
struct ReportRows {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  size_t text_columns = 0;
};
absl::StatusOr<ReportRows> BuildReport(const Store& store, const std::vector<std::string>& by,
                                       const BranchFilter& in_scope = nullptr,
                                       const ReportWindow& window = {});
// BuildReport, written in `format`.
absl::Status WriteReport(const Store& store, const std::vector<std::string>& by,
                         ReportFormat format, std::ostream& out,
                         const BranchFilter& in_scope = nullptr, const ReportWindow& window = {});

// Writes `report` as a table, CSV (RFC 4180: a cell holding a comma, a
// quote or a line break is quoted) or JSON lines; in JSON the first
// `text_columns` are strings, the others numbers unless "-" or a bound
// ("<=60").
void WriteRows(const ReportRows& report, ReportFormat format, std::ostream& out);

}  // namespace docket

#endif  // DOCKET_SERVICES_AUDIT_REPORT_H_
