#include "services/audit/handler_report.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "docket/v1/state.pb.h"
#include "engine/time_util.h"

namespace docket {
namespace {

struct HandlerRow {
  int64_t handled = 0, complaints = 0;
  int64_t first_responses = 0, first_response_s = 0;
  int64_t results = 0, result_s = 0;
  int64_t clocks_on_time = 0, clocks_missed = 0;
  int64_t follow_ups = 0, satisfaction_sum = 0;
  int64_t appealed = 0, reopened = 0;
};

std::string Mean(int64_t sum, int64_t n, double unit) {
  return n == 0 ? "-" : absl::StrFormat("%.1f", sum / unit / n);
}

void Count(const v1::CaseState& c, HandlerRow* row) {
  ++row->handled;
  row->complaints += c.kind() == v1::CASE_KIND_COMPLAINT || c.kind() == v1::CASE_KIND_UNSPECIFIED;
  const absl::Time opened = ToTime(c.opened_at());
  if (c.has_acknowledged_at()) {
    ++row->first_responses;
    row->first_response_s += absl::ToInt64Seconds(ToTime(c.acknowledged_at()) - opened);
  }
  if (c.has_first_replied_at()) {
    ++row->results;
    row->result_s += absl::ToInt64Seconds(ToTime(c.first_replied_at()) - opened);
  }
  for (const v1::Deadline& d : c.deadlines()) {
    if (d.breach_count() > 0 || d.met_late()) {
      ++row->clocks_missed;
    } else if (d.met()) {
      ++row->clocks_on_time;
    }
  }
  if (c.satisfaction() > 0) {
    ++row->follow_ups;
    row->satisfaction_sum += c.satisfaction();
  }
}

}  // namespace

absl::StatusOr<ReportRows> BuildHandlerReport(const Store& store, const BranchFilter& in_scope,
                                              const ReportWindow& window) {
  std::map<std::string, HandlerRow> rows;
  std::map<std::string, std::string> handler_of;  // Case id -> its handler.
  std::vector<std::string> appealed, reopened;    // Case ids linked to.
  std::unique_ptr<rocksdb::Iterator> it = store.NewIterator(Cf::kCases);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::CaseState c;
    if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a case state does not decode");
    }
    if (c.link().kind() == v1::LINK_KIND_REGULATOR_APPEAL) appealed.push_back(c.link().case_id());
    if (c.link().kind() == v1::LINK_KIND_REOPENS_ARCHIVED) reopened.push_back(c.link().case_id());
    if (c.handler_id().empty()) continue;
    if (in_scope && !in_scope(c.intake().handling_branch())) continue;
    if (!window.Holds(ChinaDay(ToTime(c.opened_at())))) continue;
    handler_of[c.case_id()] = c.handler_id();
    Count(c, &rows[c.handler_id()]);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading cases");
  for (const std::string& id : appealed) {
    if (auto h = handler_of.find(id); h != handler_of.end()) ++rows[h->second].appealed;
  }
  for (const std::string& id : reopened) {
    if (auto h = handler_of.find(id); h != handler_of.end()) ++rows[h->second].reopened;
  }

  ReportRows report;
  report.header = {
      "handler",  "handled",       "complaints",  "first_responses", "mean_first_response_min",
      "results",  "mean_result_h", "sla_met_pct", "follow_ups",      "mean_satisfaction",
      "appealed", "reopened"};
  report.text_columns = 1;
  for (const auto& [handler, r] : rows) {
    const int64_t clocks = r.clocks_on_time + r.clocks_missed;
    report.rows.push_back(
        {handler, absl::StrCat(r.handled), absl::StrCat(r.complaints),
         absl::StrCat(r.first_responses), Mean(r.first_response_s, r.first_responses, 60),
         absl::StrCat(r.results), Mean(r.result_s, r.results, 3600),
         clocks == 0 ? "-" : absl::StrFormat("%.1f", 100.0 * r.clocks_on_time / clocks),
         absl::StrCat(r.follow_ups), Mean(r.satisfaction_sum, r.follow_ups, 1),
         absl::StrCat(r.appealed), absl::StrCat(r.reopened)});
  }
  return report;
}

}  // namespace docket
