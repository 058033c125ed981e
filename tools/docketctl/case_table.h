#ifndef DOCKET_TOOLS_DOCKETCTL_CASE_TABLE_H_
#define DOCKET_TOOLS_DOCKETCTL_CASE_TABLE_H_

#include <ostream>

#include "absl/time/time.h"
#include "docket/v1/state.pb.h"

namespace docket {

// Whether `c` is open and has a deadline that is unmet and past due at `now`.
bool IsOverdue(const v1::CaseState& c, absl::Time now);

// The case table, a line at a time (fixed widths, so it streams): id,
// category, channel, stage, severity, level, proposed / paid amounts, and
// its open deadlines, marking those due before `now` as OVERDUE.
void PrintCaseTableHeader(std::ostream& out);
void PrintCaseTableRow(const v1::CaseState& c, absl::Time now, std::ostream& out);

}  // namespace docket

#endif  // DOCKET_TOOLS_DOCKETCTL_CASE_TABLE_H_
