// The data directory's refusals: a newer schema, a directory that is not
// docket's, corrupted files.

#include "projections/store.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/keys.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/testing/data_dir.h"

namespace docket {
namespace {

using ::testing::HasSubstr;

TEST(StoreTest, RefusesANewerSchema) {
  const std::string dir = testing::FreshDir("newer");
  {
    std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite);
    v1::DataDirMeta meta;
    meta.set_schema_version(kSchemaVersion + 1);
    rocksdb::WriteBatch batch;
    batch.Put(store->cf(Cf::kMeta), kMetaKey, meta.SerializeAsString());
    ASSERT_TRUE(store->Write(&batch, true).ok());
  }
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir, Store::Mode::kReadWrite);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("newer docket"));
}

// A directory written before the index of links (by_link) existed: a
// reader reads it as absent; the first writer fills it from the cases.
TEST(StoreTest, TheIndexOfLinksIsFilledForAnOlderDirectory) {
  const std::string dir = testing::FreshDir("before-links");
  {
    std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite);
    rocksdb::WriteBatch batch;
    v1::CaseState parent;
    parent.set_case_id("C-1");
    parent.set_revision(1);
    v1::CaseState child;
    child.set_case_id("R-1");
    child.set_revision(1);
    child.mutable_intake()->mutable_link()->set_case_id("C-1");
    batch.Put(store->cf(Cf::kCases), "C-1", parent.SerializeAsString());
    batch.Put(store->cf(Cf::kCases), "R-1", child.SerializeAsString());
    // As a directory of before by_link: no mark, no family.
    batch.Delete(store->cf(Cf::kMeta), kLinksIndexedKey);
    ASSERT_TRUE(store->Write(&batch, true).ok());
    ASSERT_TRUE(store->db()->DropColumnFamily(store->cf(Cf::kByLink)).ok());
  }
  {
    std::unique_ptr<Store> reader = *Store::Open(dir, Store::Mode::kReadOnly);
    EXPECT_FALSE(reader->HasFamily(Cf::kByLink));
    EXPECT_TRUE(reader->LinkedTo("C-1")->empty());
  }
  std::unique_ptr<Store> writer = *Store::Open(dir, Store::Mode::kReadWrite);
  EXPECT_TRUE(writer->HasFamily(Cf::kByLink));
  EXPECT_EQ(*writer->LinkedTo("C-1"), std::vector<std::string>{"R-1"});
  EXPECT_TRUE(writer->LinkedTo("R-1")->empty());
  EXPECT_TRUE(writer->LinkedTo("C-")->empty()) << "a prefix of an id is not the id";
  // A writer that stopped between making the family and filling it left
  // no mark: the next one fills it.
  rocksdb::WriteBatch crashed;
  crashed.Delete(writer->cf(Cf::kByLink), keys::ByOwner("C-1", "R-1"));
  crashed.Delete(writer->cf(Cf::kMeta), kLinksIndexedKey);
  ASSERT_TRUE(writer->Write(&crashed, true).ok());
  writer.reset();
  writer = *Store::Open(dir, Store::Mode::kReadWrite);
  EXPECT_EQ(*writer->LinkedTo("C-1"), std::vector<std::string>{"R-1"});
}

absl::Status Put(Store* store, const std::string& key) {
  rocksdb::WriteBatch batch;
  batch.Put(store->cf(Cf::kMeta), key, "v");
  return store->Write(&batch, /*sync=*/true);
}

bool Holds(const Store& store, const std::string& key) {
  absl::StatusOr<std::optional<std::string>> value = store.Get(Cf::kMeta, key);
  return value.ok() && value->has_value();
}

std::set<std::string> Keys(rocksdb::Iterator* it) {
  std::set<std::string> keys;
  for (it->SeekToFirst(); it->Valid(); it->Next()) keys.insert(it->key().ToString());
  return keys;
}

