#ifndef DOCKET_PROJECTIONS_STORE_H_
#define DOCKET_PROJECTIONS_STORE_H_

#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "docket/v1/directory.pb.h"
#include "docket/v1/state.pb.h"
#include "docket/v1/storage.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace docket {

// The column families of a data directory (DESIGN.md, "Projections").
enum class Cf {
  kLog,         // Embedded event log: sequence -> StoredEvent.
  kHistory,     // case id, revision -> StoredEvent (the audit trail).
  kCases,       // case id -> CaseState.
  kDue,         // due time, case id, kind -> empty (the scanner's index).
  kByStatus,    // stage, case id -> empty.
  kByCustomer,  // customer id, case id -> empty.
  kByWaybill,   // waybill, case id -> empty.
  kStats,       // report dimensions, metric -> int64 (merge: add).
  kMeta,        // "docket" -> DataDirMeta.
  kCommands,    // command id -> CommandRecord (accepted or rejected).
  kRejections,  // case id, time, command id -> Rejection (refused attempts, for auditors).
  kDirectory,   // "state" -> DirectoryState (the folded organisation).
  kUploads,     // sha256 hex, NUL, principal id -> empty: who stored an evidence file.
  kByLink,      // linked case id, case id -> empty: the cases whose intake links to a case.
};
inline constexpr int kCfCount = 14;

// The layout version this build writes and reads.
inline constexpr int kSchemaVersion = 1;

// The version of the fold, Evolve and the projector together: raised when
// the same events fold into other projections (a new field of the state, a
// counter counted otherwise). A writer opening a directory folded by
// another version folds it again from its log (EmbeddedRuntime::Open);
// the audit says which.
//   2: Deadline.met_late, and the report's counters read it.
inline constexpr int kFoldVersion = 2;

// The one conversion from RocksDB's status to absl's.
absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what);

// A docket data directory: one RocksDB instance whose column families hold
// the embedded log and every projection, so that a command's events, their
// fold and its outcome commit in one atomic WriteBatch.
//
// Thread safety: as rocksdb::DB; what the Store adds after Open (the
// acknowledged position, the deferred sync and its durable view) is behind
// mutexes.
class Store {
 public:
  enum class Mode {
    kReadWrite,  // Creates the directory if needed; one process at a time.
    kReadOnly,   // A consistent view as of Open; any number of readers.
  };

