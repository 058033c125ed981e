#include "services/kafka/gateway.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/envelope.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "services/identity/credentials.h"

namespace docket::kafka {
namespace {

absl::Status Unauthenticated(absl::string_view why) {
  return Refuse(v1::RULE_UNAUTHENTICATED, absl::StatusCode::kUnauthenticated,
                absl::StrCat("the command record is not signed by a known gateway: ", why));
}

}  // namespace

absl::StatusOr<KeyFile> NewKey(const std::string& key_id) {
  if (!IsValidKey(key_id)) return absl::InvalidArgumentError("a key id must be a valid key");
  KeyFile key{key_id, std::string(32, '\0')};
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.secret.data()), 32) != 1) {
    return absl::UnavailableError("the system's random source failed");
  }
  return key;
}

absl::StatusOr<KeyFile> ReadKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read key file ", path));
  KeyFile key;
  std::string hex;
  in >> key.key_id >> hex;
  key.secret = absl::HexStringToBytes(hex);
  if (!IsValidKey(key.key_id) || hex.size() != 64 ||
      absl::BytesToHexString(key.secret) != absl::AsciiStrToLower(hex)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a key file (one line: KEY_ID and 64 hex digits)"));
  }
  return key;
}

absl::Status WriteKeyFile(const std::string& path, const KeyFile& key) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create key file ", path, " (it must not exist yet)"));
  }
  const std::string line = absl::StrCat(key.key_id, " ", absl::BytesToHexString(key.secret), "\n");
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return absl::UnavailableError(absl::StrCat("cannot write key file ", path));
  return absl::OkStatus();
}

Headers SignatureHeaders(const KeyFile& key, absl::string_view value) {
  return {{kKeyHeader, key.key_id}, {kSignatureHeader, HmacSha256Hex(key.secret, value)}};
}

absl::StatusOr<Keyring> Keyring::Load(const std::string& dir) {
  Keyring keyring;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".key") continue;
    absl::StatusOr<KeyFile> key = ReadKeyFile(entry.path().string());
    if (!key.ok()) return key.status();
    keyring.Add(*std::move(key));
  }
  if (ec) return absl::NotFoundError(absl::StrCat("cannot read the key directory ", dir));
  return keyring;
}

absl::StatusOr<Signer> Keyring::Verify(const Headers& headers, absl::string_view value,
                                       const Directory& directory) const {
  const std::string* key_id = FindHeader(headers, kKeyHeader);
  const std::string* signature = FindHeader(headers, kSignatureHeader);
  if (key_id == nullptr || signature == nullptr) {
    return Unauthenticated("it carries no docket-key and docket-signature headers");
  }
  auto key = keys_.find(*key_id);
  Signer signer;
  if (*key_id == kSystemKeyId) {
    if (key == keys_.end()) return Unauthenticated("this engine holds no system key");
    signer.system = true;
  } else {
    const v1::GatewayKey* registered = directory.FindGatewayKey(*key_id);
    if (registered == nullptr || registered->revoked()) {
      return Unauthenticated(absl::StrCat("key '", SafeText(*key_id, 64),
                                          "' is not registered in the directory, or revoked"));
    }
    if (key == keys_.end() || !SecretMatches(key->second.secret, registered->secret_sha256())) {
      return Unauthenticated(
          absl::StrCat("this engine holds no secret for key ", *key_id, " that matches it"));
    }
    signer.principal_id = registered->principal_id();
  }
  if (!SignatureMatches(key->second.secret, value, *signature)) {
    return Unauthenticated(absl::StrCat("the signature does not match key ", *key_id));
  }
  return signer;
}

absl::StatusOr<bool> CheckRecordSignature(const Keyring* keyring, bool require_signatures,
                                          const Headers& headers, absl::string_view value,
                                          const v1::Command& command, const Directory& directory) {
  if (FindHeader(headers, kKeyHeader) == nullptr && !require_signatures) return false;
  const auto refuse = [&](absl::string_view why) {
    return Refuse(v1::RULE_UNAUTHENTICATED, absl::StatusCode::kUnauthenticated,
                  absl::StrCat("command ", command.command_id(), ": ", why));
  };
  if (keyring == nullptr) return refuse("this engine verifies no signatures (no keys)");
  absl::StatusOr<Signer> signer = keyring->Verify(headers, value, directory);
  if (!signer.ok()) return refuse(signer.status().message());
  if (!signer->system && signer->principal_id != command.actor().id()) {
    return refuse(absl::StrCat("its key signs for ", signer->principal_id, ", not for ",
                               SafeText(command.actor().id(), 64)));
  }
  // The system key may act for anyone (like docketctl --data_dir): only a
  // command naming docket's own principal is docket's own.
  return signer->system &&
         (command.actor().id().empty() || command.actor().id() == kSystemPrincipal);
}

}  // namespace docket::kafka
