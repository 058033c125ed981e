#include "services/audit/report.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/input_grammar.h"
#include "engine/time_util.h"
#include "projections/int64_add_operator.h"
#include "projections/projector.h"
#include "services/audit/handler_report.h"

namespace docket {
namespace {

const std::vector<std::string>& Dimensions() {
  static const auto* const kDims = new std::vector<std::string>{
      "day", "category", "channel", "severity", "branch", "kind", "warning"};
  return *kDims;
}

std::string DimensionOf(const StatsKey& k, const std::string& dim) {
  if (dim == "day") return k.day;
  if (dim == "category") return k.category;
  if (dim == "channel") return k.channel;
  if (dim == "severity") return k.severity;
  if (dim == "kind") return k.kind;
  if (dim == "warning") return k.warning;
  return k.branch;
}

struct Column {
  const char* name;
  std::string (*value)(std::map<std::string, int64_t>& m);
};

std::string Mean(int64_t sum, int64_t n, double unit) {
  return n == 0 ? "-" : absl::StrFormat("%.1f", sum / unit / n);
}

// The upper bound of the histogram bucket holding the p-th percentile of
// `prefix` (first_response or result), in minutes: "<=60", or ">10080".
std::string Percentile(std::map<std::string, int64_t>& m, const std::string& prefix, double p) {
  int64_t n = 0;
  for (int64_t upper : HistogramBucketsMinutes()) n += m[absl::StrCat(prefix, "_le_", upper)];
  n += m[absl::StrCat(prefix, "_le_inf")];
  if (n == 0) return "-";
  int64_t seen = 0;
  for (int64_t upper : HistogramBucketsMinutes()) {
    seen += m[absl::StrCat(prefix, "_le_", upper)];
    if (seen >= p * n) return absl::StrCat("<=", upper);
  }
  return absl::StrCat(">", HistogramBucketsMinutes().back());
}

std::string Share(int64_t part, int64_t whole) {
  return whole == 0 ? "-" : absl::StrFormat("%.1f", 100.0 * part / whole);
}

const std::vector<Column>& Columns() {
  static const auto* const kColumns = new std::vector<Column>{
      {"opened", [](auto& m) { return absl::StrCat(m["opened"]); }},
      {"archived", [](auto& m) { return absl::StrCat(m["archived"]); }},
      {"merged", [](auto& m) { return absl::StrCat(m["merged"]); }},
      {"first_responses", [](auto& m) { return absl::StrCat(m["first_response_n"]); }},
      {"mean_first_response_min",
       [](auto& m) { return Mean(m["first_response_s"], m["first_response_n"], 60.0); }},
      {"p50_first_response_min", [](auto& m) { return Percentile(m, "first_response", 0.5); }},
      {"p90_first_response_min", [](auto& m) { return Percentile(m, "first_response", 0.9); }},
      {"results", [](auto& m) { return absl::StrCat(m["result_n"]); }},
      {"mean_result_h", [](auto& m) { return Mean(m["result_s"], m["result_n"], 3600.0); }},
      {"p50_result_min", [](auto& m) { return Percentile(m, "result", 0.5); }},
      {"p90_result_min", [](auto& m) { return Percentile(m, "result", 0.9); }},
      {"sla_met_pct",
       [](auto& m) {
         return Share(m["deadlines_met_on_time"],
                      m["deadlines_met_on_time"] + m["deadlines_breached"]);
       }},
      {"paid_cny", [](auto& m) { return FormatFen(m["paid_fen"]); }},
      {"penalties", [](auto& m) { return absl::StrCat(m["penalties"]); }},
      {"penalty_cny", [](auto& m) { return FormatFen(m["penalty_fen"]); }},
      {"breaches", [](auto& m) { return absl::StrCat(m["breaches"]); }},
      {"escalations", [](auto& m) { return absl::StrCat(m["escalations"]); }},
      {"mean_satisfaction",
       [](auto& m) { return Mean(m["satisfaction_sum"], m["satisfaction_n"], 1.0); }},
      {"routed", [](auto& m) { return absl::StrCat(m["routed"]); }},
      {"progress_notices", [](auto& m) { return absl::StrCat(m["progress_notices"]); }},
      {"referred", [](auto& m) { return absl::StrCat(m["referred"]); }},
      {"recovered_cny", [](auto& m) { return FormatFen(m["recovered_fen"]); }},
  };
  return *kColumns;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

absl::StatusOr<ReportFormat> ParseReportFormat(const std::string& name) {
  if (name == "table") return ReportFormat::kTable;
  if (name == "csv") return ReportFormat::kCsv;
  if (name == "json") return ReportFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--format must be table, csv or json, not '", name, "'"));
}

void WriteRows(const ReportRows& report, ReportFormat format, std::ostream& out) {
  const std::vector<std::string>& header = report.header;
  const std::vector<std::vector<std::string>>& rows = report.rows;
  switch (format) {
    case ReportFormat::kCsv: {
      // RFC 4180: a cell with a comma, a quote or a line break is quoted
      // (a branch id may hold a comma).
      const auto line = [&out](const std::vector<std::string>& cells) {
        std::vector<std::string> quoted;
        for (const std::string& c : cells) {
          quoted.push_back(
              c.find_first_of(",\"\r\n") == std::string::npos
                  ? c
                  : absl::StrCat("\"", absl::StrReplaceAll(c, {{"\"", "\"\""}}), "\""));
        }
        out << absl::StrJoin(quoted, ",") << "\n";
      };
      line(header);
      for (const auto& row : rows) line(row);
      break;
    }
    case ReportFormat::kJson:
      for (const auto& row : rows) {
        std::vector<std::string> fields;
        for (size_t i = 0; i < row.size() && i < header.size(); ++i) {
          const bool text = i < report.text_columns || row[i].empty() || row[i] == "-" ||
                            row[i][0] == '<' || row[i][0] == '>';
          fields.push_back(
              absl::StrCat(JsonString(header[i]), ":", text ? JsonString(row[i]) : row[i]));
        }
        out << "{" << absl::StrJoin(fields, ",") << "}\n";
      }
      break;
    case ReportFormat::kTable: {
      std::vector<size_t> width(header.size());
      for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
      for (const auto& row : rows) {
        for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
          width[i] = std::max(width[i], row[i].size());
        }
      }
      auto print = [&](const std::vector<std::string>& row) {
        for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
          out << (i == 0 ? "" : "  ") << std::string(width[i] - row[i].size(), ' ') << row[i];
        }
        out << "\n";
      };
      print(header);
      for (const auto& row : rows) print(row);
      break;
    }
  }
}

absl::StatusOr<ReportWindow> MakeReportWindow(absl::string_view from, absl::string_view to) {
  const auto day = [](absl::string_view name,
                      absl::string_view text) -> absl::StatusOr<std::string> {
    if (text.empty()) return std::string();
    absl::CivilDay civil;
    if (text.size() == 10 && absl::ParseCivilTime(text, &civil)) {
      return absl::FormatCivilTime(civil);
    }
    absl::Time t;
    std::string error;
    if (absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &error)) {
      return ChinaDay(t);
    }
    return absl::InvalidArgumentError(
        absl::StrCat(name, " is a day (2026-11-20) or a time (2026-11-20T00:00:00+08:00), not ",
                     SafeText(text, 64)));
  };
  ReportWindow window;
  absl::StatusOr<std::string> first = day("from", from);
  if (!first.ok()) return first.status();
  absl::StatusOr<std::string> last = day("to", to);
  if (!last.ok()) return last.status();
  window.first_day = *std::move(first);
  window.last_day = *std::move(last);
  if (!window.first_day.empty() && !window.last_day.empty() && window.last_day < window.first_day) {
    return absl::InvalidArgumentError(absl::StrCat("the window ends (", window.last_day,
                                                   ") before it begins (", window.first_day, ")"));
  }
  return window;
}

