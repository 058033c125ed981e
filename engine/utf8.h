#ifndef DOCKET_ENGINE_UTF8_H_
#define DOCKET_ENGINE_UTF8_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace docket {

// Decodes the code point of `s` at `*at` and advances `*at` past it;
// nullopt (and `*at` unchanged) for a malformed sequence: a stray
// continuation byte, an overlong form, a surrogate, beyond U+10FFFF, or
// cut short. REQUIRES: *at < s.size().
std::optional<char32_t> NextCodePoint(absl::string_view s, size_t* at);

// Appends `cp` (a code point, not a surrogate) in UTF-8.
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace docket

#endif  // DOCKET_ENGINE_UTF8_H_
