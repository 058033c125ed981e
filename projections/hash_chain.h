#ifndef DOCKET_PROJECTIONS_HASH_CHAIN_H_
#define DOCKET_PROJECTIONS_HASH_CHAIN_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "docket/v1/stored_event.pb.h"

namespace docket {

// SHA-256 of `data`, 32 raw bytes.
std::string Sha256(absl::string_view data);

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
