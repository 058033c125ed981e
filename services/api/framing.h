#ifndef DOCKET_SERVICES_API_FRAMING_H_
#define DOCKET_SERVICES_API_FRAMING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace docket::api {

// What the front makes of the bytes waiting at the head of a connection.
struct Framed {
  enum class Kind {
    kIncomplete,  // Not all of a request yet.
    kServe,       // A POST /v1/commands the front serves: head and body whole.
    kHandOff,     // Anything else: the HTTP library serves the connection.
  };
  Kind kind = Kind::kIncomplete;
  // Through the blank line, and the body's, once the head has come (so
  // while incomplete, too: how much the request needs).
  size_t head_bytes = 0;
  size_t body_bytes = 0;
  // The header fields as sent, values without surrounding whitespace.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Pure. A request the front serves is one whose bytes the library would
// read the same way, and answer the same way: exactly
// "POST /v1/commands HTTP/1.1"; a head of at most 8 KiB (the library's
// line limit) of header fields with token names and visible ASCII values,
// none percent-encoded (the library decodes them), at most 100 of them;
// one Content-Length of plain digits, at most `max_body_bytes`; at most
// one Authorization; no Transfer-Encoding, Content-Encoding,
// Accept-Encoding, Range, Expect, Upgrade, or Connection but keep-alive;
// a JSON body, not NDJSON. Everything else, well formed or not, is the
// library's to answer, with its own checks.
Framed Frame(absl::string_view bytes, uint64_t max_body_bytes);

}  // namespace docket::api

#endif  // DOCKET_SERVICES_API_FRAMING_H_
