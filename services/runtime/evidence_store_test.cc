// Who may attach a stored file by its content address through docketd: the
// principal that stored it. The record of
// uploaders lives in the data directory (the `uploads` family), so it is
// kept across restarts and replays and checked by the audit.

#include "services/runtime/evidence_store.h"

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/keys.h"
#include "projections/store.h"
#include "services/audit/auditor.h"
#include "tests/testing/data_dir.h"

namespace docket {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

constexpr absl::string_view kPngSignature("\x89PNG\r\n\x1A\n", 8);

class EvidenceUploadersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshDir("uploaders");
    Reopen();
  }

  void Reopen() {
    evidence_.reset();
    store_.reset();
    absl::StatusOr<std::unique_ptr<Store>> opened = Store::Open(dir_, Store::Mode::kReadWrite);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
    evidence_ =
        std::make_unique<EvidenceStore>(dir_, EvidenceStore::kDefaultMaxBytes, store_.get());
  }

  // A PNG: its signature, then `bytes`.
  v1::Evidence Stored(const std::string& bytes) {
    absl::StatusOr<v1::Evidence> stored = evidence_->PutBytes(
        absl::StrCat(kPngSignature, bytes), "photo.png", v1::EVIDENCE_KIND_PHOTO, "");
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : v1::Evidence();
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EvidenceStore> evidence_;
};

TEST_F(EvidenceUploadersTest, OnlyItsUploaderAttachesAFileAndOthersLearnNothingOfIt) {
  const v1::Evidence photo = Stored("a photo only the Zhuhai branch holds");
  ASSERT_TRUE(evidence_->RecordUploader(photo.sha256_hex(), "E-100").ok());

  EXPECT_TRUE(evidence_->CheckAttachable(photo, "E-100").ok());
  const absl::Status theirs = evidence_->CheckAttachable(photo, "E-101");
  EXPECT_EQ(theirs.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(theirs.message(), HasSubstr("is not in the evidence store"));

  // An absent file of the same shape is told word for word the same.
  v1::Evidence absent = photo;
  const std::string other(64, 'a');
  absent.set_sha256_hex(other);
  absent.set_uri("cas://" + other);
  const absl::Status missing = evidence_->CheckAttachable(absent, "E-101");
  EXPECT_EQ(absl::StrReplaceAll(theirs.message(), {{photo.sha256_hex(), other}}),
            missing.message());

  // A stored file nobody is recorded for is nobody's to attach.
  const v1::Evidence orphan = Stored("stored, and the process died before it was recorded");
  EXPECT_THAT(evidence_->CheckAttachable(orphan, "E-100").message(),
              HasSubstr("is not in the evidence store"));
}

TEST_F(EvidenceUploadersTest, ItsUploaderIsStillHeldToTheRecordedSize) {
  const v1::Evidence photo = Stored("a photo");
  ASSERT_TRUE(evidence_->RecordUploader(photo.sha256_hex(), "E-100").ok());
  v1::Evidence wrong = photo;
  wrong.set_size_bytes(1);
  EXPECT_THAT(evidence_->CheckAttachable(wrong, "E-100").message(),
              HasSubstr("bytes in the store, not 1"));
  // What a wildcard might mean is nobody's: "*" is only another id.
  EXPECT_THAT(evidence_->CheckAttachable(photo, "*").message(),
              HasSubstr("is not in the evidence store"));
}

TEST_F(EvidenceUploadersTest, UploadersOutliveARestartAndAReplay) {
  const v1::Evidence photo = Stored("a photo");
  ASSERT_TRUE(evidence_->RecordUploader(photo.sha256_hex(), "E-100").ok());
  Reopen();
  EXPECT_TRUE(evidence_->CheckAttachable(photo, "E-100").ok());
  ASSERT_TRUE(store_->ClearProjections().ok());
  EXPECT_TRUE(evidence_->CheckAttachable(photo, "E-100").ok());
  EXPECT_FALSE(evidence_->CheckAttachable(photo, "E-101").ok());
}

TEST_F(EvidenceUploadersTest, TheAuditFindsAnUploaderOfAFileTheStoreLost) {
  const v1::Evidence kept = Stored("kept");
  const v1::Evidence lost = Stored("lost");
  ASSERT_TRUE(evidence_->RecordUploader(kept.sha256_hex(), "E-100").ok());
  ASSERT_TRUE(evidence_->RecordUploader(lost.sha256_hex(), "E-101").ok());
  absl::StatusOr<AuditReport> sound = Audit(*store_, *evidence_);
  ASSERT_TRUE(sound.ok()) << sound.status();
  EXPECT_TRUE(sound->ok()) << sound->problems.front();
  EXPECT_EQ(sound->uploads, 2);

  std::filesystem::remove(evidence_->PathFor(lost.sha256_hex()));
  rocksdb::WriteBatch batch;
  batch.Put(store_->cf(Cf::kUploads), "not a hash", "");
  ASSERT_TRUE(store_->Write(&batch, true).ok());
  absl::StatusOr<AuditReport> broken = Audit(*store_, *evidence_);
  ASSERT_TRUE(broken.ok()) << broken.status();
  EXPECT_THAT(broken->problems,
              UnorderedElementsAre(HasSubstr("not <sha256>, <principal>: not a hash"),
                                   HasSubstr("E-101 stored cas://" + lost.sha256_hex())));
}

// 现场拍照: a photo is a photo. A page of HTML uploaded as a PHOTO satisfied
// "DAMAGE needs at least one photo" (found by an outside check), and a
// media type of "../../x" was kept as given.
TEST_F(EvidenceUploadersTest, APhotoIsAnImageOfItsMediaType) {
  EXPECT_TRUE(IsValidMediaType("image/jpeg"));
  EXPECT_TRUE(IsValidMediaType("application/vnd.ms-excel"));
  for (absl::string_view bad : {"../../x", "image", "/png", "image/", "image/png; q=1",
                                "image/png/x", "text/html\r\nX-A: b"}) {
    EXPECT_FALSE(IsValidMediaType(bad)) << bad;
  }
  EXPECT_TRUE(IsPhotoOf("image/png", kPngSignature));
  EXPECT_TRUE(IsPhotoOf("IMAGE/JPEG", "\xFF\xD8\xFF\xE0"));
  EXPECT_FALSE(IsPhotoOf("image/jpeg", kPngSignature)) << "a PNG is no JPEG";
  EXPECT_FALSE(IsPhotoOf("text/html", "<html>"));
  EXPECT_FALSE(IsPhotoOf("image/png", "<html><body>"));
  // A BMP is "BM" and a DIB header's size at 14: any text starting "BM"
  // passed before.
  const std::string bmp("BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0", 18);
  EXPECT_TRUE(IsPhotoOf("image/bmp", bmp));
  EXPECT_FALSE(IsPhotoOf("image/bmp", "BMW service report, page 1"));
  EXPECT_FALSE(IsPhotoOf("image/bmp", bmp.substr(0, 16)));

  const absl::StatusOr<v1::Evidence> html = evidence_->PutBytes(
      "<html><script>x</script></html>", "x.html", v1::EVIDENCE_KIND_PHOTO, "text/html");
  EXPECT_EQ(html.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(html.status().message(), HasSubstr("no photo"));
  const absl::StatusOr<v1::Evidence> pathlike =
      evidence_->PutBytes("a statement", "s.txt", v1::EVIDENCE_KIND_STATEMENT, "../../x");
  EXPECT_EQ(pathlike.status().code(), absl::StatusCode::kInvalidArgument);
  // Refused files leave nothing behind, not even an empty temporary one.
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::filesystem::path(dir_) / "evidence")) {
    EXPECT_THAT(entry.path().filename().string(), Not(StartsWith("incoming-"))) << entry.path();
  }

  // Stored as a document, the same bytes are not attached as a photo.
  absl::StatusOr<v1::Evidence> page =
      evidence_->PutBytes("<html></html>", "page.html", v1::EVIDENCE_KIND_DOCUMENT, "text/html");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_TRUE(evidence_->RecordUploader(page->sha256_hex(), "E-100").ok());
  EXPECT_TRUE(evidence_->CheckAttachable(*page, "E-100").ok());
  v1::Evidence as_photo = *page;
  as_photo.set_kind(v1::EVIDENCE_KIND_PHOTO);
  as_photo.set_media_type("image/png");
  const absl::Status refused = evidence_->CheckAttachable(as_photo, "E-100");
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("no photo of image/png"));
  EXPECT_TRUE(evidence_->CheckAttachable(Stored("pixels"), "E-100").code() ==
              absl::StatusCode::kFailedPrecondition)
      << "not recorded for E-100";
}

