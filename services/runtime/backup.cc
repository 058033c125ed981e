#include "services/runtime/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/time_util.h"
#include "rocksdb/utilities/checkpoint.h"

namespace docket {
namespace {

namespace fs = std::filesystem;

absl::Status FromFs(const std::error_code& ec, absl::string_view what) {
  if (!ec) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(what, ": ", ec.message()));
}

// fsync of a file or a directory (so a rename or a new entry is durable).
absl::Status Sync(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot open ", path.string()));
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return absl::UnavailableError(absl::StrCat("cannot sync ", path.string()));
  return absl::OkStatus();
}

// Syncs every file and directory below `root`, and `root` itself.
absl::Status SyncTree(const fs::path& root) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    absl::Status synced = Sync(it->path());
    if (!synced.ok()) return synced;
  }
  if (ec) return FromFs(ec, absl::StrCat("reading ", root.string()));
  return Sync(root);
}

// Copies the tree at `from` to `to`; with `link`, as hard links where the
// file system allows (for files never rewritten in place: evidence).
absl::Status CopyTree(const fs::path& from, const fs::path& to, bool link, int64_t* files) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return FromFs(ec, absl::StrCat("creating ", to.string()));
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const fs::path dest = to / fs::relative(it->path(), from);
    if (it->is_directory()) {
      fs::create_directories(dest, ec);
    } else if (it->is_regular_file()) {
      if (link) fs::create_hard_link(it->path(), dest, ec);
      if (!link || ec) {
        ec.clear();
        fs::copy_file(it->path(), dest, ec);
      }
      ++*files;
    }
    if (ec) return FromFs(ec, absl::StrCat("copying ", it->path().string()));
  }
  return FromFs(ec, absl::StrCat("reading ", from.string()));
}

std::string Partial(const std::string& path) {
  return absl::StrCat(fs::path(path).lexically_normal().string(), ".partial-", ::getpid());
}

}  // namespace

absl::StatusOr<BackupSummary> Backup(Store* store, const std::string& target) {
  std::error_code ec;
  if (fs::exists(target, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat(target, " exists; a backup needs a new path"));
  }
  const fs::path partial = Partial(target);
  fs::remove_all(partial, ec);
  fs::create_directories(partial, ec);
  if (ec) return FromFs(ec, absl::StrCat("creating ", partial.string()));

  BackupSummary summary;
  // One consistent instant: memtables flushed, table files linked.
  rocksdb::Checkpoint* raw = nullptr;
  absl::Status status = FromRocks(rocksdb::Checkpoint::Create(store->db(), &raw), "checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  const fs::path db_copy = partial / "data";
  if (status.ok()) {
    status = FromRocks(
        checkpoint->CreateCheckpoint(db_copy.string(), /*log_size_for_flush=*/0, &summary.sequence),
        "checkpoint");
  }
  // The copy's own record of what it holds.
  if (status.ok()) {
    char bytes[16];
    for (int i = 0; i < 8; ++i) {
      bytes[i] = static_cast<char>(summary.sequence >> (8 * i));
      bytes[8 + i] = static_cast<char>(~summary.sequence >> (8 * i));
    }
    std::ofstream(db_copy / kAcknowledgedFile, std::ios::binary).write(bytes, sizeof(bytes));
  }
  const fs::path evidence = fs::path(store->dir()) / "evidence";
  if (status.ok() && fs::exists(evidence, ec)) {
    status = CopyTree(evidence, db_copy / "evidence", /*link=*/true, &summary.evidence_files);
  }
  if (status.ok()) {
    for (const auto& e : fs::directory_iterator(db_copy, ec)) {
      summary.table_files += absl::EndsWith(e.path().string(), ".sst");
    }
    std::ofstream marker(partial / kBackupMarker);
    marker << "docket backup\ncreated_at " << FormatUtc(absl::Now()) << "\nsource " << store->dir()
           << "\nsequence " << summary.sequence << "\ntable_files " << summary.table_files
           << "\nevidence_files " << summary.evidence_files << "\n";
    if (!marker.good()) status = absl::UnavailableError("cannot write the backup's BACKUP file");
  }
  if (status.ok()) status = SyncTree(partial);
  if (status.ok()) {
    fs::rename(partial, target, ec);
    status = FromFs(ec, absl::StrCat("naming the backup ", target));
  }
  if (status.ok()) status = Sync(fs::absolute(target).parent_path());
  if (!status.ok()) {
    fs::remove_all(partial, ec);
    return status;
  }
  return summary;
}

absl::Status Restore(const std::string& source, const std::string& data_dir) {
  std::error_code ec;
  if (!fs::exists(fs::path(source) / kBackupMarker, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat(source, " is not a complete docket backup (no ", kBackupMarker,
                     " file): a backup that was interrupted, or another directory"));
  }
  if (fs::exists(data_dir, ec) && !fs::is_empty(data_dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat(data_dir, " is not empty; restore into a new data directory"));
  }
  const fs::path partial = Partial(data_dir);
  fs::remove_all(partial, ec);
  int64_t files = 0;
  // Copied, never linked: the restored directory will be written to.
  absl::Status status = CopyTree(fs::path(source) / "data", partial, /*link=*/false, &files);
  if (status.ok()) status = SyncTree(partial);
  if (status.ok()) {
    fs::remove(data_dir, ec);  // An empty directory, if any.
    fs::rename(partial, data_dir, ec);
    status = FromFs(ec, absl::StrCat("naming the restored data directory ", data_dir));
  }
  if (!status.ok()) fs::remove_all(partial, ec);
  return status;
}

}  // namespace docket
