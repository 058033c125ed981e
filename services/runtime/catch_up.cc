#include "services/runtime/catch_up.h"

#include "docket/v1/events.pb.h"
#include "projections/case_cache.h"
#include "projections/projector.h"

namespace docket {

absl::StatusOr<int64_t> CatchUp(Store* store, EmbeddedEventLog* log, int batch_size) {
  absl::StatusOr<v1::DataDirMeta> meta = store->ReadMeta();
  if (!meta.ok()) return meta.status();
  if (meta->applied_position() + 1 >= log->next_position()) return 0;

  Projector projector(store);
  CaseCache cache(store);
  rocksdb::WriteBatch batch;
  int64_t folded = 0;
  int in_batch = 0;
  v1::CaseEvent event;
  auto flush = [&](bool last) -> absl::Status {
    projector.Flush(&cache, &batch);
    if (last) log->PutMeta(&batch);
    absl::Status s = store->Write(&batch, /*sync=*/last);
    batch.Clear();
    cache.Clear();
    in_batch = 0;
    return s;
  };
  absl::Status scanned = log->Scan(
      meta->applied_position() + 1, [&](uint64_t, const v1::StoredEvent& stored) -> absl::Status {
        absl::StatusOr<bool> applied = projector.Fold(stored, &cache, &batch, &event);
        if (!applied.ok()) return applied.status();
        folded += *applied;
        log->NotePolicyVersion(event.policy_version());
        if (++in_batch >= batch_size) return flush(false);
        return absl::OkStatus();
      });
  if (!scanned.ok()) return scanned;
  absl::Status flushed = flush(true);
  if (!flushed.ok()) return flushed;
  return folded;
}

absl::StatusOr<int64_t> Replay(Store* store, int batch_size) {
  absl::Status cleared = store->ClearProjections();
  if (!cleared.ok()) return cleared;
  absl::StatusOr<std::unique_ptr<EmbeddedEventLog>> log = EmbeddedEventLog::Open(store);
  if (!log.ok()) return log.status();
  return CatchUp(store, log->get(), batch_size);
}

}  // namespace docket
