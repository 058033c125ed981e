#include "projections/hash_chain.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace docket {
namespace {

std::string Sha256Of2(absl::string_view a, absl::string_view b) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  EVP_DigestUpdate(ctx, b.data(), b.size());
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<char*>(digest), length);
}

}  // namespace

std::string Sha256(absl::string_view data) { return Sha256Of2(data, ""); }

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(ctx_); }

void Sha256Stream::Update(absl::string_view data) {
  EVP_DigestUpdate(ctx_, data.data(), data.size());
}

std::string Sha256Stream::Finish() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx_, digest, &length);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string HexEncode(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

v1::StoredEvent ChainEvent(std::string event_bytes, const std::string& prev_hash) {
  v1::StoredEvent stored;
  stored.set_hash(Sha256Of2(prev_hash, event_bytes));
  stored.set_prev_hash(prev_hash);
  stored.set_event(std::move(event_bytes));
  return stored;
}

absl::Status VerifyLink(const v1::StoredEvent& stored, absl::string_view prev_hash,
                        absl::string_view where) {
  if (stored.prev_hash() != prev_hash) {
    return absl::DataLossError(absl::StrCat(where, ": prev_hash ", HexEncode(stored.prev_hash()),
                                            " does not match the previous event's hash ",
                                            HexEncode(prev_hash)));
  }
  if (Sha256Of2(stored.prev_hash(), stored.event()) != stored.hash()) {
    return absl::DataLossError(
        absl::StrCat(where, ": hash ", HexEncode(stored.hash()),
                     " is not SHA-256(prev_hash || event); the event bytes were altered"));
  }
  return absl::OkStatus();
}

}  // namespace docket
