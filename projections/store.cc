#include "projections/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <iostream>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "projections/int64_add_operator.h"
#include "projections/keys.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_buffer_manager.h"

namespace docket {
namespace {

constexpr const char* kCfNames[kCfCount] = {
    "log",   "history", "cases",    "due",        "by_status", "by_customer", "by_waybill",
    "stats", "meta",    "commands", "rejections", "directory", "uploads",     "by_link"};

// Memory is bounded by these, whatever the size of the data set: all
// memtables together (Default: 64 MiB) and one block cache for all column
// families (Default: 32 MiB).
constexpr size_t kMemtableBudget = 64 << 20;
constexpr size_t kBlockCacheBytes = 32 << 20;

rocksdb::ColumnFamilyOptions CfOptions(int index, const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions options;
  // Default: 16 MiB per memtable; the shared budget caps the sum.
  options.write_buffer_size = 16 << 20;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Point lookups (case state, command ids, history) mostly miss on
  // command ids: a bloom filter answers those without reading blocks.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (index == static_cast<int>(Cf::kStats)) {
    options.merge_operator = std::make_shared<Int64AddOperator>();
  }
  return options;
}

// RocksDB's diagnostics, warnings and worse, on stderr (the service's log).
// Not a file in the data directory: on a full disk RocksDB's own file
// logger trips an assertion after its first failed write.
class StderrLogger final : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    vsnprintf(line, sizeof(line), format, ap);
    fprintf(stderr, "rocksdb: %s\n", line);
  }
};

absl::StatusOr<uint64_t> ReadAcknowledged(const std::string& dir, bool keep_open, int* fd_out);

}  // namespace

absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(what, ": ", status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsNoSpace()) {
    return absl::ResourceExhaustedError(
        absl::StrCat(message,
                     " (the disk is full: nothing of this write was kept; free space "
                     "and try again)"));
  }
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsIOError()) return absl::UnavailableError(message);
  if (status.IsInvalidArgument()) return absl::FailedPreconditionError(message);
  if (status.IsBusy() || status.IsTimedOut() || status.IsTryAgain()) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& dir, Mode mode,
                                                   OpenOptions options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool exists = fs::exists(dir, ec);
  const bool is_db = exists && fs::exists(fs::path(dir) / "CURRENT", ec);
  if (mode == Mode::kReadOnly && !is_db) {
    return absl::NotFoundError(
        absl::StrCat("no docket data directory at ", dir, " (submit commands first)"));
  }
  if (exists && !is_db) {
    if (!fs::is_directory(dir, ec)) {
      return absl::FailedPreconditionError(absl::StrCat(dir, " exists and is not a directory"));
    }
    if (!fs::is_empty(dir, ec)) {
      return absl::FailedPreconditionError(
          absl::StrCat(dir,
                       " is not empty and not a docket data directory; refusing to "
                       "write into it"));
    }
  }

  rocksdb::DBOptions db_options;
  if (options.env != nullptr) db_options.env = options.env.get();
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  // Recovery may drop only a torn tail (a write whose sync never returned,
  // so never acknowledged); corruption anywhere else refuses to open
  // (RocksDB's default would treat it as the end of the log and drop what
  // follows). What was acknowledged is checked against ACKNOWLEDGED below.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // Recovered writes stay in their log files until the directory is known
  // good, so a refused open changes no file.
  db_options.avoid_flush_during_recovery = true;
  db_options.max_open_files = 256;
  db_options.info_log = std::make_shared<StderrLogger>();
  db_options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(kMemtableBudget);
  const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(kBlockCacheBytes);

  std::vector<std::string> existing;
  if (is_db) {
    rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, dir, &existing);
    if (!listed.ok()) return FromRocks(listed, absl::StrCat("opening ", dir));
    bool has_meta = false;
    for (const std::string& name : existing) {
      bool known = name == rocksdb::kDefaultColumnFamilyName;
      for (const char* ours : kCfNames) known |= name == ours;
      if (!known) {
        return absl::FailedPreconditionError(
            absl::StrCat(dir, " holds column family '", name,
                         "', which this docket does not know: written by a newer docket?"));
      }
      has_meta |= name == "meta";
    }
    if (!has_meta) {
      return absl::FailedPreconditionError(
          absl::StrCat(dir, " is a RocksDB database but not a docket data directory"));
    }
  }

  if (mode == Mode::kReadWrite && !exists) {
    fs::create_directories(dir, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  }
  // A reader opens the families there are: a directory written before a
  // family was added (kUploads, kByLink) reads it as empty. A writer
  // creates it (and fills kByLink from the cases, below).
  const auto added_later = [&](int i) {
    return is_db && (static_cast<Cf>(i) == Cf::kUploads || static_cast<Cf>(i) == Cf::kByLink) &&
           std::find(existing.begin(), existing.end(), kCfNames[i]) == existing.end();
  };
  std::array<int, kCfCount> slot{};  // Index into `handles`, or 0 for absent.
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (int i = 0; i < kCfCount; ++i) {
    // Only the families added after the first layout may be missing: any
    // other absent one is a damaged directory, which RocksDB refuses.
    if (mode == Mode::kReadOnly && added_later(i)) continue;
    slot[i] = static_cast<int>(descriptors.size());
    descriptors.emplace_back(kCfNames[i], CfOptions(i, cache));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  // A writer takes turns with other writers: it waits for the directory's
  // lock. A reader never waits for a writer, but a writer may delete the
  // files a reader is opening (a flush or compaction): it tries again.
  // A reader reads what was acknowledged before it opens: a writer syncs
  // its log before it notes a write there, so the reader's view holds at
  // least that much.
  uint64_t acknowledged_before = 0;
  if (mode == Mode::kReadOnly) {
    absl::StatusOr<uint64_t> read = ReadAcknowledged(dir, /*keep_open=*/false, nullptr);
    if (!read.ok()) return read.status();
    acknowledged_before = *read;
  }
  const absl::Time give_up = absl::Now() + options.wait_for_writer;
  rocksdb::Status opened;
  for (absl::Duration backoff = absl::Milliseconds(20);;
       backoff = std::min(backoff * 2, absl::Milliseconds(500))) {
    handles.clear();
    opened = mode == Mode::kReadOnly
                 ? rocksdb::DB::OpenForReadOnly(db_options, dir, descriptors, &handles, &raw)
                 : rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw);
    const bool locked = mode == Mode::kReadWrite && opened.IsIOError() &&
                        absl::StrContains(opened.ToString(), "lock");
    const bool racing = mode == Mode::kReadOnly && (opened.IsIOError() || opened.IsPathNotFound());
    if (opened.ok() || (!locked && !racing) || absl::Now() + backoff > give_up) break;
    absl::SleepFor(backoff);
  }
  if (!opened.ok() && mode == Mode::kReadWrite && opened.IsIOError() &&
      absl::StrContains(opened.ToString(), "lock")) {
    return absl::UnavailableError(absl::StrCat(
        dir,
        " is in use by another writer (docketd, or docketctl submit, tick or replay); tried "
        "for ",
        absl::FormatDuration(options.wait_for_writer),
        ". While docketd runs, talk to it: docketctl --server=URL"));
  }
  if (!opened.ok()) return FromRocks(opened, absl::StrCat("opening ", dir));

  std::unique_ptr<Store> store(new Store);
  store->dir_ = dir;
  store->env_ = options.env;
  store->db_.reset(raw);
  // handles[0] is the default family; RocksDB keeps it open itself. It is
  // always empty, and stands in for a family an older directory lacks.
  store->db_->DestroyColumnFamilyHandle(handles[0]);
  for (int i = 0; i < kCfCount; ++i) {
    store->handles_[i] = slot[i] == 0 ? store->db_->DefaultColumnFamily() : handles[slot[i]];
  }

  absl::Status acknowledged = store->CheckAcknowledged(mode, acknowledged_before);
  if (!acknowledged.ok()) return acknowledged;

  absl::StatusOr<std::optional<std::string>> meta = store->Get(Cf::kMeta, kMetaKey);
  if (!meta.ok()) return meta.status();
  if (!meta->has_value()) {
    if (mode == Mode::kReadOnly || is_db) {
      return absl::DataLossError(absl::StrCat(dir, ": the meta record is missing"));
    }
    v1::DataDirMeta fresh;
    fresh.set_schema_version(kSchemaVersion);
    // Nothing folded yet: trivially this fold's.
    fresh.set_fold_version(kFoldVersion);
    rocksdb::WriteBatch batch;
    batch.Put(store->cf(Cf::kMeta), kMetaKey, fresh.SerializeAsString());
    batch.Put(store->cf(Cf::kMeta), kLinksIndexedKey, "");
    absl::Status written = store->Write(&batch, /*sync=*/true);
    if (!written.ok()) return written;
    return store;
  }
  v1::DataDirMeta parsed;
  if (!parsed.ParseFromString(**meta)) {
    return absl::DataLossError(absl::StrCat(dir, ": the meta record does not decode"));
  }
  if (parsed.schema_version() > kSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " was written by a newer docket (schema ", parsed.schema_version(),
                     "); this docket reads schema ", kSchemaVersion, " and will not rewrite it"));
  }
  if (parsed.schema_version() < 1) {
    return absl::DataLossError(absl::StrCat(dir, ": the meta record has no schema version"));
  }
  // A directory written before by_link existed gets it from its cases,
  // once: the mark is written with the index, in one batch, so a crash
  // between the family's creation and the index leaves no mark, and the
  // next writer indexes again.
  if (mode == Mode::kReadWrite) {
    absl::StatusOr<std::optional<std::string>> indexed = store->Get(Cf::kMeta, kLinksIndexedKey);
    if (!indexed.ok()) return indexed.status();
    if (!indexed->has_value()) {
      absl::Status filled = store->IndexLinks();
      if (!filled.ok()) return filled;
    }
  }
  if (mode == Mode::kReadOnly && parsed.applied_position() + 1 < parsed.next_log_position()) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, ": the projections are behind the log (applied up to position ",
        parsed.applied_position(), " of ", parsed.next_log_position() - 1,
        "): a replay was interrupted, or a writer is rebuilding them; run docketctl replay "
        "(or any writing command) to finish it"));
  }
  return store;
}