// A directory written before the family existed opens for reading, with
// no uploaders, and a writer adds the family.
TEST(StoreFamiliesTest, ADirectoryWithoutUploadsOpensAndGainsIt) {
  const std::string dir = testing::FreshDir("before-uploads");
  {
    std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite);
    rocksdb::WriteBatch batch;
    batch.Put(store->cf(Cf::kCases), "C-1", "state");
    ASSERT_TRUE(store->Write(&batch, true).ok());
    ASSERT_TRUE(store->db()->DropColumnFamily(store->cf(Cf::kUploads)).ok());
  }
  {
    absl::StatusOr<std::unique_ptr<Store>> reader = Store::Open(dir, Store::Mode::kReadOnly);
    ASSERT_TRUE(reader.ok()) << reader.status();
    std::unique_ptr<rocksdb::Iterator> it = (*reader)->NewIterator(Cf::kUploads);
    it->SeekToFirst();
    EXPECT_FALSE(it->Valid());
    EXPECT_EQ(*(*reader)->Get(Cf::kCases, "C-1"), "state");
  }
  std::unique_ptr<Store> writer = *Store::Open(dir, Store::Mode::kReadWrite);
  rocksdb::WriteBatch batch;
  batch.Put(writer->cf(Cf::kUploads), keys::Upload(std::string(64, 'b'), "E-1"), "");
  EXPECT_TRUE(writer->Write(&batch, true).ok());
}

}  // namespace
}  // namespace docket
