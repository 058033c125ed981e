#ifndef DOCKET_PROJECTIONS_KEYS_H_
#define DOCKET_PROJECTIONS_KEYS_H_

// Key encodings of the column families. Integers are big-endian so that
// RocksDB's bytewise order is numeric order; ids never contain NUL (the
// decider admits printable ASCII only), so NUL separates the parts.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "docket/v1/common.pb.h"

namespace docket::keys {

std::string BigEndian64(uint64_t v);
uint64_t ReadBigEndian64(absl::string_view bytes);  // REQUIRES: 8 bytes.

// log: sequence -> StoredEvent.
std::string Log(uint64_t sequence);
// history: case id, revision -> StoredEvent. CasePrefix(id) bounds one case.
std::string History(absl::string_view case_id, int64_t revision);
std::string CasePrefix(absl::string_view case_id);
// due: due time (unix seconds), case id, deadline kind -> empty.
std::string Due(absl::Time due_at, absl::string_view case_id, v1::DeadlineKind kind);
// The parts of a due key; false when `key` is not one.
bool ParseDue(absl::string_view key, absl::Time* due_at, std::string* case_id,
              v1::DeadlineKind* kind);
// by_status: stage name, case id -> empty.
std::string ByStatus(v1::Stage stage, absl::string_view case_id);
// by_customer / by_waybill: id, case id -> empty.
std::string ByOwner(absl::string_view owner, absl::string_view case_id);

// rejections: case id, decision time (microseconds), command id -> Rejection.
// CasePrefix(id) bounds one case.
std::string RejectionKey(absl::string_view case_id, absl::Time decided_at,
                         absl::string_view command_id);

// uploads: sha256 hex, principal id -> empty. Upload(sha, "") bounds one
// file's uploaders.
std::string Upload(absl::string_view sha256_hex, absl::string_view principal);

// The case id at the end of an index key (after the last NUL).
std::string CaseIdOfIndexKey(absl::string_view key);

}  // namespace docket::keys

#endif  // DOCKET_PROJECTIONS_KEYS_H_
