#ifndef DOCKET_PROJECTIONS_HASH_CHAIN_H_
#define DOCKET_PROJECTIONS_HASH_CHAIN_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "docket/v1/stored_event.pb.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX.

namespace docket {

// SHA-256 of `data`, 32 raw bytes.
std::string Sha256(absl::string_view data);

// SHA-256 of data given in pieces (a file streamed through).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(absl::string_view data);
  // The digest, 32 raw bytes. REQUIRES: called once, last.
  std::string Finish();

 private:
  ::evp_md_ctx_st* ctx_;
};

// Lowercase hex of `bytes`.
std::string HexEncode(absl::string_view bytes);

// The tamper-evident record of `event_bytes` (a serialized CaseEvent) after
// the event whose hash is `prev_hash` (empty for a case's first event):
// hash = SHA-256(prev_hash || event).
v1::StoredEvent ChainEvent(std::string event_bytes, const std::string& prev_hash);

// kDataLoss unless `stored` links to `prev_hash` and its hash is right.
// `where` names the event in the message, e.g. "case C-1 revision 3".
absl::Status VerifyLink(const v1::StoredEvent& stored, absl::string_view prev_hash,
                        absl::string_view where);

}  // namespace docket

#endif  // DOCKET_PROJECTIONS_HASH_CHAIN_H_
