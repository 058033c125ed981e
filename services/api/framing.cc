#include "services/api/framing.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace docket::api {
namespace {

constexpr absl::string_view kRequestLine = "POST /v1/commands HTTP/1.1\r\n";
constexpr size_t kMaxFields = 100;
// A head longer than this is the library's (its limit for one line).
constexpr size_t kMaxHead = 8 << 10;

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("!#$%&'*+-.^_`|~").find(c) != absl::string_view::npos;
}

bool IsFieldValue(absl::string_view value) {
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u >= 0x7f) return false;
  }
  return true;
}

// Optional whitespace around a field's value: spaces and tabs (RFC 9110).
absl::string_view StripSpaces(absl::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

}  // namespace

Framed Frame(absl::string_view bytes, uint64_t max_body_bytes) {
  Framed framed;
  const auto hand_off = [&framed] {
    framed.kind = Framed::Kind::kHandOff;
    return framed;
  };
  const size_t line = std::min(bytes.size(), kRequestLine.size());
  if (bytes.substr(0, line) != kRequestLine.substr(0, line)) return hand_off();
  const size_t end = bytes.substr(0, kMaxHead).find("\r\n\r\n");
  if (end == absl::string_view::npos) {
    if (bytes.size() >= kMaxHead) return hand_off();
    return framed;  // Incomplete.
  }
  framed.head_bytes = end + 4;
  absl::string_view fields = bytes.substr(kRequestLine.size(), end + 2 - kRequestLine.size());
  int lengths = 0, authorizations = 0;
  uint64_t length = 0;
  while (!fields.empty()) {
    const size_t eol = fields.find("\r\n");
    absl::string_view field = fields.substr(0, eol);
    fields.remove_prefix(eol + 2);
    const size_t colon = field.find(':');
    if (colon == 0 || colon == absl::string_view::npos || framed.headers.size() >= kMaxFields) {
      return hand_off();
    }
    absl::string_view name = field.substr(0, colon);
    absl::string_view value = StripSpaces(field.substr(colon + 1));
    for (char c : name) {
      if (!IsTokenChar(c)) return hand_off();
    }
    // The library decodes a percent-encoded value; the front would not.
    if (!IsFieldValue(value) || absl::StrContains(value, '%')) return hand_off();
    if (absl::EqualsIgnoreCase(name, "Content-Length")) {
      ++lengths;
      if (value.empty() || value.size() > 9 ||
          !std::all_of(value.begin(), value.end(),
                       [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }) ||
          !absl::SimpleAtoi(value, &length) || length > max_body_bytes) {
        return hand_off();
      }
    } else if (absl::EqualsIgnoreCase(name, "Authorization")) {
      ++authorizations;
    } else if (absl::EqualsIgnoreCase(name, "Transfer-Encoding") ||
               // The library inflates a body, compresses an answer, cuts
               // one to ranges.
               absl::EqualsIgnoreCase(name, "Content-Encoding") ||
               absl::EqualsIgnoreCase(name, "Accept-Encoding") ||
               absl::EqualsIgnoreCase(name, "Range") || absl::EqualsIgnoreCase(name, "Expect") ||
               absl::EqualsIgnoreCase(name, "Upgrade") ||
               (absl::EqualsIgnoreCase(name, "Connection") &&
                !absl::EqualsIgnoreCase(value, "keep-alive")) ||
               (absl::EqualsIgnoreCase(name, "Content-Type") &&
                absl::StartsWithIgnoreCase(value, "application/x-ndjson"))) {
      return hand_off();
    }
    framed.headers.emplace_back(std::string(name), std::string(value));
  }
  if (lengths != 1 || authorizations > 1) return hand_off();
  framed.body_bytes = length;
  if (bytes.size() < framed.head_bytes + length) return framed;  // Incomplete.
  framed.kind = Framed::Kind::kServe;
  return framed;
}

}  // namespace docket::api
