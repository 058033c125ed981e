#ifndef DOCKET_PROJECTIONS_PROJECTOR_H_
#define DOCKET_PROJECTIONS_PROJECTOR_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/state.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "projections/case_cache.h"
#include "projections/store.h"
#include "rocksdb/write_batch.h"

namespace docket {

// Folds stored events into every projection: cases, history, due,
// by_status, by_customer, by_waybill and stats; the directory's own stream
// ("@directory") into the directory. The one fold of docket: the
// engine loop, replay and the Kafka restore all use it, so they cannot
// disagree.
//
// Idempotent: an event at or below its case's applied revision is skipped,
// so folding any suffix of the log twice changes nothing.
class Projector {
 public:
  explicit Projector(const Store* store) : store_(store) {}

  // Decodes `stored`, checks its link to the case's hash head, applies it
  // to the case's state in `cache`, adds the per-event writes (history,
  // owner indexes) to `batch` and its report counters to the cache's sums.
  // Returns false when the event was already applied (skipped). kDataLoss
  // for an event that does not decode, does not link, or skips a revision.
  // `stored_bytes`, when given, are stored's serialization (saves encoding
  // it again); when `decoded` is given, the decoded event is left there.
  // REQUIRES: Flush before `batch` is written.
  absl::StatusOr<bool> Fold(const v1::StoredEvent& stored, CaseCache* cache,
                            rocksdb::WriteBatch* batch, v1::CaseEvent* decoded = nullptr,
                            const std::string* stored_bytes = nullptr) const;

  // Adds the per-case writes of everything folded into `cache` since its
  // states were read: each changed case's state, once, and the changes of
  // its due and by_status entries; and one merge per report counter the
  // folded events changed. REQUIRES: the cache is cleared once `batch` is
  // written (or dropped).
  void Flush(CaseCache* cache, rocksdb::WriteBatch* batch) const;

  // What StatsDeltas reads of the state before an event: a small copy
  // (the clocks, the first response and the first result), not the whole
  // state, so folding a case stays linear in its events. Shared with
  // verify.
  static v1::CaseState StatsBefore(const v1::CaseState& state);

  // The report counters one event adds (stats keys -> deltas), given the
  // case's state before and after it. Reads of `before` only its
  // deadlines, acknowledged_at and first_replied_at. Pure; shared with
  // verify.
  static std::map<std::string, int64_t> StatsDeltas(const v1::CaseEvent& event,
                                                    const v1::CaseState& before,
                                                    const v1::CaseState& after);

 private:
  // Fold of an event of the directory's stream: into the directory.
  absl::StatusOr<bool> FoldDirectory(const v1::StoredEvent& stored, const v1::CaseEvent& event,
                                     CaseCache* cache, rocksdb::WriteBatch* batch,
                                     const std::string* stored_bytes) const;

  const Store* store_;
};

// The `due` index keys of a state: one per deadline the scanner will act on,
// at its next action time (engine/deadlines.h, NextActionTime); none once
// the case is closed.
std::vector<std::string> DueKeys(const v1::CaseState& state);

// Upper bounds, in minutes, of the response-time histograms kept in stats
// (metrics first_response_le_<N>, result_le_<N>, and ..._le_inf).
const std::vector<int64_t>& HistogramBucketsMinutes();

// Stats keys: day (China Standard Time), category, channel, severity,
// branch, case kind, warning (预警客户: ROUTINE, MEDIA or "-"), metric,
// NUL-separated ("-" for an unspecified dimension). Decoded by reports;
// keys written before kinds and warnings (six parts) decode as complaints
// without a warning.
struct StatsKey {
  std::string day, category, channel, severity, branch, kind, warning, metric;
};
std::string EncodeStatsKey(const StatsKey& key);
bool DecodeStatsKey(absl::string_view bytes, StatsKey* key);

}  // namespace docket

#endif  // DOCKET_PROJECTIONS_PROJECTOR_H_