  // Opens the data directory at `dir`. A reader sees a consistent view as
  // of the moment it opens, or kFailedPrecondition while the projections
  // are behind the log (an unfinished replay). Refuses, never rewrites: a directory
  // that is not a docket data directory (kFailedPrecondition), one written
  // by a newer schema (kFailedPrecondition), corrupted files (kDataLoss,
  // naming the file), and a directory that recovers less than was
  // acknowledged (kDataLoss): a damaged write-ahead log is never read as
  // its end. kNotFound for a missing directory in kReadOnly mode.
  struct OpenOptions {
    // kReadWrite: how long to wait for another writer to let go of the
    // directory (kUnavailable after). Default: 30 s.
    absl::Duration wait_for_writer = absl::Seconds(30);
    // The environment RocksDB's files go through; null: the process's. For
    // tests that lose what a crash would (what was never synced).
    std::shared_ptr<rocksdb::Env> env;
  };
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& dir, Mode mode,
                                                     OpenOptions options);
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& dir, Mode mode) {
    return Open(dir, mode, OpenOptions());
  }
  ~Store();

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(Cf which) const { return handles_[static_cast<int>(which)]; }
  const std::string& dir() const { return dir_; }

  // Commits `batch`; with `sync`, durable on return (fsync of the WAL),
  // and noted in ACKNOWLEDGED as what may have been acknowledged: the
  // latest sequence, which counts every write before it, so a process that
  // writes from several threads syncs them all.
  absl::Status Write(rocksdb::WriteBatch* batch, bool sync);

  // Deferred sync: docketd's single writer decides its next group while
  // the fsync of the last one runs on a thread of its own (the sync was
  // half of each group's time, a core left idle). Between
  // StartDeferredSync, called on the writer's thread, and StopDeferredSync,
  // called on the same thread:
  //  - a synced Write on the writer's thread returns once written, not yet
  //    durable; WhenDurable(done) calls `done`, on the sync thread, once
  //    every write made so far is durable. The writer acknowledges nothing
  //    before that. Called once the last round has begun, or outside
  //    deferred sync, it syncs and calls `done` itself.
  //  - a synced Write on any other thread (an evidence upload) returns
  //    once durable, as outside it.
  //  - the writer's thread reads all it wrote; every other thread reads
  //    only what is durable (a snapshot as of the last sync), so that no
  //    reader, an event stream above all, is shown what a crash could
  //    take back.
  // A failed sync leaves written what may never reach the disk, with the
  // writer's later decisions taken on top of it: the process stops there
  // (std::abort) rather than acknowledge anything after it, and a restart
  // recovers what the disk holds.
  // REQUIRES: no other thread writes while it starts or stops.
  void StartDeferredSync();
  void WhenDurable(absl::AnyInvocable<void()> done);
  // WhenDurable, waited for: returns once every write made so far is
  // durable. Never from a WhenDurable callback (the sync thread would wait
  // for itself).
  void AwaitDurable();
  // Makes what was written durable, calls what waits, stops the thread.
  void StopDeferredSync();

  // Writes every memtable to table files and compacts them, so the
  // write-ahead logs can go (docketctl compact, backups).
  absl::Status Compact();

  // The sequence number of the latest write reads see: while it stays the
  // same, nothing was written (a cache of what the store holds is current).
  // That holds because RocksDB here publishes a write's sequence only once
  // the write is readable (its default write path; two_write_queues or
  // unordered_write would break it, and the caches that rely on it).
  // Under deferred sync, for a thread other than the writer's: the
  // sequence of what is durable, the last that thread can read.
  uint64_t LatestSequence() const;

  // The value at `key`, or nullopt.
  absl::StatusOr<std::optional<std::string>> Get(Cf which, const std::string& key) const;
  // The stored state of `case_id`; a default CaseState when there is none.
  absl::StatusOr<v1::CaseState> ReadCase(const std::string& case_id) const;
  absl::StatusOr<v1::DataDirMeta> ReadMeta() const;
  // The folded directory; an empty one (revision 0) before the first
  // directory event.
  absl::StatusOr<v1::DirectoryState> ReadDirectory() const;

  std::unique_ptr<rocksdb::Iterator> NewIterator(Cf which) const;
  // False for a family added after the first layout (kUploads, kByLink)
  // that a reader found absent: a directory no writer has opened since.
  bool HasFamily(Cf which) const;
  // The ids of the cases whose intake links to `case_id` (kByLink).
  absl::StatusOr<std::vector<std::string>> LinkedTo(absl::string_view case_id) const;

  // Empties every projection column family, for a replay: all but kLog,
  // kCommands and kRejections (the outcomes of commands, which the log alone
  // cannot rebuild) and kUploads (who stored each evidence file). kMeta's
  // record keeps only the log's next position, and names this build's fold
  // as the one the projections will be folded by; its other keys (Kafka's
  // consumer positions) stay. REQUIRES: kReadWrite.
  absl::Status ClearProjections();

 private:
  Store() = default;

  // Refuses a directory that recovers less than ACKNOWLEDGED says; keeps
  // the file open for writing in kReadWrite mode.
  absl::Status CheckAcknowledged(Mode mode, uint64_t read_before_open);
  absl::Status NoteAcknowledged(uint64_t sequence);
  // How the calling thread reads: everything, or under deferred sync and
  // off the writer's thread, the durable view (`hold` keeps it alive).
  rocksdb::ReadOptions ReadView(std::shared_ptr<const rocksdb::Snapshot>* hold) const;
  // A snapshot of what is written now, released with its last holder.
  std::shared_ptr<const rocksdb::Snapshot> SnapshotNow() const;
  void SyncLoop();
  // Syncs the write-ahead log, which makes every write up to sequence
  // `written` durable, and notes it; a failure stops the process.
  void SyncUpTo(uint64_t written);
  // Fills kByLink from the cases: a directory written before it existed.
  absl::Status IndexLinks();

  std::string dir_;
  // OpenOptions::env, kept for as long as the database (declared first,
  // destroyed last).
  std::shared_ptr<rocksdb::Env> env_;
  int acknowledged_fd_ = -1;
  // Noted by the commit thread and by evidence uploads, each after its own
  // synced write.
  absl::Mutex acknowledged_mu_;
  uint64_t acknowledged_ ABSL_GUARDED_BY(acknowledged_mu_) = 0;
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, kCfCount> handles_{};

  // Deferred sync. Both change only while no other thread writes
  // (StartDeferredSync's REQUIRES); readers may look at any time.
  std::atomic<bool> deferring_{false};
  std::thread::id writer_;
  std::thread sync_thread_;
  absl::Mutex sync_mu_;
  std::vector<absl::AnyInvocable<void()>> waiting_ ABSL_GUARDED_BY(sync_mu_);
  bool stopping_ ABSL_GUARDED_BY(sync_mu_) = false;
  // Whether the sync thread will still take what WhenDurable is given.
  bool syncing_ ABSL_GUARDED_BY(sync_mu_) = false;
  mutable absl::Mutex view_mu_;
  std::shared_ptr<const rocksdb::Snapshot> durable_view_ ABSL_GUARDED_BY(view_mu_);
};

// The file beside RocksDB's that records the last write made durable.
inline constexpr char kAcknowledgedFile[] = "ACKNOWLEDGED";

// Key of the DirectoryState in Cf::kDirectory.
inline constexpr char kDirectoryKey[] = "state";

// Key of the DataDirMeta record in Cf::kMeta.
inline constexpr char kMetaKey[] = "docket";
// In kMeta: by_link holds every case's link (written with the index).
inline constexpr char kLinksIndexedKey[] = "by_link";

}  // namespace docket

#endif  // DOCKET_PROJECTIONS_STORE_H_
