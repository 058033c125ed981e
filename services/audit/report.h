#ifndef DOCKET_SERVICES_AUDIT_REPORT_H_
#define DOCKET_SERVICES_AUDIT_REPORT_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "projections/store.h"

namespace docket {

enum class ReportFormat { kTable, kCsv, kJson };

absl::StatusOr<ReportFormat> ParseReportFormat(const std::string& name);

// 统计报表: the `stats` counters grouped by the dimensions in `by` (any of
// day, category, channel, severity, branch; none: one total row). Each row:
// cases opened, archived and merged; first responses, their mean time and
// 50th/90th percentiles; handling results likewise; SLA compliance (the
// share of deadlines met on time among those met on time or breached);
// compensation paid; penalties and their total; breaches; escalations; mean
// satisfaction. Percentiles are histogram bucket bounds, in minutes. Counters are
// attributed to the day an event occurred (China Standard Time) and the
// case's category, channel, severity and branch at that event.
// kInvalidArgument for an unknown dimension.
absl::Status WriteReport(const Store& store, const std::vector<std::string>& by,
                         ReportFormat format, std::ostream& out);

}  // namespace docket

#endif  // DOCKET_SERVICES_AUDIT_REPORT_H_