Store::~Store() {
  if (deferring_) StopDeferredSync();
  if (acknowledged_fd_ >= 0) ::close(acknowledged_fd_);
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    if (h != nullptr && h != db_->DefaultColumnFamily()) {
      db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
  }
}

absl::Status Store::Write(rocksdb::WriteBatch* batch, bool sync) {
  rocksdb::WriteOptions options;
  const bool deferring = deferring_.load();
  options.sync = sync && !deferring;
  absl::Status written = FromRocks(db_->Write(options, batch), "writing a batch");
  if (!written.ok() || !sync) return written;
  if (!deferring) {
    // Durable: from now on, this much may be acknowledged.
    return NoteAcknowledged(db_->GetLatestSequenceNumber());
  }
  // The writer's: durable at its WhenDurable.
  if (std::this_thread::get_id() == writer_) return absl::OkStatus();
  AwaitDurable();
  return absl::OkStatus();
}

void Store::AwaitDurable() {
  std::promise<void> durable;
  std::future<void> done = durable.get_future();
  WhenDurable([&durable] { durable.set_value(); });
  done.wait();
}

std::shared_ptr<const rocksdb::Snapshot> Store::SnapshotNow() const {
  return std::shared_ptr<const rocksdb::Snapshot>(
      db_->GetSnapshot(), [db = db_.get()](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
}

void Store::StartDeferredSync() {
  writer_ = std::this_thread::get_id();
  {
    // Every write before this one was synced: all of it is durable.
    absl::MutexLock lock(&view_mu_);
    durable_view_ = SnapshotNow();
  }
  {
    absl::MutexLock lock(&sync_mu_);
    stopping_ = false;
    syncing_ = true;
  }
  deferring_ = true;
  sync_thread_ = std::thread([this] { SyncLoop(); });
}

void Store::WhenDurable(absl::AnyInvocable<void()> done) {
  {
    absl::MutexLock lock(&sync_mu_);
    if (syncing_) {
      waiting_.push_back(std::move(done));
      return;
    }
  }
  // No round will come for it: made durable here. (A write another thread
  // began under deferred sync, unsynced, may land after the last round.)
  // A read-only store has nothing of its own to sync.
  if (acknowledged_fd_ >= 0) SyncUpTo(db_->GetLatestSequenceNumber());
  done();
}

void Store::SyncUpTo(uint64_t written) {
  absl::Status synced = FromRocks(db_->SyncWAL(), "syncing the write-ahead log");
  if (synced.ok()) synced = NoteAcknowledged(written);
  if (!synced.ok()) {
    std::cerr << "docket: " << dir_ << ": " << synced
              << "; stopping before anything more is acknowledged (a restart recovers what "
                 "the disk holds)\n";
    std::abort();
  }
}

void Store::StopDeferredSync() {
  if (!deferring_) return;
  {
    absl::MutexLock lock(&sync_mu_);
    stopping_ = true;
  }
  sync_thread_.join();
  deferring_ = false;
  absl::MutexLock lock(&view_mu_);
  durable_view_.reset();
}

void Store::SyncLoop() {
  const auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_) {
    return !waiting_.empty() || stopping_;
  };
  for (;;) {
    std::vector<absl::AnyInvocable<void()>> due;
    bool last = false;
    {
      absl::MutexLock lock(&sync_mu_);
      sync_mu_.Await(absl::Condition(&ready));
      due.swap(waiting_);
      last = stopping_;
      // From here, a waiter syncs for itself.
      if (last) syncing_ = false;
    }
    // Everything the view holds was written before the sync began, so the
    // sync makes all of it durable; each waiter registered after its write.
    std::shared_ptr<const rocksdb::Snapshot> view = SnapshotNow();
    SyncUpTo(view->GetSequenceNumber());
    {
      absl::MutexLock lock(&view_mu_);
      durable_view_ = std::move(view);
    }
    for (absl::AnyInvocable<void()>& done : due) done();
    if (last) return;
  }
}

rocksdb::ReadOptions Store::ReadView(std::shared_ptr<const rocksdb::Snapshot>* hold) const {
  rocksdb::ReadOptions options;
  if (!deferring_ || std::this_thread::get_id() == writer_) return options;
  {
    absl::ReaderMutexLock lock(&view_mu_);
    *hold = durable_view_;
  }
  options.snapshot = hold->get();
  return options;
}

uint64_t Store::LatestSequence() const {
  std::shared_ptr<const rocksdb::Snapshot> hold;
  const rocksdb::ReadOptions view = ReadView(&hold);
  return view.snapshot != nullptr ? view.snapshot->GetSequenceNumber()
                                  : db_->GetLatestSequenceNumber();
}

// ACKNOWLEDGED holds RocksDB's sequence number after the last synced write
// and its complement, 16 bytes. It is written after the write returned, not
// synced itself: after a crash it is never ahead of what is on disk, only
// perhaps behind.
absl::Status Store::NoteAcknowledged(uint64_t sequence) {
  absl::MutexLock lock(&acknowledged_mu_);
  if (acknowledged_fd_ < 0 || sequence <= acknowledged_) return absl::OkStatus();
  char bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<char>(sequence >> (8 * i));
    bytes[8 + i] = static_cast<char>(~sequence >> (8 * i));
  }
  if (::pwrite(acknowledged_fd_, bytes, sizeof(bytes), 0) != sizeof(bytes)) {
    return absl::UnavailableError(
        absl::StrCat("cannot write ", dir_, "/", kAcknowledgedFile, ": ", std::strerror(errno)));
  }
  acknowledged_ = sequence;
  return absl::OkStatus();
}

