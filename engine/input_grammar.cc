#include "engine/input_grammar.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "docket/v1/options.pb.h"
#include "engine/refusal.h"
#include "engine/utf8.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/timestamp.pb.h"

namespace docket {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The deadline scanner's, and docketd's sessions' (issued and ended).
constexpr absl::string_view kReservedPrefixes[] = {"deadline:", "appeal:", "session:", "logout:"};
// 9999-12-31T23:59:59Z.
constexpr int64_t kMaxTimestampSeconds = 253402300799;

// Control (C0, DEL, C1), bidirectional controls, zero-width and other
// format characters, line and paragraph separators, non-characters.
bool IsInvisibleOrControl(char32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return true;
  if (cp == 0x00AD || cp == 0x061C || cp == 0x180E) return true;
  if (cp >= 0x200B && cp <= 0x200F) return true;  // Zero-width, LRM, RLM.
  if (cp >= 0x2028 && cp <= 0x202E) return true;  // Separators, LRE..RLO.
  if (cp >= 0x2060 && cp <= 0x206F) return true;  // Word joiner, LRI..PDI, deprecated formats.
  if (cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB)) return true;
  if ((cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF)) return true;
  return false;
}

bool IsWhitespace(char32_t cp) {
  return cp == ' ' || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Whether a string field names something (a key or a report dimension).
bool NamesSomething(const FieldDescriptor& field) {
  const std::string& name = field.name();
  return name == "id" || absl::EndsWith(name, "_id") || absl::EndsWith(name, "branch") ||
         name == "waybill" || name == "investigator" || absl::EndsWith(name, "_employee");
}

absl::Status Malformed(absl::string_view path, absl::string_view why) {
  return RefuseMalformed(absl::StrCat("field ", path, ": ", why));
}

absl::Status CheckText(absl::string_view path, absl::string_view text) {
  for (size_t at = 0; at < text.size();) {
    std::optional<char32_t> cp = NextCodePoint(text, &at);
    if (!cp.has_value()) return Malformed(path, "is not valid UTF-8");
    if (*cp != '\n' && *cp != '\t' && *cp != '\r' && (*cp < 0x20 || *cp == 0x7F)) {
      return Malformed(path, "holds a control character");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckMessage(const Message& message, const std::string& prefix);

absl::Status CheckTimestamp(const Message& message, absl::string_view path) {
  const auto* ts = google::protobuf::DynamicCastToGenerated<google::protobuf::Timestamp>(&message);
  if (ts == nullptr) return absl::OkStatus();
  if (ts->seconds() < 0 || ts->seconds() > kMaxTimestampSeconds || ts->nanos() < 0 ||
      ts->nanos() > 999999999) {
    return Malformed(path, "is not a time between 1970 and 9999");
  }
  return absl::OkStatus();
}

absl::Status CheckValue(const Message& message, const FieldDescriptor& field, int index,
                        const std::string& path) {
  const Reflection& r = *message.GetReflection();
  const bool repeated = field.is_repeated();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      if (field.type() == FieldDescriptor::TYPE_BYTES) return absl::OkStatus();
      std::string scratch;
      const std::string& value =
          repeated ? r.GetRepeatedStringReference(message, &field, index, &scratch)
                   : r.GetStringReference(message, &field, &scratch);
      // A command id has its own grammar, longer than a name's: the
      // scanner derives its ids from the case's (IsValidCommandId).
      if (field.name() == "command_id") {
        if (!value.empty() && !IsValidCommandId(value)) {
          return Malformed(path, absl::StrCat("must be 1 to ", kMaxCommandIdLength,
                                              " printable ASCII characters without spaces or '/'"));
        }
        return CheckText(path, value);
      }
      if (NamesSomething(field) && !value.empty() && !IsValidKey(value)) {
        return Malformed(path, absl::StrCat("must be 1 to ", kMaxKeyCodePoints,
                                            " printable characters without spaces, '/', control "
                                            "or bidirectional characters"));
      }
      return CheckText(path, value);
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = repeated ? r.GetRepeatedEnumValue(message, &field, index)
                                  : r.GetEnumValue(message, &field);
      if (field.enum_type()->FindValueByNumber(number) == nullptr) {
        return Malformed(
            path, absl::StrCat(number, " is not a value of ", field.enum_type()->full_name()));
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      const int32_t v =
          repeated ? r.GetRepeatedInt32(message, &field, index) : r.GetInt32(message, &field);
      if (v < 0) return Malformed(path, "must not be negative");
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      const int64_t v =
          repeated ? r.GetRepeatedInt64(message, &field, index) : r.GetInt64(message, &field);
      if (v < 0) return Malformed(path, "must not be negative");
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& child =
          repeated ? r.GetRepeatedMessage(message, &field, index) : r.GetMessage(message, &field);
      return CheckMessage(child, path);
    }
    default:
      return absl::OkStatus();
  }
}

absl::Status CheckMessage(const Message& message, const std::string& prefix) {
  if (message.GetDescriptor()->full_name() == "google.protobuf.Timestamp") {
    return CheckTimestamp(message, prefix);
  }
  const Reflection& r = *message.GetReflection();
  if (!r.GetUnknownFields(message).empty()) {
    return Malformed(prefix.empty() ? "(the command)" : prefix,
                     "holds fields this schema does not define");
  }
  std::vector<const FieldDescriptor*> fields;
  r.ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string path =
        prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
    if (field->is_map()) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < r.FieldSize(message, field); ++i) {
        absl::Status s = CheckValue(message, *field, i, absl::StrCat(path, "[", i, "]"));
        if (!s.ok()) return s;
      }
    } else {
      absl::Status s = CheckValue(message, *field, -1, path);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidCaseId(absl::string_view id) {
  // A regulator appeal is its case's id and "-APPEAL", as the scanner
  // names it, and may pass the bound by as much (not twice: an appeal is
  // not appealed).
  if (id.size() > kMaxCaseIdLength) absl::ConsumeSuffix(&id, kAppealSuffix);
  if (id.empty() || id.size() > kMaxCaseIdLength || !absl::ascii_isalnum(id[0])) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool IsValidCommandId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxCommandIdLength) return false;
  for (char c : id) {
    if (c <= ' ' || c > '~' || c == '/') return false;
  }
  return true;
}

bool IsReservedCommandId(absl::string_view id) {
  for (absl::string_view prefix : kReservedPrefixes) {
    if (absl::StartsWith(id, prefix)) return true;
  }
  return false;
}

bool IsSha256Hex(absl::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

bool IsValidUri(absl::string_view uri) {
  if (uri.empty() || uri.size() > kMaxUriBytes) return false;
  for (size_t at = 0; at < uri.size();) {
    std::optional<char32_t> cp = NextCodePoint(uri, &at);
    if (!cp.has_value() || IsInvisibleOrControl(*cp) || IsWhitespace(*cp)) return false;
  }
  return true;
}

bool IsValidKey(absl::string_view key) {
  if (key.empty() || key.size() > 4 * kMaxKeyCodePoints) return false;
  size_t count = 0;
  for (size_t at = 0; at < key.size();) {
    std::optional<char32_t> cp = NextCodePoint(key, &at);
    if (!cp.has_value() || IsInvisibleOrControl(*cp) || IsWhitespace(*cp) || *cp == '/') {
      return false;
    }
    if (++count > kMaxKeyCodePoints) return false;
  }
  return true;
}

absl::Status CheckInputGrammar(const google::protobuf::Message& message) {
  return CheckMessage(message, "");
}

absl::Status CheckRequiredFields(const google::protobuf::Message& body, absl::string_view path,
                                 absl::string_view who) {
  const Reflection& r = *body.GetReflection();
  const google::protobuf::Descriptor& type = *body.GetDescriptor();
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& field = *type.field(i);
    // A proto3 scalar "has" a value other than its default (an enum's
    // UNSPECIFIED, zero, the empty string).
    const bool set = field.is_repeated() ? r.FieldSize(body, &field) > 0 : r.HasField(body, &field);
    if (!set && field.options().GetExtension(v1::required)) {
      return RefuseMalformed(absl::StrCat(who, ": ", path, ".", field.name(), " is required"));
    }
    // The path is built only for a message the step holds (every decision
    // calls this).
    if (set && !field.is_repeated() && field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      absl::Status inner = CheckRequiredFields(r.GetMessage(body, &field),
                                               absl::StrCat(path, ".", field.name()), who);
      if (!inner.ok()) return inner;
    }
  }
  return absl::OkStatus();
}

std::string SafeText(absl::string_view text, size_t max_bytes) {
  std::string out;
  for (size_t at = 0; at < text.size() && out.size() < max_bytes;) {
    const size_t start = at;
    std::optional<char32_t> cp = NextCodePoint(text, &at);
    if (!cp.has_value()) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      at = start + 1;
    } else if (IsInvisibleOrControl(*cp)) {
      absl::StrAppend(&out, absl::StrFormat("\\u{%04X}", static_cast<uint32_t>(*cp)));
    } else {
      out.append(text.data() + start, at - start);
    }
  }
  return out;
}

}  // namespace docket
