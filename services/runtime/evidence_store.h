#ifndef DOCKET_SERVICES_RUNTIME_EVIDENCE_STORE_H_
#define DOCKET_SERVICES_RUNTIME_EVIDENCE_STORE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/common.pb.h"
#include "docket/v1/facts.pb.h"
#include "projections/store.h"

namespace docket {

// The media type a file name's extension says (image/jpeg for .jpg, ...);
// application/octet-stream when it says none docket knows.
std::string GuessMediaType(const std::string& path);

// A media type as RFC 6838 names one: type "/" subtype, each a letter or
// digit then up to 126 of letters, digits and ! # $ & - ^ _ . + (no
// parameters, nothing a path could be made of).
bool IsValidMediaType(absl::string_view media_type);

// Whether `head`, a file's first bytes (18 suffice), is a photo of
// `media_type`: an image type docket knows (JPEG, PNG, GIF, WebP, HEIC/HEIF,
// BMP, TIFF) whose signature the bytes carry. A photo (现场拍照) counts
// towards "DAMAGE needs at least one photo" only if it is one.
bool IsPhotoOf(absl::string_view media_type, absl::string_view head);

// Photos and documents by content: a file is copied to
// DIR/evidence/<first two hex digits>/<sha256 hex> and referred to as
// "cas://<sha256 hex>". The same bytes are stored once. Files are streamed,
// never held in memory whole. Who stored each file is kept in the data
// directory's `uploads` family, under RocksDB's checksums and in backups.
class EvidenceStore {
 public:
  // `max_bytes`: the largest file accepted (the policy's evidence limit).
  // `store`: the data directory's, for its uploaders; without it (the
  // audit's re-hashing) RecordUploader answers kFailedPrecondition and
  // CheckAttachable kInternal.
  explicit EvidenceStore(std::string data_dir, int64_t max_bytes = kDefaultMaxBytes,
                         ::docket::Store* store = nullptr);

  static constexpr int64_t kDefaultMaxBytes = int64_t{64} << 20;

  // Copies the file at `path` into the store (durably: written to a
  // temporary name, fsynced, renamed) and describes it. The media type is
  // `media_type`, or guessed from the file name's extension when empty.
  // kResourceExhausted for a file over the limit, kNotFound / kUnavailable
  // when it cannot be read or written; kInvalidArgument for a media type
  // that is none (IsValidMediaType), or a PHOTO whose bytes are no photo of
  // it (IsPhotoOf); nothing is stored then.
  // `shown_as` names the file in messages (default: `path`).
  absl::StatusOr<v1::Evidence> Put(const std::string& path, v1::EvidenceKind kind,
                                   std::string media_type, const std::string& shown_as = "") const;

  // Stores bytes received otherwise (an upload); `name` guesses the media
  // type when `media_type` is empty and becomes the description.
  absl::StatusOr<v1::Evidence> PutBytes(absl::string_view bytes, const std::string& name,
                                        v1::EvidenceKind kind, std::string media_type) const;

  // For a "cas://" uri: the stored file exists with the recorded size and,
  // for a PHOTO, is a photo of its media type (IsPhotoOf): a cheap check at
  // attach time; kFailedPrecondition otherwise. Other uris: kNotFound.
  absl::Status CheckPresent(const v1::Evidence& evidence) const;

  // Who stored a file: docketd records the principal that uploaded it,
  // docketctl attach the principal it acts as. Durable on return.
  absl::Status RecordUploader(const std::string& sha256_hex, const std::string& principal) const;

  // CheckPresent for an attachment by `principal` through docketd: the
  // file must be one it stored itself. Any other file answers exactly as an
  // absent one, so that nobody attaches, or learns of, a file only others
  // hold by its hash alone.
  absl::Status CheckAttachable(const v1::Evidence& evidence, const std::string& principal) const;

  // What `command` attaches by content, checked where it is decided (the
  // embedded log's command processor) or, on Kafka, where it enters (the
  // API instance that took the upload): OK for a command that attaches
  // nothing by "cas://"; else CheckAttachable by `actor` (`need_upload`)
  // or CheckPresent, their refusals as RULE_EVIDENCE, and kInternal for
  // what the store could not answer (never a refusal, which is final).
  absl::Status CheckAttachment(const v1::Command& command, const std::string& actor,
                               bool need_upload) const;

  // For a "cas://" uri: the stored file exists, has the recorded size, and
  // re-hashes to the recorded SHA-256 (kDataLoss otherwise). Other uris are
  // outside the store: kNotFound, which the audit counts as unchecked.
  absl::Status Check(const v1::Evidence& evidence) const;

  std::string PathFor(const std::string& sha256_hex) const;

 private:
  // Streams what `read` yields (0 at the end, -1 on error) into the store.
  absl::StatusOr<v1::Evidence> Store(const std::function<ssize_t(char*, size_t)>& read,
                                     const std::string& name, v1::EvidenceKind kind,
                                     std::string media_type) const;

  std::string root_;
  int64_t max_bytes_;
  ::docket::Store* store_;  // Not owned; may be null.
};

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_EVIDENCE_STORE_H_