namespace {

// The sequence ACKNOWLEDGED holds (0 when there is none), and with
// `keep_open` its descriptor, left open for writing.
absl::StatusOr<uint64_t> ReadAcknowledged(const std::string& dir, bool keep_open, int* fd_out) {
  const std::string path = absl::StrCat(dir, "/", kAcknowledgedFile);
  const int fd =
      ::open(path.c_str(), keep_open ? O_RDWR | O_CREAT | O_CLOEXEC : O_RDONLY | O_CLOEXEC, 0644);
  if (fd < 0) {
    // An older data directory, read-only: nothing acknowledged to check.
    if (errno == ENOENT) return 0;
    return absl::UnavailableError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  char bytes[16];
  const ssize_t n = ::pread(fd, bytes, sizeof(bytes), 0);
  uint64_t sequence = 0, complement = 0;
  for (int i = 7; n == sizeof(bytes) && i >= 0; --i) {
    sequence = (sequence << 8) | static_cast<unsigned char>(bytes[i]);
    complement = (complement << 8) | static_cast<unsigned char>(bytes[8 + i]);
  }
  if (n != 0 && (n != sizeof(bytes) || complement != ~sequence)) {
    ::close(fd);
    return absl::DataLossError(absl::StrCat(
        path,
        " is damaged, so what was acknowledged cannot be checked; restore from a backup, or "
        "remove it to accept the data directory as it is"));
  }
  if (keep_open) {
    *fd_out = fd;
  } else {
    ::close(fd);
  }
  return sequence;
}

}  // namespace

absl::Status Store::CheckAcknowledged(Mode mode, uint64_t read_before_open) {
  uint64_t sequence = read_before_open;
  if (mode == Mode::kReadWrite) {
    // The lock is held: no writer moves it any more.
    absl::StatusOr<uint64_t> read = ReadAcknowledged(dir_, /*keep_open=*/true, &acknowledged_fd_);
    if (!read.ok()) return read.status();
    sequence = *read;
  }
  if (db_->GetLatestSequenceNumber() < sequence) {
    return absl::DataLossError(absl::StrCat(
        dir_, ": writes up to sequence ", sequence, " were acknowledged (", kAcknowledgedFile,
        ") but the data directory recovers only up to ", db_->GetLatestSequenceNumber(),
        ": a write-ahead log or table file is damaged; restore from a backup"));
  }
  absl::MutexLock lock(&acknowledged_mu_);
  acknowledged_ = sequence;
  return absl::OkStatus();
}

absl::Status Store::Compact() {
  std::vector<rocksdb::ColumnFamilyHandle*> all(handles_.begin(), handles_.end());
  rocksdb::FlushOptions flush;
  flush.wait = true;
  absl::Status flushed = FromRocks(db_->Flush(flush, all), "flushing");
  if (!flushed.ok()) return flushed;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    absl::Status compacted = FromRocks(
        db_->CompactRange(rocksdb::CompactRangeOptions(), h, nullptr, nullptr), "compacting");
    if (!compacted.ok()) return compacted;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> Store::Get(Cf which, const std::string& key) const {
  std::string value;
  std::shared_ptr<const rocksdb::Snapshot> hold;
  rocksdb::Status s = db_->Get(ReadView(&hold), cf(which), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading");
  return std::optional<std::string>(std::move(value));
}

absl::StatusOr<v1::CaseState> Store::ReadCase(const std::string& case_id) const {
  absl::StatusOr<std::optional<std::string>> value = Get(Cf::kCases, case_id);
  if (!value.ok()) return value.status();
  v1::CaseState state;
  if (value->has_value() && !state.ParseFromString(**value)) {
    return absl::DataLossError(absl::StrCat("case ", case_id, ": stored state does not decode"));
  }
  return state;
}

absl::StatusOr<v1::DataDirMeta> Store::ReadMeta() const {
  absl::StatusOr<std::optional<std::string>> value = Get(Cf::kMeta, kMetaKey);
  if (!value.ok()) return value.status();
  v1::DataDirMeta meta;
  if (!value->has_value() || !meta.ParseFromString(**value)) {
    return absl::DataLossError(absl::StrCat(dir_, ": the meta record is unreadable"));
  }
  return meta;
}

absl::StatusOr<v1::DirectoryState> Store::ReadDirectory() const {
  absl::StatusOr<std::optional<std::string>> value = Get(Cf::kDirectory, kDirectoryKey);
  if (!value.ok()) return value.status();
  v1::DirectoryState state;
  if (value->has_value() && !state.ParseFromString(**value)) {
    return absl::DataLossError(absl::StrCat(dir_, ": the stored directory does not decode"));
  }
  return state;
}

std::unique_ptr<rocksdb::Iterator> Store::NewIterator(Cf which) const {
  std::shared_ptr<const rocksdb::Snapshot> hold;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ReadView(&hold), cf(which)));
  if (hold != nullptr) {
    // The view lives as long as the iterator reading it.
    it->RegisterCleanup(
        [](void* held, void*) {
          delete static_cast<std::shared_ptr<const rocksdb::Snapshot>*>(held);
        },
        new std::shared_ptr<const rocksdb::Snapshot>(std::move(hold)), nullptr);
  }
  return it;
}

bool Store::HasFamily(Cf which) const { return cf(which) != db_->DefaultColumnFamily(); }

absl::StatusOr<std::vector<std::string>> Store::LinkedTo(absl::string_view case_id) const {
  std::vector<std::string> ids;
  const std::string prefix = keys::ByOwner(case_id, "");
  std::unique_ptr<rocksdb::Iterator> it = NewIterator(Cf::kByLink);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ids.push_back(keys::CaseIdOfIndexKey(absl::string_view(it->key().data(), it->key().size())));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the cases linked to a case");
  return ids;
}

absl::Status Store::IndexLinks() {
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it = NewIterator(Cf::kCases);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::CaseState state;
    if (!state.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat(dir_, ": case ", it->key().ToString(), " does not decode"));
    }
    const std::string& linked = state.intake().link().case_id();
    if (!linked.empty()) batch.Put(cf(Cf::kByLink), keys::ByOwner(linked, state.case_id()), "");
  }
  if (!it->status().ok()) return FromRocks(it->status(), "indexing the cases' links");
  batch.Put(cf(Cf::kMeta), kLinksIndexedKey, "");
  return Write(&batch, /*sync=*/true);
}

