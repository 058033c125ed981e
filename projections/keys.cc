#include "projections/keys.h"

#include "absl/strings/str_cat.h"

namespace docket::keys {

std::string BigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

uint64_t ReadBigEndian64(absl::string_view bytes) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

std::string Log(uint64_t sequence) { return BigEndian64(sequence); }

std::string CasePrefix(absl::string_view case_id) {
  return absl::StrCat(case_id, absl::string_view("\0", 1));
}

std::string History(absl::string_view case_id, int64_t revision) {
  return absl::StrCat(CasePrefix(case_id), BigEndian64(revision));
}

// Flipping the sign bit makes signed seconds sort bytewise: times before
// 1970 still sort before later ones.
constexpr uint64_t kSignBit = uint64_t{1} << 63;

std::string Due(absl::Time due_at, absl::string_view case_id, v1::DeadlineKind kind) {
  const uint64_t seconds = static_cast<uint64_t>(absl::ToUnixSeconds(due_at)) ^ kSignBit;
  return absl::StrCat(BigEndian64(seconds), case_id, absl::string_view("\0", 1),
                      v1::DeadlineKind_Name(kind));
}

bool ParseDue(absl::string_view key, absl::Time* due_at, std::string* case_id,
              v1::DeadlineKind* kind) {
  if (key.size() < 10) return false;
  *due_at = absl::FromUnixSeconds(static_cast<int64_t>(ReadBigEndian64(key) ^ kSignBit));
  const absl::string_view rest = key.substr(8);
  const size_t nul = rest.find('\0');
  if (nul == absl::string_view::npos) return false;
  *case_id = std::string(rest.substr(0, nul));
  return v1::DeadlineKind_Parse(std::string(rest.substr(nul + 1)), kind);
}

std::string RejectionKey(absl::string_view case_id, absl::Time decided_at,
                         absl::string_view command_id) {
  const uint64_t micros = static_cast<uint64_t>(absl::ToUnixMicros(decided_at)) ^ kSignBit;
  return absl::StrCat(CasePrefix(case_id), BigEndian64(micros), command_id);
}

std::string ByStatus(v1::Stage stage, absl::string_view case_id) {
  return absl::StrCat(v1::Stage_Name(stage), absl::string_view("\0", 1), case_id);
}

std::string ByOwner(absl::string_view owner, absl::string_view case_id) {
  return absl::StrCat(owner, absl::string_view("\0", 1), case_id);
}

std::string CaseIdOfIndexKey(absl::string_view key) {
  const size_t nul = key.rfind('\0');
  return std::string(nul == absl::string_view::npos ? key : key.substr(nul + 1));
}

std::string Upload(absl::string_view sha256_hex, absl::string_view principal) {
  return absl::StrCat(sha256_hex, absl::string_view("\0", 1), principal);
}

}  // namespace docket::keys
