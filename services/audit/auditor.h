#ifndef DOCKET_SERVICES_AUDIT_AUDITOR_H_
#define DOCKET_SERVICES_AUDIT_AUDITOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "docket/v1/api.pb.h"
#include "projections/store.h"
#include "services/runtime/evidence_store.h"

namespace docket {

// What `docketctl verify` found.
struct AuditReport {
  int64_t cases = 0;
  int64_t events = 0;            // Cases' events in history.
  int64_t directory_events = 0;  // The directory's (who may do what).
  int64_t log_entries = 0;
  int64_t rejections = 0;        // Refused commands on record.
  int64_t evidence_checked = 0;  // cas:// files re-hashed.
  int64_t evidence_external = 0;
  int64_t uploads = 0;                // Uploaders on record (a file, a principal).
  std::vector<std::string> problems;  // At most kMaxProblems, then a count.
  int64_t more_problems = 0;

  bool ok() const { return problems.empty(); }
  static constexpr size_t kMaxProblems = 50;
};

// Audits a data directory from its stored bytes, streaming, with memory
// bounded by one case plus the report counters:
// - every case's history has revisions 1..N without gaps, each event
//   decodes and names its case and revision, and the hash chain links;
// - the log and the history hold the same events, byte for byte, and the
//   applied position is the end of the log;
// - a fresh fold of each history equals the stored case state, and the due,
//   by_status, by_customer and by_waybill indexes and the report counters
//   equal what the fold derives;
// - each accepted command's events are in history, each refused one's
//   rejection among the rejections;
// - each evidence file in the store still has its recorded SHA-256 and size,
//   and each uploader on record names a file the store holds.
absl::StatusOr<AuditReport> Audit(const Store& store, const EvidenceStore& evidence);

// An audit as the API carries it (GET /v1/audit; its time, checked_at, is
// the caller's to set), and back, as docketctl --server verify reads it.
v1::AuditSummary ToSummary(const AuditReport& report);
AuditReport FromSummary(const v1::AuditSummary& summary);

}  // namespace docket

#endif  // DOCKET_SERVICES_AUDIT_AUDITOR_H_