// docketd's writer writes its next group before the last is synced; no
// other thread may read what a crash could still take back, and what is
// synced is readable before its caller is answered.
TEST(StoreTest, UnderDeferredSyncOthersReadWhatIsDurable) {
  const std::string dir = testing::FreshDir("deferred");
  std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite);
  ASSERT_TRUE(Put(store.get(), "before").ok());
  std::promise<void> written, checked, durable, stop;
  std::thread writer([&] {
    store->StartDeferredSync();
    EXPECT_TRUE(Put(store.get(), "group-1").ok());
    // The writer reads what it wrote, durable or not.
    EXPECT_TRUE(Holds(*store, "group-1"));
    written.set_value();
    checked.get_future().wait();
    store->WhenDurable([&durable] { durable.set_value(); });
    stop.get_future().wait();
    store->StopDeferredSync();
  });
  written.get_future().wait();
  // Written, not yet synced: not for readers, by key or by iterator.
  EXPECT_TRUE(Holds(*store, "before"));
  EXPECT_FALSE(Holds(*store, "group-1"));
  std::unique_ptr<rocksdb::Iterator> before_sync = store->NewIterator(Cf::kMeta);
  EXPECT_EQ(Keys(before_sync.get()).count("group-1"), 0u);
  const uint64_t seen = store->LatestSequence();
  checked.set_value();
  durable.get_future().wait();
  EXPECT_TRUE(Holds(*store, "group-1"));
  EXPECT_GT(store->LatestSequence(), seen);
  std::unique_ptr<rocksdb::Iterator> after_sync = store->NewIterator(Cf::kMeta);
  EXPECT_EQ(Keys(after_sync.get()).count("group-1"), 1u);
  // The older iterator keeps its view, released since by the store.
  EXPECT_EQ(Keys(before_sync.get()).count("group-1"), 0u);
  // Another thread's synced write (an evidence upload) is durable and
  // readable on return.
  ASSERT_TRUE(Put(store.get(), "upload").ok());
  EXPECT_TRUE(Holds(*store, "upload"));
  before_sync.reset();
  after_sync.reset();
  stop.set_value();
  writer.join();
  store.reset();
  // All of it durable: a reopened directory holds it, and recovers at
  // least what ACKNOWLEDGED says was acknowledged.
  absl::StatusOr<std::unique_ptr<Store>> reopened = Store::Open(dir, Store::Mode::kReadWrite);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE(Holds(**reopened, "group-1"));
  EXPECT_TRUE(Holds(**reopened, "upload"));
}

// Stopping syncs what the writer wrote last and answers what waits for it.
TEST(StoreTest, StoppingDeferredSyncMakesTheLastWritesDurable) {
  const std::string dir = testing::FreshDir("deferred-stop");
  std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite);
  bool answered = false;
  std::thread writer([&] {
    store->StartDeferredSync();
    EXPECT_TRUE(Put(store.get(), "last").ok());
    store->WhenDurable([&answered] { answered = true; });
    store->StopDeferredSync();
  });
  writer.join();
  EXPECT_TRUE(answered);
  // Read as any thread reads after the stop: everything.
  EXPECT_TRUE(Holds(*store, "last"));
}

// A file system that knows how much of each write-ahead log was synced,
// and makes the image a crash would leave: every file as it is, each log
// cut to what was synced (what the page cache alone held is lost). A
// reopened directory reads the page cache, so without it a missing sync
// went unseen.
class SyncTrackingFs : public rocksdb::FileSystemWrapper {
 public:
  SyncTrackingFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "SyncTrackingFs"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus opened = target()->NewWritableFile(name, options, file, dbg);
    if (opened.ok() && absl::EndsWith(name, ".log")) {
      *file = std::make_unique<Log>(this, std::filesystem::path(name).filename().string(),
                                    std::move(*file));
    }
    return opened;
  }

  // Called after each sync of a log (once; then cleared).
  void AfterNextSync(std::function<void()> f) {
    absl::MutexLock lock(&mu_);
    after_sync_ = std::move(f);
  }

  // The crash image of directory `from` in `to`.
  void CrashImage(const std::string& from, const std::string& to) {
    absl::MutexLock lock(&mu_);
    std::filesystem::create_directories(to);
    for (const auto& entry : std::filesystem::directory_iterator(from)) {
      if (!entry.is_regular_file()) continue;
      const std::string name = entry.path().filename().string();
      const std::filesystem::path copy = std::filesystem::path(to) / name;
      std::filesystem::copy_file(entry.path(), copy,
                                 std::filesystem::copy_options::overwrite_existing);
      if (auto log = synced_.find(name); log != synced_.end()) {
        std::filesystem::resize_file(copy, log->second);
      }
    }
  }

 private:
  class Log : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    Log(SyncTrackingFs* fs, std::string name, std::unique_ptr<rocksdb::FSWritableFile> file)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), name_(std::move(name)) {
      fs_->Synced(name_, 0, /*after=*/false);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      return Synced(target()->Sync(o, d));
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      return Synced(target()->Fsync(o, d));
    }

   private:
    rocksdb::IOStatus Synced(rocksdb::IOStatus status) {
      if (status.ok()) fs_->Synced(name_, target()->GetFileSize({}, nullptr), /*after=*/true);
      return status;
    }
    SyncTrackingFs* fs_;
    std::string name_;
  };

  void Synced(const std::string& name, uint64_t size, bool after) {
    std::function<void()> then;
    {
      absl::MutexLock lock(&mu_);
      synced_[name] = size;
      if (after) then.swap(after_sync_);
    }
    if (then) then();
  }

  absl::Mutex mu_;
  std::map<std::string, uint64_t> synced_ ABSL_GUARDED_BY(mu_);
  std::function<void()> after_sync_ ABSL_GUARDED_BY(mu_);
};