absl::Status Store::ClearProjections() {
  absl::StatusOr<v1::DataDirMeta> meta = ReadMeta();
  if (!meta.ok()) return meta.status();
  rocksdb::WriteBatch batch;
  for (int i = 0; i < kCfCount; ++i) {
    // kMeta's other keys are not projections: Kafka's consumer positions
    // say how far the topics were read into the log, which the replay
    // folds again up to the same point.
    if (i == static_cast<int>(Cf::kLog) || i == static_cast<int>(Cf::kCommands) ||
        i == static_cast<int>(Cf::kRejections) || i == static_cast<int>(Cf::kUploads) ||
        i == static_cast<int>(Cf::kMeta)) {
      continue;
    }
    // A range deletion over the whole key space of the family.
    rocksdb::Status s = batch.DeleteRange(handles_[i], "", std::string(300, '\xff'));
    if (!s.ok()) return FromRocks(s, "clearing projections");
  }
  v1::DataDirMeta kept;
  kept.set_schema_version(meta->schema_version());
  kept.set_next_log_position(meta->next_log_position());
  // Whoever folds the log again from here is this build.
  kept.set_fold_version(kFoldVersion);
  batch.Put(cf(Cf::kMeta), kMetaKey, kept.SerializeAsString());
  // No case is left to index: the replay indexes each as it folds it.
  batch.Put(cf(Cf::kMeta), kLinksIndexedKey, "");
  return Write(&batch, /*sync=*/true);
}

}  // namespace docket
