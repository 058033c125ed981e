#ifndef DOCKET_ENGINE_DETERMINISTIC_BYTES_H_
#define DOCKET_ENGINE_DETERMINISTIC_BYTES_H_

#include <string>

#include "google/protobuf/message.h"

namespace docket {

// `message` serialized deterministically (map entries in key order), so the
// same message always gives the same bytes: what is hashed into the chain
// and compared by the tests.
std::string DeterministicBytes(const google::protobuf::Message& message);

}  // namespace docket

#endif  // DOCKET_ENGINE_DETERMINISTIC_BYTES_H_