absl::Status WriteReport(const Store& store, const std::vector<std::string>& by,
                         ReportFormat format, std::ostream& out, const BranchFilter& in_scope,
                         const ReportWindow& window) {
  absl::StatusOr<ReportRows> report = BuildReport(store, by, in_scope, window);
  if (!report.ok()) return report.status();
  WriteRows(*report, format, out);
  return absl::OkStatus();
}

absl::StatusOr<ReportRows> BuildReport(const Store& store, const std::vector<std::string>& by,
                                       const BranchFilter& in_scope, const ReportWindow& window) {
  if (std::find(by.begin(), by.end(), "handler") != by.end()) {
    if (by.size() != 1) {
      return absl::InvalidArgumentError("--by=handler is a report of its own: use it alone");
    }
    return BuildHandlerReport(store, in_scope, window);
  }
  for (const std::string& dim : by) {
    if (std::find(Dimensions().begin(), Dimensions().end(), dim) == Dimensions().end()) {
      return absl::InvalidArgumentError(absl::StrCat("--by: unknown dimension '", dim, "'; use ",
                                                     absl::StrJoin(Dimensions(), ","),
                                                     ", or handler alone"));
    }
  }
  std::map<std::vector<std::string>, std::map<std::string, int64_t>> groups;
  std::unique_ptr<rocksdb::Iterator> it = store.NewIterator(Cf::kStats);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    StatsKey k;
    if (!DecodeStatsKey(absl::string_view(it->key().data(), it->key().size()), &k)) {
      return absl::DataLossError("a report counter has a key of the wrong shape");
    }
    if (in_scope && !in_scope(k.branch)) continue;
    if (!window.Holds(k.day)) continue;
    std::vector<std::string> group;
    for (const std::string& dim : by) group.push_back(DimensionOf(k, dim));
    groups[group][k.metric] += Int64AddOperator::Decode(it->value());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading stats");

  ReportRows report;
  report.header = by;
  for (const Column& c : Columns()) report.header.push_back(c.name);
  for (auto& [group, metrics] : groups) {
    std::vector<std::string> row = group;
    for (const Column& c : Columns()) row.push_back(c.value(metrics));
    report.rows.push_back(std::move(row));
  }
  report.text_columns = by.size();
  return report;
}

}  // namespace docket
