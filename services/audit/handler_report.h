#ifndef DOCKET_SERVICES_AUDIT_HANDLER_REPORT_H_
#define DOCKET_SERVICES_AUDIT_HANDLER_REPORT_H_

#include <ostream>

#include "absl/status/status.h"
#include "projections/store.h"
#include "services/audit/report.h"

namespace docket {

// 考核 (渠道管理办法 五(二)2: 考核指标包括服务质量、工作效率、客户满意度...): one row
// per handler (CaseState.handler_id: who accepted a complaint, who first
// took on an inquiry, suggestion or recovery), over the cases they handle:
// cases handled (and how many are complaints); first responses and their
// mean time from the complaint (minutes); handling results and their mean
// time (hours); SLA met (the share of their cases' clocks met at or before
// the due time, among those met or breached); follow-ups and the mean
// satisfaction; cases appealed to the regulator and cases reopened by a
// later complaint. Rows ordered by handler id.
//
// Reads the `cases` projection one case at a time; keeps one row per
// handler and the ids of handled cases.
// `in_scope` (when given): only the cases of the branches it accepts;
// `window`: only the cases opened on its days (China Standard Time).
absl::StatusOr<ReportRows> BuildHandlerReport(const Store& store,
                                              const BranchFilter& in_scope = nullptr,
                                              const ReportWindow& window = {});

}  // namespace docket

#endif  // DOCKET_SERVICES_AUDIT_HANDLER_REPORT_H_
