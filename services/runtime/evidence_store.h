#ifndef DOCKET_SERVICES_RUNTIME_EVIDENCE_STORE_H_
#define DOCKET_SERVICES_RUNTIME_EVIDENCE_STORE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "docket/v1/common.pb.h"
#include "docket/v1/facts.pb.h"

namespace docket {

// Photos and documents by content: a file is copied to
// DIR/evidence/<first two hex digits>/<sha256 hex> and referred to as
// "cas://<sha256 hex>". The same bytes are stored once.
class EvidenceStore {
 public:
  explicit EvidenceStore(std::string data_dir);

  // Copies the file at `path` into the store (durably: written to a
  // temporary name, fsynced, renamed) and describes it. The media type is
  // `media_type`, or guessed from the file name's extension when empty.
  absl::StatusOr<v1::Evidence> Put(const std::string& path, v1::EvidenceKind kind,
                                   std::string media_type) const;

  // For a "cas://" uri: the stored file exists, has the recorded size, and
  // re-hashes to the recorded SHA-256 (kDataLoss otherwise). Other uris are
  // outside the store: kNotFound, which the audit counts as unchecked.
  absl::Status Check(const v1::Evidence& evidence) const;

  std::string PathFor(const std::string& sha256_hex) const;

 private:
  std::string root_;
};

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_EVIDENCE_STORE_H_
