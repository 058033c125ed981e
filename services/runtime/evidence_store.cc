#include "services/runtime/evidence_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/refusal.h"
#include "projections/hash_chain.h"
#include "projections/keys.h"
#include "rocksdb/write_batch.h"

namespace docket {
namespace {

constexpr char kCasScheme[] = "cas://";
constexpr size_t kChunk = 1 << 16;
constexpr size_t kHeadBytes = 18;

// What an attachment of a file not in the store, or not the sender's to
// attach, is told.
absl::Status NotStored(const v1::Evidence& evidence) {
  return absl::FailedPreconditionError(
      absl::StrCat("evidence ", evidence.uri(),
                   " is not in the evidence store: store it first (docketctl put-evidence, or POST "
                   "/v1/evidence)"));
}

absl::Status Errno(absl::string_view what, const std::string& path) {
  const int error = errno;
  const std::string message = absl::StrCat(what, " ", path, ": ", std::strerror(error));
  if (error == ENOENT || error == ENOTDIR) return absl::NotFoundError(message);
  if (error == ENOSPC || error == EDQUOT) return absl::ResourceExhaustedError(message);
  return absl::UnavailableError(message);
}

// Closes `fd` on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now; false when close reports an error (a write lost).
  bool Close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

absl::Status WriteAll(int fd, const char* data, size_t size, const std::string& path) {
  for (size_t written = 0; written < size;) {
    const ssize_t n = ::write(fd, data + written, size - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path);
    }
    written += n;
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidMediaType(absl::string_view media_type) {
  const auto is_name = [](absl::string_view name) {
    if (name.empty() || name.size() > 127 || !absl::ascii_isalnum(name[0])) return false;
    for (char c : name) {
      if (!absl::ascii_isalnum(c) && !absl::StrContains("!#$&-^_.+", c)) return false;
    }
    return true;
  };
  const size_t slash = media_type.find('/');
  return slash != absl::string_view::npos && is_name(media_type.substr(0, slash)) &&
         is_name(media_type.substr(slash + 1));
}

bool IsPhotoOf(absl::string_view media_type, absl::string_view head) {
  const std::string type = absl::AsciiStrToLower(media_type);
  const auto at = [&](size_t offset, absl::string_view magic) {
    return head.size() >= offset + magic.size() && head.substr(offset, magic.size()) == magic;
  };
  if (type == "image/jpeg" || type == "image/jpg") return at(0, "\xFF\xD8\xFF");
  if (type == "image/png") return at(0, "\x89PNG\r\n\x1A\n");
  if (type == "image/gif") return at(0, "GIF87a") || at(0, "GIF89a");
  if (type == "image/webp") return at(0, "RIFF") && at(8, "WEBP");
  if (type == "image/heic" || type == "image/heif") {
    return at(4, "ftyp") && (at(8, "heic") || at(8, "heix") || at(8, "mif1") || at(8, "msf1") ||
                             at(8, "heim") || at(8, "heis") || at(8, "hevc"));
  }
  if (type == "image/bmp") {
    // "BM", then the file's size, 4 reserved bytes and the pixels' offset;
    // at 14, the size of one of the DIB headers there are.
    if (!at(0, "BM") || head.size() < 18) return false;
    const uint32_t dib = static_cast<uint8_t>(head[14]) | static_cast<uint8_t>(head[15]) << 8 |
                         static_cast<uint32_t>(static_cast<uint8_t>(head[16])) << 16 |
                         static_cast<uint32_t>(static_cast<uint8_t>(head[17])) << 24;
    return dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 ||
           dib == 124;
  }
  if (type == "image/tiff") return at(0, absl::string_view("II*\0", 4)) || at(0, "MM\0*");
  return false;
}

std::string GuessMediaType(const std::string& path) {
  const std::string ext = absl::AsciiStrToLower(std::filesystem::path(path).extension().string());
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".png") return "image/png";
  if (ext == ".gif") return "image/gif";
  if (ext == ".webp") return "image/webp";
  if (ext == ".pdf") return "application/pdf";
  if (ext == ".txt") return "text/plain";
  if (ext == ".mp3") return "audio/mpeg";
  if (ext == ".wav") return "audio/wav";
  return "application/octet-stream";
}

EvidenceStore::EvidenceStore(std::string data_dir, int64_t max_bytes, ::docket::Store* store)
    : root_((std::filesystem::path(data_dir) / "evidence").string()),
      max_bytes_(max_bytes),
      store_(store) {}

std::string EvidenceStore::PathFor(const std::string& sha256_hex) const {
  return (std::filesystem::path(root_) / sha256_hex.substr(0, 2) / sha256_hex).string();
}

absl::StatusOr<v1::Evidence> EvidenceStore::Store(const std::function<ssize_t(char*, size_t)>& read,
                                                  const std::string& name, v1::EvidenceKind kind,
                                                  std::string media_type) const {
  std::error_code ec;
  std::filesystem::create_directories(root_, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", root_, ": ", ec.message()));
  if (!media_type.empty() && !IsValidMediaType(media_type)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the media type of ", name, " is type/subtype, e.g. image/jpeg"));
  }
  if (media_type.empty()) media_type = GuessMediaType(name);
  // Streamed to a temporary file while hashed, then renamed to its hash;
  // from here, every failure removes it.
  std::string tmp = (std::filesystem::path(root_) / "incoming-XXXXXX").string();
  Fd out(::mkstemp(tmp.data()));
  if (out.get() < 0) return Errno("cannot create", tmp);
  Sha256Stream hash;
  int64_t size = 0;
  absl::Status status;
  char buffer[kChunk];
  std::string head;  // The first bytes, for a photo's signature.
  for (;;) {
    const ssize_t n = read(buffer, sizeof(buffer));
    if (n < 0) {
      status = Errno("cannot read", name);
      break;
    }
    if (n == 0) break;
    size += n;
    if (size > max_bytes_) {
      status = absl::ResourceExhaustedError(absl::StrCat(
          name, " is larger than the evidence limit of ", max_bytes_, " bytes (policy)"));
      break;
    }
    hash.Update(absl::string_view(buffer, n));
    if (head.size() < kHeadBytes) {
      head.append(buffer, std::min(static_cast<size_t>(n), kHeadBytes - head.size()));
    }
    status = WriteAll(out.get(), buffer, n, tmp);
    if (!status.ok()) break;
  }
  if (status.ok() && size == 0)
    status = absl::InvalidArgumentError(absl::StrCat(name, " is empty"));
  if (status.ok() && kind == v1::EVIDENCE_KIND_PHOTO && !IsPhotoOf(media_type, head)) {
    status = absl::InvalidArgumentError(absl::StrCat(
        name, " is no photo of ", media_type,
        ": a photo is a JPEG, PNG, GIF, WebP, HEIC, BMP or TIFF image, its bytes as its type "
        "says"));
  }
  if (status.ok() && ::fsync(out.get()) != 0) status = Errno("cannot sync", tmp);
  if (status.ok() && !out.Close()) status = Errno("cannot close", tmp);
  const std::string hex = HexEncode(hash.Finish());
  const std::string target = PathFor(hex);
  if (status.ok()) {
    std::filesystem::create_directories(std::filesystem::path(target).parent_path(), ec);
    if (ec)
      status = absl::UnavailableError(absl::StrCat("cannot create ", target, ": ", ec.message()));
  }
  if (status.ok() && ::rename(tmp.c_str(), target.c_str()) != 0) {
    status = Errno("cannot store", target);
  }
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return status;
  }
  v1::Evidence evidence;
  evidence.set_kind(kind);
  evidence.set_uri(absl::StrCat(kCasScheme, hex));
  evidence.set_sha256_hex(hex);
  evidence.set_size_bytes(size);
  evidence.set_media_type(media_type);
  evidence.set_description(std::filesystem::path(name).filename().string());
  return evidence;
}

absl::StatusOr<v1::Evidence> EvidenceStore::Put(const std::string& path, v1::EvidenceKind kind,
                                                std::string media_type,
                                                const std::string& shown_as) const {
  Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return Errno("cannot read", path);
  struct stat st {};
  if (::fstat(in.get(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a regular file"));
  }
  return Store(
      [&](char* buffer, size_t size) {
        for (;;) {
          const ssize_t n = ::read(in.get(), buffer, size);
          if (n >= 0 || errno != EINTR) return n;
        }
      },
      shown_as.empty() ? path : shown_as, kind, std::move(media_type));
}

absl::StatusOr<v1::Evidence> EvidenceStore::PutBytes(absl::string_view bytes,
                                                     const std::string& name, v1::EvidenceKind kind,
                                                     std::string media_type) const {
  size_t at = 0;
  return Store(
      [&](char* buffer, size_t size) {
        const size_t n = std::min(size, bytes.size() - at);
        std::memcpy(buffer, bytes.data() + at, n);
        at += n;
        return static_cast<ssize_t>(n);
      },
      name, kind, std::move(media_type));
}

absl::Status EvidenceStore::RecordUploader(const std::string& sha256_hex,
                                           const std::string& principal) const {
  if (store_ == nullptr) return absl::FailedPreconditionError("uploaders need the data directory");
  rocksdb::WriteBatch batch;
  batch.Put(store_->cf(Cf::kUploads), keys::Upload(sha256_hex, principal), "");
  return store_->Write(&batch, /*sync=*/true);
}

absl::Status EvidenceStore::CheckAttachable(const v1::Evidence& evidence,
                                            const std::string& principal) const {
  if (store_ == nullptr) return absl::InternalError("uploaders need the data directory");
  absl::string_view uri = evidence.uri();
  if (absl::ConsumePrefix(&uri, kCasScheme) && uri == evidence.sha256_hex()) {
    absl::StatusOr<std::optional<std::string>> found =
        store_->Get(Cf::kUploads, keys::Upload(uri, principal));
    if (!found.ok()) return found.status();
    if (!found->has_value()) return NotStored(evidence);
  }
  return CheckPresent(evidence);
}

absl::Status EvidenceStore::CheckAttachment(const v1::Command& command, const std::string& actor,
                                            bool need_upload) const {
  if (!command.has_attach_evidence() ||
      !absl::StartsWith(command.attach_evidence().evidence().uri(), kCasScheme)) {
    return absl::OkStatus();
  }
  const v1::Evidence& evidence = command.attach_evidence().evidence();
  const absl::Status present =
      need_upload ? CheckAttachable(evidence, actor) : CheckPresent(evidence);
  if (present.ok()) return present;
  // What the store cannot answer (a read that failed) is an error, never a
  // refusal recorded as final.
  if (present.code() != absl::StatusCode::kFailedPrecondition) {
    return absl::InternalError(absl::StrCat("evidence store: ", present.message()));
  }
  return Refuse(v1::RULE_EVIDENCE, absl::StatusCode::kFailedPrecondition,
                absl::StrCat("case ", command.case_id(), ": ", present.message()));
}

absl::Status EvidenceStore::CheckPresent(const v1::Evidence& evidence) const {
  absl::string_view uri = evidence.uri();
  if (!absl::ConsumePrefix(&uri, kCasScheme)) {
    return absl::NotFoundError(absl::StrCat(evidence.uri(), " is outside the store"));
  }
  if (std::string(uri) != evidence.sha256_hex()) {
    return absl::FailedPreconditionError(
        absl::StrCat("evidence ", evidence.uri(), " does not name its sha256_hex"));
  }
  struct stat st {};
  if (::stat(PathFor(std::string(uri)).c_str(), &st) != 0) return NotStored(evidence);
  if (st.st_size != evidence.size_bytes()) {
    return absl::FailedPreconditionError(absl::StrCat("evidence ", evidence.uri(), " is ",
                                                      st.st_size, " bytes in the store, not ",
                                                      evidence.size_bytes()));
  }
  if (evidence.kind() == v1::EVIDENCE_KIND_PHOTO) {
    const std::string path = PathFor(std::string(uri));
    Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.get() < 0) return Errno("cannot read", path);
    char head[kHeadBytes];
    const ssize_t n = ::pread(in.get(), head, sizeof(head), 0);
    if (n < 0) return Errno("cannot read", path);
    if (!IsPhotoOf(evidence.media_type(), absl::string_view(head, static_cast<size_t>(n)))) {
      return absl::FailedPreconditionError(
          absl::StrCat("evidence ", evidence.uri(), " is no photo of ", evidence.media_type(),
                       ": a photo is a JPEG, PNG, GIF, WebP, HEIC, BMP or TIFF image, its bytes "
                       "as its type says"));
    }
  }
  return absl::OkStatus();
}

absl::Status EvidenceStore::Check(const v1::Evidence& evidence) const {
  absl::string_view uri = evidence.uri();
  if (!absl::ConsumePrefix(&uri, kCasScheme)) {
    return absl::NotFoundError(absl::StrCat(evidence.uri(), " is outside the store"));
  }
  const std::string path = PathFor(std::string(uri));
  Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) {
    return absl::DataLossError(absl::StrCat("evidence ", evidence.uri(), " is missing"));
  }
  Sha256Stream hash;
  int64_t size = 0;
  char buffer[kChunk];
  for (ssize_t n; (n = ::read(in.get(), buffer, sizeof(buffer))) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::DataLossError(absl::StrCat("evidence ", evidence.uri(), " cannot be read"));
    }
    hash.Update(absl::string_view(buffer, n));
    size += n;
  }
  if (size != evidence.size_bytes() || HexEncode(hash.Finish()) != evidence.sha256_hex() ||
      evidence.sha256_hex() != uri) {
    return absl::DataLossError(absl::StrCat("evidence ", evidence.uri(),
                                            " no longer matches its recorded SHA-256 and size"));
  }
  return absl::OkStatus();
}

}  // namespace docket
