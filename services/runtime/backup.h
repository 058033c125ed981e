#ifndef DOCKET_SERVICES_RUNTIME_BACKUP_H_
#define DOCKET_SERVICES_RUNTIME_BACKUP_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "projections/store.h"

namespace docket {

// The file that makes a backup complete; written last, before the backup
// gets its name.
inline constexpr char kBackupMarker[] = "BACKUP";

struct BackupSummary {
  uint64_t sequence = 0;  // RocksDB's sequence number the backup holds.
  int64_t table_files = 0;
  int64_t evidence_files = 0;
};

// Copies the open data directory of `store` (with its evidence store) to
// `target`, which must not exist, while it stays open: a RocksDB checkpoint
// (table files hard-linked where the file system allows, the rest copied)
// of one consistent instant, and the evidence files. The copy is built
// under "<target>.partial-<pid>" and renamed to `target` only once complete
// (its BACKUP file written and everything synced): a backup killed midway
// leaves nothing named `target`. REQUIRES: no other writer (the store is
// opened read-write).
absl::StatusOr<BackupSummary> Backup(Store* store, const std::string& target);

// Restores the backup at `source` into `data_dir`, which must not exist or
// be empty: refuses a source without its BACKUP file (an incomplete
// backup) with kFailedPrecondition. Copies to "<data_dir>.partial-<pid>"
// and renames. The caller verifies the result.
absl::Status Restore(const std::string& source, const std::string& data_dir);

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_BACKUP_H_
