// The data directory's refusals: a newer schema, a directory that is not
// docket's, corrupted files.

#include "projections/store.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
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
