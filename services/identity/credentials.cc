#include "services/identity/credentials.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "projections/hash_chain.h"

namespace docket {
namespace {

constexpr int kLog2N = 15;
constexpr int kR = 8;
constexpr int kP = 1;
constexpr size_t kHashBytes = 32;
constexpr uint64_t kMaxMemory = uint64_t{64} << 20;

bool ConstantTimeEqual(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::StatusOr<std::string> Scrypt(absl::string_view password, absl::string_view salt, int log2_n,
                                   int r, int p) {
  std::string out(kHashBytes, '\0');
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                     uint64_t{1} << log2_n, r, p, kMaxMemory,
                     reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1) {
    return absl::InternalError("scrypt failed");
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::PasswordHash> HashPassword(absl::string_view password, absl::string_view salt) {
  if (password.size() < 8) {
    return absl::InvalidArgumentError("a password needs at least 8 characters");
  }
  absl::StatusOr<std::string> hash = Scrypt(password, salt, kLog2N, kR, kP);
  if (!hash.ok()) return hash.status();
  v1::PasswordHash out;
  out.set_scheme("scrypt");
  out.set_salt(std::string(salt));
  out.set_hash(*hash);
  out.set_log2_n(kLog2N);
  out.set_r(kR);
  out.set_p(kP);
  return out;
}

std::string PasswordSalt(absl::string_view command_id, absl::string_view principal_id) {
  return Sha256(absl::StrCat("docket-password-salt", absl::string_view("\0", 1), command_id,
                             absl::string_view("\0", 1), principal_id))
      .substr(0, 16);
}

bool PasswordMatches(absl::string_view password, const v1::PasswordHash& hash) {
  if (hash.scheme() != "scrypt" || hash.log2_n() < 10 || hash.log2_n() > 22) return false;
  absl::StatusOr<std::string> computed =
      Scrypt(password, hash.salt(), hash.log2_n(), hash.r(), hash.p());
  return computed.ok() && ConstantTimeEqual(*computed, hash.hash());
}

absl::StatusOr<Token> NewToken() {
  unsigned char id[8], secret[32];
  if (RAND_bytes(id, sizeof(id)) != 1 || RAND_bytes(secret, sizeof(secret)) != 1) {
    return absl::UnavailableError("the system's random source failed");
  }
  Token token;
  token.token_id = absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(id), 8));
  token.secret = absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<char*>(secret), 32));
  return token;
}

std::optional<Token> ParseToken(absl::string_view text) {
  if (!absl::ConsumePrefix(&text, "dkt_") || text.size() < 18 || text[16] != '_') {
    return std::nullopt;
  }
  Token token{std::string(text.substr(0, 16)), std::string(text.substr(17))};
  // Exactly the shape NewToken makes: lowercase hex, then base64url.
  for (char c : token.token_id) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return std::nullopt;
  }
  if (token.secret.size() != 43) return std::nullopt;
  for (char c : token.secret) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_') return std::nullopt;
  }
  return token;
}

std::string SecretSha256(absl::string_view secret) { return Sha256(secret); }

bool SecretMatches(absl::string_view secret, absl::string_view sha256) {
  return ConstantTimeEqual(Sha256(secret), sha256);
}

std::string HmacSha256Hex(absl::string_view key, absl::string_view value) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), digest, &length);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), length));
}

bool SignatureMatches(absl::string_view key, absl::string_view value,
                      absl::string_view signature_hex) {
  return ConstantTimeEqual(HmacSha256Hex(key, value), absl::AsciiStrToLower(signature_hex));
}

namespace {

constexpr size_t kSealNonce = 12, kSealTag = 16;

// The key of SealForThisProcess, drawn once.
const unsigned char* SealKey() {
  static const unsigned char* const kKey = [] {
    auto* key = new unsigned char[32];
    if (RAND_bytes(key, 32) != 1) std::abort();  // No randomness: nothing is safe.
    return key;
  }();
  return kKey;
}

}  // namespace

std::string SealForThisProcess(absl::string_view plain) {
  std::string out(kSealNonce + plain.size() + kSealTag, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0;
  const bool sealed = ctx != nullptr && RAND_bytes(bytes, kSealNonce) == 1 &&
                      EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, SealKey(), bytes) == 1 &&
                      EVP_EncryptUpdate(ctx, bytes + kSealNonce, &n,
                                        reinterpret_cast<const unsigned char*>(plain.data()),
                                        static_cast<int>(plain.size())) == 1 &&
                      EVP_EncryptFinal_ex(ctx, bytes + kSealNonce + n, &n) == 1 &&
                      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kSealTag,
                                          bytes + kSealNonce + plain.size()) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!sealed) std::abort();
  return absl::BytesToHexString(out);
}

std::optional<std::string> UnsealFromThisProcess(absl::string_view sealed) {
  if (sealed.size() % 2 != 0 || sealed.size() < 2 * (kSealNonce + kSealTag) ||
      sealed.size() > 8192 || !std::all_of(sealed.begin(), sealed.end(), absl::ascii_isxdigit)) {
    return std::nullopt;
  }
  std::string in = absl::HexStringToBytes(sealed);
  auto* bytes = reinterpret_cast<unsigned char*>(in.data());
  const size_t length = in.size() - kSealNonce - kSealTag;
  std::string plain(length, '\0');
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0;
  const bool opened =
      ctx != nullptr &&
      EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, SealKey(), bytes) == 1 &&
      EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(plain.data()), &n, bytes + kSealNonce,
                        static_cast<int>(length)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kSealTag, bytes + kSealNonce + length) == 1 &&
      EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(plain.data()) + n, &n) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!opened) return std::nullopt;
  return plain;
}

}  // namespace docket
