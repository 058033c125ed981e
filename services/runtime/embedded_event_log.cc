#include "services/runtime/embedded_event_log.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "projections/keys.h"

namespace docket {

absl::StatusOr<std::unique_ptr<EmbeddedEventLog>> EmbeddedEventLog::Open(Store* store) {
  absl::StatusOr<v1::DataDirMeta> meta = store->ReadMeta();
  if (!meta.ok()) return meta.status();
  std::unique_ptr<EmbeddedEventLog> log(new EmbeddedEventLog(store));
  log->meta_ = *std::move(meta);
  if (log->meta_.next_log_position() == 0) log->meta_.set_next_log_position(1);
  return log;
}

void EmbeddedEventLog::NotePolicyVersion(const std::string& version) {
  const auto& seen = meta_.policy_versions();
  if (std::find(seen.begin(), seen.end(), version) == seen.end()) {
    meta_.add_policy_versions(version);
  }
}

void EmbeddedEventLog::PutMeta(rocksdb::WriteBatch* batch) const {
  v1::DataDirMeta meta = meta_;
  meta.set_applied_position(meta.next_log_position() - 1);
  batch->Put(store_->cf(Cf::kMeta), kMetaKey, meta.SerializeAsString());
}

absl::Status EmbeddedEventLog::Append(const std::vector<std::string>& events,
                                      rocksdb::WriteBatch* projections) {
  const v1::DataDirMeta before = meta_;
  uint64_t next = meta_.next_log_position();
  for (const std::string& event : events) {
    projections->Put(store_->cf(Cf::kLog), keys::Log(next++), event);
  }
  meta_.set_next_log_position(next);
  PutMeta(projections);
  absl::Status written = store_->Write(projections, sync_);
  if (!written.ok()) meta_ = before;
  return written;
}

absl::Status EmbeddedEventLog::Scan(
    uint64_t from,
    const std::function<absl::Status(uint64_t, const v1::StoredEvent&)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it = store_->NewIterator(Cf::kLog);
  for (it->Seek(keys::Log(from)); it->Valid(); it->Next()) {
    const uint64_t position =
        keys::ReadBigEndian64(absl::string_view(it->key().data(), it->key().size()));
    v1::StoredEvent event;
    if (it->key().size() != 8 || !event.ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError(
          absl::StrCat("log position ", position, ": entry does not decode"));
    }
    absl::Status status = visit(position, event);
    if (!status.ok()) return status;
  }
  return FromRocks(it->status(), "scanning the log");
}

}  // namespace docket
