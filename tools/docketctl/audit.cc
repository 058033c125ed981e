// report, verify, replay.

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "services/audit/auditor.h"
#include "services/audit/report.h"
#include "services/runtime/backup.h"
#include "services/runtime/catch_up.h"
#include "services/runtime/evidence_store.h"
#include "tools/docketctl/docketctl.h"
#include "tools/docketctl/flags.h"
#include "tools/docketctl/runtime.h"

namespace docket::ctl {

std::string ReportFrom() {
  const std::string from = absl::GetFlag(FLAGS_from);
  return from == "beginning" ? "" : from;
}

int Report(const Args& args) {
  if (!args.empty()) {
    std::cerr << "docketctl: report takes flags only\n";
    return kUsage;
  }
  absl::StatusOr<ReportFormat> format = ParseReportFormat(absl::GetFlag(FLAGS_format));
  if (!format.ok()) return Fail(format.status());
  std::vector<std::string> by = absl::StrSplit(absl::GetFlag(FLAGS_by), ',', absl::SkipEmpty());
  absl::StatusOr<ReportWindow> window = MakeReportWindow(ReportFrom(), absl::GetFlag(FLAGS_to));
  if (!window.ok()) {
    std::cerr << "docketctl: report: " << window.status().message() << "\n";
    return kUsage;
  }
  absl::StatusOr<std::unique_ptr<Store>> store = OpenForReading();
  if (!store.ok()) return Fail(store.status());
  absl::Status s = WriteReport(**store, by, *format, std::cout, nullptr, *window);
  if (!s.ok()) return Fail(s);
  return kOk;
}

int Verify(const Args& args) {
  if (!args.empty()) {
    std::cerr << "docketctl: verify takes no arguments\n";
    return kUsage;
  }
  absl::StatusOr<std::unique_ptr<Store>> store = OpenForReading();
  if (!store.ok()) return Fail(store.status());
  absl::StatusOr<AuditReport> report = Audit(**store, EvidenceStore(DataDir()));
  if (!report.ok()) return Fail(report.status());
  return PrintAudit(*report);
}

int PrintAudit(const AuditReport& report) {
  for (const std::string& problem : report.problems) {
    std::cout << "PROBLEM " << problem << "\n";
  }
  if (report.more_problems > 0) {
    std::cout << "PROBLEM ... and " << report.more_problems << " more\n";
  }
  std::cout << (report.ok() ? "verify: OK" : "verify: FAILED") << ": " << report.cases << " cases, "
            << report.events << " events, " << report.directory_events << " directory events, "
            << report.log_entries << " log entries, " << report.rejections << " rejections, "
            << report.evidence_checked << " evidence files re-hashed, " << report.evidence_external
            << " external evidence references\n";
  return report.ok() ? kOk : kFailed;
}

int Replay(const Args& args) {
  if (!args.empty()) {
    std::cerr << "docketctl: replay takes no arguments\n";
    return kUsage;
  }
  if (absl::Status writable = Writable(); !writable.ok()) return Fail(writable);
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(DataDir(), Store::Mode::kReadWrite);
  if (!store.ok()) return Fail(store.status());
  absl::StatusOr<int64_t> folded = docket::Replay(store->get());
  if (!folded.ok()) return Fail(folded.status());
  std::cout << "replay: rebuilt every projection from " << *folded << " events\n";
  return kOk;
}

int Compact(const Args& args) {
  if (!args.empty()) {
    std::cerr << "docketctl: compact takes no arguments\n";
    return kUsage;
  }
  absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime = OpenRuntime();
  if (!runtime.ok()) return Fail(runtime.status());
  absl::Status compacted = (*runtime)->store()->Compact();
  if (!compacted.ok()) return Fail(compacted);
  std::cout << "compact: done\n";
  return kOk;
}

int BackupCommand(const Args& args) {
  if (args.size() != 1) {
    std::cerr << "docketctl: usage: backup TARGET\n";
    return kUsage;
  }
  // Opened as a writer: other writers wait; readers go on.
  absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime = OpenRuntime();
  if (!runtime.ok()) return Fail(runtime.status());
  absl::StatusOr<BackupSummary> backup = Backup((*runtime)->store(), args[0]);
  if (!backup.ok()) return Fail(backup.status());
  std::cout << "backup: " << args[0] << " holds sequence " << backup->sequence << ", "
            << backup->table_files << " table files, " << backup->evidence_files
            << " evidence files\n";
  return kOk;
}

int RestoreCommand(const Args& args) {
  if (args.size() != 1) {
    std::cerr << "docketctl: usage: --data_dir=NEW restore SOURCE\n";
    return kUsage;
  }
  absl::Status restored = Restore(args[0], DataDir());
  if (!restored.ok()) return Fail(restored);
  std::cout << "restore: " << args[0] << " -> " << DataDir() << "\n";
  return Verify({});
}

}  // namespace docket::ctl