// What WhenDurable answers for survives a crash, and ACKNOWLEDGED never
// claims more than the synced log holds: a write that lands while the log
// is synced (the writer decides on) is not counted as durable by it.
TEST(StoreTest, WhatDeferredSyncAnswersForSurvivesACrash) {
  const std::string dir = testing::FreshDir("deferred-crash");
  const std::string image = testing::FreshDir("deferred-crash-image");
  auto fs = std::make_shared<SyncTrackingFs>();
  Store::OpenOptions options;
  options.env = rocksdb::NewCompositeEnv(fs);
  std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite, options);
  std::thread writer([&] {
    store->StartDeferredSync();
    ASSERT_TRUE(Put(store.get(), "group-1").ok());
    // Written as the log's sync returns, before the round notes what it
    // made durable.
    fs->AfterNextSync([&] {
      rocksdb::WriteBatch during;
      during.Put(store->cf(Cf::kMeta), "during-sync", "v");
      EXPECT_TRUE(store->db()->Write(rocksdb::WriteOptions(), &during).ok());
    });
    std::promise<void> imaged;
    store->WhenDurable([&] {
      fs->CrashImage(dir, image);
      imaged.set_value();
    });
    imaged.get_future().wait();
    store->StopDeferredSync();
  });
  writer.join();
  store.reset();
  absl::StatusOr<std::unique_ptr<Store>> crashed = Store::Open(image, Store::Mode::kReadWrite);
  ASSERT_TRUE(crashed.ok()) << crashed.status();
  EXPECT_TRUE(Holds(**crashed, "group-1"));
  EXPECT_FALSE(Holds(**crashed, "during-sync")) << "never synced before the image";
}

// A write another thread makes while the last round syncs (an upload as
// docketd stops) is made durable by its own caller: that round took its
// view before the write, and no round comes after it. Had the round left
// the write to a later round, its caller would wait forever.
TEST(StoreTest, AWriteDuringTheLastSyncRoundIsMadeDurableByItsCaller) {
  const std::string dir = testing::FreshDir("deferred-last-round");
  const std::string image = testing::FreshDir("deferred-last-round-image");
  auto fs = std::make_shared<SyncTrackingFs>();
  Store::OpenOptions options;
  options.env = rocksdb::NewCompositeEnv(fs);
  std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite, options);
  std::promise<void> late_began, late_durable;
  std::thread late;
  std::thread writer([&] {
    store->StartDeferredSync();
    ASSERT_TRUE(Put(store.get(), "last").ok());
    // As the last round's sync returns, before the round ends: another
    // thread writes and waits for its write to be durable.
    fs->AfterNextSync([&] {
      late = std::thread([&] {
        late_began.set_value();
        EXPECT_TRUE(Put(store.get(), "late").ok());
        fs->CrashImage(dir, image);
        late_durable.set_value();
      });
      late_began.get_future().wait();
      absl::SleepFor(absl::Milliseconds(50));  // Its write lands, its wait begins.
    });
    store->StopDeferredSync();
  });
  writer.join();
  std::future<void> durable = late_durable.get_future();
  if (durable.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "the late write was never made durable: its caller still waits";
    std::_Exit(1);
  }
  late.join();
  store.reset();
  absl::StatusOr<std::unique_ptr<Store>> crashed = Store::Open(image, Store::Mode::kReadWrite);
  ASSERT_TRUE(crashed.ok()) << crashed.status();
  EXPECT_TRUE(Holds(**crashed, "last"));
  EXPECT_TRUE(Holds(**crashed, "late")) << "answered, so synced before the image";
}

// A replay clears the projections, not what says how far Kafka's topics
// were read into the log (kMeta's other keys): those were lost, and every
// partition read again from its first offset.
TEST(StoreTest, ClearingTheProjectionsKeepsTheConsumerPositions) {
  const std::string dir = testing::FreshDir("clear-keeps-positions");
  std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite);
  rocksdb::WriteBatch batch;
  batch.Put(store->cf(Cf::kMeta), "kafka/docket.events/3", "41");
  batch.Put(store->cf(Cf::kCases), "C-1", "state");
  ASSERT_TRUE(store->Write(&batch, true).ok());
  ASSERT_TRUE(store->ClearProjections().ok());
  EXPECT_EQ(*store->Get(Cf::kMeta, "kafka/docket.events/3"), std::optional<std::string>("41"));
  EXPECT_EQ(*store->Get(Cf::kCases, "C-1"), std::nullopt);
  EXPECT_EQ(store->ReadMeta()->fold_version(), kFoldVersion);
}

TEST(StoreTest, RefusesADirectoryThatIsNotDockets) {
  const std::string dir = testing::FreshDir("foreign");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/thesis.txt") << "precious";
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir, Store::Mode::kReadWrite);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(StoreTest, CorruptedFilesAreDataLoss) {
  const std::string dir = testing::FreshDir("corrupt");
  {
    std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite);
    for (int i = 0; i < 5; ++i) {
      rocksdb::WriteBatch batch;
      batch.Put(store->cf(Cf::kCases), "C-" + std::to_string(i), "state");
      ASSERT_TRUE(store->Write(&batch, true).ok());
    }
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("MANIFEST", 0) == 0) {
      std::ofstream(entry.path(), std::ios::trunc) << "garbage garbage garbage";
    }
  }
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir, Store::Mode::kReadWrite);
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(absl::IsDataLoss(store.status()) || absl::IsFailedPrecondition(store.status()))
      << store.status();
}

}  // namespace
}  // namespace docket
