#include "services/runtime/json_writer.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/utf8.h"
#include "google/protobuf/descriptor.h"

namespace docket {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The code points protobuf's JSON writer escapes beyond ASCII: C1 controls
// and the Unicode formatting characters (soft hyphen, bidi marks, zero
// widths, tags and the like), as [first, last] ranges.
constexpr uint32_t kEscapedRanges[][2] = {
    {0x80, 0x9f},     {0xad, 0xad},     {0x600, 0x603},     {0x6dd, 0x6dd},     {0x70f, 0x70f},
    {0x17b4, 0x17b5}, {0x200b, 0x200f}, {0x2028, 0x202e},   {0x2060, 0x2064},   {0x206a, 0x206f},
    {0xfeff, 0xfeff}, {0xfff9, 0xfffb}, {0x1d173, 0x1d17a}, {0xe0001, 0xe0001}, {0xe0020, 0xe007f},
};

bool Escaped(uint32_t code_point) {
  for (const auto& [first, last] : kEscapedRanges) {
    if (code_point >= first && code_point <= last) return true;
  }
  return false;
}

void AppendUnicodeEscape(uint32_t unit, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char escape[6] = {'\\',
                          'u',
                          kHex[(unit >> 12) & 0xf],
                          kHex[(unit >> 8) & 0xf],
                          kHex[(unit >> 4) & 0xf],
                          kHex[unit & 0xf]};
  out->append(escape, sizeof(escape));
}

bool AppendString(absl::string_view text, std::string* out) {
  out->push_back('"');
  size_t at = 0;
  while (at < text.size()) {
    // Runs of plain ASCII are copied as they are.
    size_t plain = at;
    while (plain < text.size()) {
      const uint8_t c = static_cast<uint8_t>(text[plain]);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>') break;
      ++plain;
    }
    out->append(text.data() + at, plain - at);
    at = plain;
    if (at == text.size()) break;
    const uint8_t c = static_cast<uint8_t>(text[at]);
    if (c < 0x80) {
      ++at;
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\f':
          out->append("\\f");
          break;
        case '\r':
          out->append("\\r");
          break;
        default:  // Other controls, DEL, < and >.
          AppendUnicodeEscape(c, out);
      }
      continue;
    }
    const size_t start = at;
    const std::optional<char32_t> code_point = NextCodePoint(text, &at);
    if (!code_point) return false;
    if (!Escaped(*code_point)) {
      out->append(text.data() + start, at - start);
    } else if (*code_point < 0x10000) {
      AppendUnicodeEscape(*code_point, out);
    } else {
      const uint32_t offset = *code_point - 0x10000;
      AppendUnicodeEscape(0xd800 + (offset >> 10), out);
      AppendUnicodeEscape(0xdc00 + (offset & 0x3ff), out);
    }
  }
  out->push_back('"');
  return true;
}

void AppendDigits(int64_t value, int width, std::string* out) {
  char digits[9];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(digits, width);
}

// RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as protobuf writes
// a Timestamp.
bool AppendTimestamp(const Message& message, std::string* out) {
  const Descriptor* type = message.GetDescriptor();
  const Reflection* r = message.GetReflection();
  const FieldDescriptor* seconds_field = type->FindFieldByNumber(1);
  const FieldDescriptor* nanos_field = type->FindFieldByNumber(2);
  if (seconds_field == nullptr || nanos_field == nullptr ||
      seconds_field->cpp_type() != FieldDescriptor::CPPTYPE_INT64 ||
      nanos_field->cpp_type() != FieldDescriptor::CPPTYPE_INT32) {
    return false;
  }
  const int64_t seconds = r->GetInt64(message, seconds_field);
  const int32_t nanos = r->GetInt32(message, nanos_field);
  constexpr int64_t kFirst = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kLast = 253402300799;   // 9999-12-31T23:59:59Z
  if (seconds < kFirst || seconds > kLast || nanos < 0 || nanos > 999999999) {
    return false;
  }
  const absl::CivilSecond civil =
      absl::ToCivilSecond(absl::FromUnixSeconds(seconds), absl::UTCTimeZone());
  out->push_back('"');
  AppendDigits(civil.year(), 4, out);
  out->push_back('-');
  AppendDigits(civil.month(), 2, out);
  out->push_back('-');
  AppendDigits(civil.day(), 2, out);
  out->push_back('T');
  AppendDigits(civil.hour(), 2, out);
  out->push_back(':');
  AppendDigits(civil.minute(), 2, out);
  out->push_back(':');
  AppendDigits(civil.second(), 2, out);
  if (nanos != 0) {
    out->push_back('.');
    if (nanos % 1000000 == 0) {
      AppendDigits(nanos / 1000000, 3, out);
    } else if (nanos % 1000 == 0) {
      AppendDigits(nanos / 1000, 6, out);
    } else {
      AppendDigits(nanos, 9, out);
    }
  }
  out->append("Z\"");
  return true;
}

bool AppendMessage(const Message& message, std::string* out);

// One value of `field` (element `index` when repeated, else -1).
bool AppendValue(const Message& message, const FieldDescriptor* field, int index,
                 std::string* out) {
  const Reflection* r = message.GetReflection();
  const bool repeated = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(
          out, repeated ? r->GetRepeatedInt32(message, field, index) : r->GetInt32(message, field));
      return true;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(out, repeated ? r->GetRepeatedUInt32(message, field, index)
                                    : r->GetUInt32(message, field));
      return true;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(
          out, "\"",
          repeated ? r->GetRepeatedInt64(message, field, index) : r->GetInt64(message, field),
          "\"");
      return true;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(
          out, "\"",
          repeated ? r->GetRepeatedUInt64(message, field, index) : r->GetUInt64(message, field),
          "\"");
      return true;
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append(
          (repeated ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field))
              ? "true"
              : "false");
      return true;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = repeated ? r->GetRepeatedEnumValue(message, field, index)
                                  : r->GetEnumValue(message, field);
      const google::protobuf::EnumValueDescriptor* value =
          field->enum_type()->FindValueByNumber(number);
      if (value == nullptr) return false;
      absl::StrAppend(out, "\"", value->name(), "\"");
      return true;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& text = repeated
                                    ? r->GetRepeatedStringReference(message, field, index, &scratch)
                                    : r->GetStringReference(message, field, &scratch);
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        absl::StrAppend(out, "\"", absl::Base64Escape(text), "\"");
        return true;
      }
      return AppendString(text, out);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return AppendMessage(
          repeated ? r->GetRepeatedMessage(message, field, index) : r->GetMessage(message, field),
          out);
    default:  // Floating point: protobuf's own number formatting.
      return false;
  }
}

bool AppendMessage(const Message& message, std::string* out) {
  const Descriptor* type = message.GetDescriptor();
  if (type->file()->package() == "google.protobuf") {
    if (type->full_name() != "google.protobuf.Timestamp") return false;
    return AppendTimestamp(message, out);
  }
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  out->push_back('{');
  bool first = true;
  for (const FieldDescriptor* field : fields) {
    if (field->is_map() || field->is_extension()) return false;
    if (!first) out->push_back(',');
    first = false;
    absl::StrAppend(out, "\"", field->json_name(), "\":");
    if (!field->is_repeated()) {
      if (!AppendValue(message, field, -1, out)) return false;
      continue;
    }
    out->push_back('[');
    const int size = message.GetReflection()->FieldSize(message, field);
    for (int i = 0; i < size; ++i) {
      if (i > 0) out->push_back(',');
      if (!AppendValue(message, field, i, out)) return false;
    }
    out->push_back(']');
  }
  out->push_back('}');
  return true;
}

}  // namespace

bool WriteCanonicalJson(const Message& message, std::string* out) {
  out->clear();
  return AppendMessage(message, out);
}

}  // namespace docket
