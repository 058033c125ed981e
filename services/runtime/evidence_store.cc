#include "services/runtime/evidence_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "projections/hash_chain.h"

namespace docket {
namespace {

constexpr char kCasScheme[] = "cas://";

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
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

absl::Status WriteDurably(const std::string& path, const std::string& bytes) {
  const std::string tmp = absl::StrCat(path, ".tmp");
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot create ", tmp));
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n <= 0) {
      ::close(fd);
      return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
    }
    written += n;
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot store ", path));
  }
  return absl::OkStatus();
}

}  // namespace

EvidenceStore::EvidenceStore(std::string data_dir)
    : root_((std::filesystem::path(data_dir) / "evidence").string()) {}

std::string EvidenceStore::PathFor(const std::string& sha256_hex) const {
  return (std::filesystem::path(root_) / sha256_hex.substr(0, 2) / sha256_hex).string();
}

absl::StatusOr<v1::Evidence> EvidenceStore::Put(const std::string& path, v1::EvidenceKind kind,
                                                std::string media_type) const {
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  if (bytes->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is empty"));
  }
  const std::string hex = HexEncode(Sha256(*bytes));
  const std::string target = PathFor(hex);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(target).parent_path(), ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", target, ": ", ec.message()));
  if (!std::filesystem::exists(target, ec)) {
    absl::Status stored = WriteDurably(target, *bytes);
    if (!stored.ok()) return stored;
  }
  v1::Evidence evidence;
  evidence.set_kind(kind);
  evidence.set_uri(absl::StrCat(kCasScheme, hex));
  evidence.set_sha256_hex(hex);
  evidence.set_size_bytes(bytes->size());
  evidence.set_media_type(media_type.empty() ? GuessMediaType(path) : media_type);
  evidence.set_description(std::filesystem::path(path).filename().string());
  return evidence;
}

absl::Status EvidenceStore::Check(const v1::Evidence& evidence) const {
  absl::string_view uri = evidence.uri();
  if (!absl::ConsumePrefix(&uri, kCasScheme)) {
    return absl::NotFoundError(absl::StrCat(evidence.uri(), " is outside the store"));
  }
  absl::StatusOr<std::string> bytes = ReadFile(PathFor(std::string(uri)));
  if (!bytes.ok()) {
    return absl::DataLossError(absl::StrCat("evidence ", evidence.uri(), " is missing"));
  }
  if (static_cast<int64_t>(bytes->size()) != evidence.size_bytes() ||
      HexEncode(Sha256(*bytes)) != evidence.sha256_hex() || evidence.sha256_hex() != uri) {
    return absl::DataLossError(absl::StrCat("evidence ", evidence.uri(),
                                            " no longer matches its recorded SHA-256 and size"));
  }
  return absl::OkStatus();
}

}  // namespace docket
