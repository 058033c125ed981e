// The data directory's refusals: a newer schema, a directory that is not
// docket's, corrupted files.

#include "projections/store.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/keys.h"
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
