#ifndef DOCKET_SERVICES_KAFKA_GATEWAY_H_
#define DOCKET_SERVICES_KAFKA_GATEWAY_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "docket/v1/commands.pb.h"
#include "engine/directory.h"
#include "services/kafka/wire.h"

namespace docket::kafka {

// Who may put a command on docket.commands (DESIGN.md, "Authentication"):
// a gateway signs each record with HMAC-SHA256 over the record's value,
// under a key whose fingerprint (the secret's SHA-256) is registered in the
// directory, in headers docket-key (the key's id) and docket-signature
// (64 hex digits). The secrets themselves stay in key files, never in the
// log: a gateway holds its own; every engine holds them all (a directory of
// key files). The key "system" is the engines' own: it signs the deadline
// scanner's commands and may act for anyone, like the local
// administrator's `docketctl --data_dir`.
inline constexpr char kKeyHeader[] = "docket-key";
inline constexpr char kSignatureHeader[] = "docket-signature";
inline constexpr char kSystemKeyId[] = "system";

// A key file: one line, "KEY_ID HEX_SECRET".
struct KeyFile {
  std::string key_id;
  std::string secret;  // Raw bytes (32).
};

// A new key with a secret from the system's random source.
absl::StatusOr<KeyFile> NewKey(const std::string& key_id);
absl::StatusOr<KeyFile> ReadKeyFile(const std::string& path);
// Writes a new key file, readable by its owner only; refuses to overwrite.
absl::Status WriteKeyFile(const std::string& path, const KeyFile& key);

// The headers that sign `value` with `key`.
Headers SignatureHeaders(const KeyFile& key, absl::string_view value);

// What a verified signature says about a record.
struct Signer {
  bool system = false;       // Signed with the engines' own key.
  std::string principal_id;  // A key bound to one principal: the only actor it signs for.
};

// The keys an engine verifies signatures with.
class Keyring {
 public:
  Keyring() = default;
  // Every "*.key" file of `dir` (the system key as system.key).
  static absl::StatusOr<Keyring> Load(const std::string& dir);
  void Add(KeyFile key) { keys_[key.key_id] = std::move(key); }

  // Checks the record's signature: its key is the system key, or a gateway
  // key registered in `directory`, not revoked, whose secret this keyring
  // holds and matches the registered fingerprint; and the signature is the
  // value's HMAC under it. RULE_UNAUTHENTICATED (kUnauthenticated) when the
  // record is unsigned, the key unknown or revoked, or the signature wrong.
  absl::StatusOr<Signer> Verify(const Headers& headers, absl::string_view value,
                                const Directory& directory) const;

 private:
  std::map<std::string, KeyFile> keys_;
};

// Whether a record on docket.commands carrying `command` is docket's own
// (signed with the system key and naming docket's principal, or no one):
// false for any other verified or (unless `require_signatures`) unsigned
// record, whose actor is then resolved in the directory. RULE_UNAUTHENTICATED
// for a bad signature, a gateway key signing for another principal than its
// own, a required signature missing, or no keyring to verify with.
absl::StatusOr<bool> CheckRecordSignature(const Keyring* keyring, bool require_signatures,
                                          const Headers& headers, absl::string_view value,
                                          const v1::Command& command, const Directory& directory);

}  // namespace docket::kafka

#endif  // DOCKET_SERVICES_KAFKA_GATEWAY_H_
