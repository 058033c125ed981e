#ifndef DOCKET_SERVICES_IDENTITY_CREDENTIALS_H_
#define DOCKET_SERVICES_IDENTITY_CREDENTIALS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "docket/v1/directory.pb.h"

namespace docket {

// Credentials: the secrets of people and programs, and the hashes the
// directory keeps of them. OpenSSL does the cryptography; comparisons of
// secrets are constant-time.

// A password's scrypt hash (N = 2^15, r = 8, p = 1: about 32 MiB and tens
// of milliseconds per guess) with `salt` (16 bytes).
absl::StatusOr<v1::PasswordHash> HashPassword(absl::string_view password, absl::string_view salt);

// The salt for a password set by directory command `command_id` for
// `principal_id`: derived, so that applying the same command again is the
// same command; unique per principal and command, which is what a salt
// must be.
std::string PasswordSalt(absl::string_view command_id, absl::string_view principal_id);

// Whether `password` has the hash `hash`.
bool PasswordMatches(absl::string_view password, const v1::PasswordHash& hash);

// An API or session token: "dkt_<token_id>_<secret>".
struct Token {
  std::string token_id;  // 16 hex digits.
  std::string secret;    // 43 characters of base64url (32 random bytes).
  std::string text() const { return "dkt_" + token_id + "_" + secret; }
};

// A new token from the system's random source.
absl::StatusOr<Token> NewToken();

// The parts of a token's text; nullopt when it is not one.
std::optional<Token> ParseToken(absl::string_view text);

// SHA-256 of a secret, as the directory keeps it.
std::string SecretSha256(absl::string_view secret);

// Whether `secret` hashes to `sha256` (constant-time).
bool SecretMatches(absl::string_view secret, absl::string_view sha256);

// HMAC-SHA256 of `value` under `key`, 64 lowercase hex digits: the
// signature of a command record on docket.commands.
std::string HmacSha256Hex(absl::string_view key, absl::string_view value);

// Whether `signature_hex` is `value`'s HMAC under `key` (constant-time).
bool SignatureMatches(absl::string_view key, absl::string_view value,
                      absl::string_view signature_hex);

// Opaque tokens this process hands out and takes back (a page token that
// holds a position in a key space the caller may not read): AES-256-GCM
// under a key drawn when the process starts, as hex. A sealed token tells
// nothing of what it holds, and one not sealed here (forged, altered, or
// from before a restart) does not unseal: nullopt.
std::string SealForThisProcess(absl::string_view plain);
std::optional<std::string> UnsealFromThisProcess(absl::string_view sealed);

}  // namespace docket

#endif  // DOCKET_SERVICES_IDENTITY_CREDENTIALS_H_
