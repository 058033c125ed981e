#include "services/runtime/json_reader.h"

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
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

// Deeper nesting than any docket message has is left to protobuf.
constexpr int kMaxDepth = 32;

// The field a JSON key names: by its JSON name (lowerCamelCase) or its
// proto name, as protobuf accepts both.
const FieldDescriptor* FieldNamed(const Descriptor* type, const std::string& key) {
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->json_name() == key || field->name() == key) return field;
  }
  return nullptr;
}

// One pass over the text; every Read* returns false to give up, leaving
// the verdict to protobuf.
class Reader {
 public:
  explicit Reader(absl::string_view json)
      : begin_(json.data()), at_(json.data()), end_(json.data() + json.size()) {}

  // How far the reader has read.
  size_t offset() const { return static_cast<size_t>(at_ - begin_); }

  // A JSON string, unescaped into *out.
  bool ReadString(std::string* out) {
    if (!Consume('"')) return false;
    out->clear();
    while (true) {
      const char* plain = at_;
      while (at_ < end_ && *at_ != '"' && *at_ != '\\' && static_cast<uint8_t>(*at_) >= 0x20) {
        ++at_;
      }
      out->append(plain, at_ - plain);
      if (at_ == end_ || static_cast<uint8_t>(*at_) < 0x20) return false;
      if (*at_++ == '"') return true;
      if (at_ == end_) return false;
      switch (*at_++) {
        case '"':
          out->push_back('"');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '/':
          out->push_back('/');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t unit;
          if (!ReadHex4(&unit)) return false;
          if (unit >= 0xdc00 && unit <= 0xdfff) return false;  // A lone low surrogate.
          if (unit >= 0xd800 && unit <= 0xdbff) {
            uint32_t low;
            if (end_ - at_ < 6 || at_[0] != '\\' || at_[1] != 'u') return false;
            at_ += 2;
            if (!ReadHex4(&low) || low < 0xdc00 || low > 0xdfff) return false;
            unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
          }
          AppendUtf8(unit, out);
          break;
        }
        default:
          return false;
      }
    }
  }

  bool ReadDocument(Message* message) {
    if (!ReadObject(message, 0)) return false;
    SkipSpace();
    return at_ == end_;
  }

 private:
  void SkipSpace() {
    while (at_ < end_ && (*at_ == ' ' || *at_ == '\t' || *at_ == '\n' || *at_ == '\r')) ++at_;
  }

  // Skips space, then consumes `c` if it comes next.
  bool Consume(char c) {
    SkipSpace();
    if (at_ < end_ && *at_ == c) {
      ++at_;
      return true;
    }
    return false;
  }

  bool Peek(char c) {
    SkipSpace();
    return at_ < end_ && *at_ == c;
  }

  bool ReadHex4(uint32_t* unit) {
    if (end_ - at_ < 4) return false;
    *unit = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = *at_++;
      *unit <<= 4;
      if (c >= '0' && c <= '9') {
        *unit |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        *unit |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        *unit |= c - 'A' + 10;
      } else {
        return false;
      }
    }
    return true;
  }

  // A JSON integer (no fraction, no exponent, no leading zero, no "-0"),
  // bare or quoted, within [min, max].
  template <typename T>
  bool ReadInteger(T* value) {
    SkipSpace();
    const bool quoted = at_ < end_ && *at_ == '"';
    if (quoted) ++at_;
    const bool negative = at_ < end_ && *at_ == '-';
    if (negative) ++at_;
    if (at_ == end_ || *at_ < '0' || *at_ > '9') return false;
    if (*at_ == '0' && (negative || (at_ + 1 < end_ && at_[1] >= '0' && at_[1] <= '9'))) {
      return false;
    }
    // Magnitudes up to 2^64 - 1, then the sign and T's range.
    uint64_t magnitude = 0;
    while (at_ < end_ && *at_ >= '0' && *at_ <= '9') {
      const uint64_t digit = *at_++ - '0';
      if (magnitude > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
      magnitude = magnitude * 10 + digit;
    }
    if (at_ < end_ && (*at_ == '.' || *at_ == 'e' || *at_ == 'E')) return false;
    if (quoted && (at_ == end_ || *at_++ != '"')) return false;
    if (negative) {
      if (!std::numeric_limits<T>::is_signed) return false;
      const uint64_t limit = static_cast<uint64_t>(std::numeric_limits<T>::max()) + 1;
      if (magnitude > limit) return false;
      *value = magnitude == limit ? std::numeric_limits<T>::min()
                                  : -static_cast<T>(static_cast<int64_t>(magnitude));
      return true;
    }
    if (magnitude > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
    *value = static_cast<T>(magnitude);
    return true;
  }

  bool ReadLiteral(absl::string_view word) {
    SkipSpace();
    if (static_cast<size_t>(end_ - at_) < word.size() ||
        absl::string_view(at_, word.size()) != word) {
      return false;
    }
    at_ += word.size();
    return true;
  }

  // "YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z", a real date and time in years 1-9999.
  bool ReadTimestamp(Message* timestamp) {
    std::string text;
    if (!ReadString(&text)) return false;
    const auto digits = [&](size_t from, size_t count, int* out) {
      if (from + count > text.size()) return false;
      *out = 0;
      for (size_t i = from; i < from + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        *out = *out * 10 + (text[i] - '0');
      }
      return true;
    };
    int year, month, day, hour, minute, second;
    if (text.size() < 20 || !digits(0, 4, &year) || text[4] != '-' || !digits(5, 2, &month) ||
        text[7] != '-' || !digits(8, 2, &day) || text[10] != 'T' || !digits(11, 2, &hour) ||
        text[13] != ':' || !digits(14, 2, &minute) || text[16] != ':' || !digits(17, 2, &second) ||
        text.back() != 'Z') {
      return false;
    }
    int32_t nanos = 0;
    if (text.size() > 20) {
      const size_t fraction = text.size() - 21;  // Between '.' and 'Z'.
      int value;
      if (text[19] != '.' || fraction < 1 || fraction > 9 || !digits(20, fraction, &value)) {
        return false;
      }
      nanos = value;
      for (size_t i = fraction; i < 9; ++i) nanos *= 10;
    }
    const absl::CivilSecond civil(year, month, day, hour, minute, second);
    if (year < 1 || civil.year() != year || civil.month() != month || civil.day() != day ||
        civil.hour() != hour || civil.minute() != minute || civil.second() != second) {
      return false;
    }
    const Descriptor* type = timestamp->GetDescriptor();
    const Reflection* r = timestamp->GetReflection();
    r->SetInt64(timestamp, type->FindFieldByNumber(1),
                absl::ToUnixSeconds(absl::FromCivil(civil, absl::UTCTimeZone())));
    r->SetInt32(timestamp, type->FindFieldByNumber(2), nanos);
    return true;
  }

  // One value of `field`: its element, when `field` is repeated.
  bool ReadValue(Message* message, const FieldDescriptor* field, int depth) {
    const Reflection* r = message->GetReflection();
    const bool repeated = field->is_repeated();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: {
        int32_t v;
        if (!ReadInteger(&v)) return false;
        repeated ? r->AddInt32(message, field, v) : r->SetInt32(message, field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t v;
        if (!ReadInteger(&v)) return false;
        repeated ? r->AddUInt32(message, field, v) : r->SetUInt32(message, field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t v;
        if (!ReadInteger(&v)) return false;
        repeated ? r->AddInt64(message, field, v) : r->SetInt64(message, field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v;
        if (!ReadInteger(&v)) return false;
        repeated ? r->AddUInt64(message, field, v) : r->SetUInt64(message, field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        bool v;
        if (ReadLiteral("true")) {
          v = true;
        } else if (ReadLiteral("false")) {
          v = false;
        } else {
          return false;
        }
        repeated ? r->AddBool(message, field, v) : r->SetBool(message, field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const google::protobuf::EnumValueDescriptor* value;
        if (Peek('"')) {
          std::string name;
          if (!ReadString(&name)) return false;
          value = field->enum_type()->FindValueByName(name);
        } else {
          int32_t number;
          if (!ReadInteger(&number)) return false;
          value = field->enum_type()->FindValueByNumber(number);
        }
        if (value == nullptr) return false;
        repeated ? r->AddEnumValue(message, field, value->number())
                 : r->SetEnumValue(message, field, value->number());
        return true;
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        if (field->type() == FieldDescriptor::TYPE_BYTES) return false;
        std::string v;
        if (!ReadString(&v)) return false;
        repeated ? r->AddString(message, field, std::move(v))
                 : r->SetString(message, field, std::move(v));
        return true;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* child =
            repeated ? r->AddMessage(message, field) : r->MutableMessage(message, field);
        if (field->message_type()->full_name() == "google.protobuf.Timestamp") {
          return ReadTimestamp(child);
        }
        return ReadObject(child, depth + 1);
      }
      default:  // Floating point.
        return false;
    }
  }

  bool ReadObject(Message* message, int depth) {
    const Descriptor* type = message->GetDescriptor();
    if (depth > kMaxDepth || type->file()->package() == "google.protobuf") return false;
    if (!Consume('{')) return false;
    if (Consume('}')) return true;
    const Reflection* r = message->GetReflection();
    uint64_t seen_low = 0;  // Field indexes below 64 already read.
    std::string key;
    do {
      if (!ReadString(&key) || !Consume(':')) return false;
      const FieldDescriptor* field = FieldNamed(type, key);
      if (field == nullptr || field->is_map() || field->index() >= 64) return false;
      const uint64_t bit = uint64_t{1} << field->index();
      if ((seen_low & bit) != 0) return false;
      seen_low |= bit;
      if (field->containing_oneof() != nullptr &&
          r->HasOneof(*message, field->containing_oneof())) {
        return false;
      }
      if (!field->is_repeated()) {
        if (!ReadValue(message, field, depth)) return false;
        continue;
      }
      if (!Consume('[')) return false;
      if (Consume(']')) continue;
      do {
        if (!ReadValue(message, field, depth)) return false;
      } while (Consume(','));
      if (!Consume(']')) return false;
    } while (Consume(','));
    return Consume('}');
  }

  const char* const begin_;
  const char* at_;
  const char* const end_;
};

}  // namespace

std::string FieldNameKey(absl::string_view name) {
  std::string key;
  for (char c : name) {
    if (c != '_') key.push_back(absl::ascii_tolower(c));
  }
  return key;
}

std::optional<std::string> NotStrictJson(absl::string_view json) {
  // Per open object, the names read in it so far; an array, none.
  std::vector<std::optional<std::map<std::string, std::string>>> open;
  char previous = 0;  // The last character outside strings and spaces.
  for (size_t i = 0; i < json.size();) {
    const char c = json[i];
    if (absl::ascii_isspace(c)) {
      ++i;
      continue;
    }
    const bool in_object = !open.empty() && open.back().has_value();
    // Protobuf also reads a bare or single-quoted name and a trailing comma
    // (ECMAScript's leniency): a name this scan cannot see could repeat one.
    if (c == '\'') return "a string in single quotes is not JSON";
    if (previous == ',' && (c == '}' || c == ']')) return "a comma before the end is not JSON";
    if (in_object && (previous == '{' || previous == ',') && c != '"' && c != '}') {
      return "an object's member names must be strings in double quotes";
    }
    previous = c;
    if (c == '{') {
      open.emplace_back(std::map<std::string, std::string>());
    } else if (c == '[') {
      open.emplace_back(std::nullopt);
    } else if ((c == '}' || c == ']') && !open.empty()) {
      open.pop_back();
    } else if (c == '"') {
      Reader reader(json.substr(i));
      std::string name;
      if (!reader.ReadString(&name)) return "a string strict JSON does not allow";
      i += reader.offset();
      size_t next = i;
      while (next < json.size() && absl::ascii_isspace(json[next])) ++next;
      // A member's name: a string in an object, before its colon.
      if (next < json.size() && json[next] == ':' && in_object) {
        auto [it, added] = open.back()->emplace(FieldNameKey(name), name);
        if (!added) {
          return it->second == name ? absl::StrCat("\"", name, "\" is given twice in one object")
                                    : absl::StrCat("\"", it->second, "\" and \"", name,
                                                   "\" name the same field in one object");
        }
      }
      continue;
    }
    ++i;
  }
  return std::nullopt;
}

bool ReadCanonicalJson(absl::string_view json, Message* message) {
  message->Clear();
  return Reader(json).ReadDocument(message);
}

}  // namespace docket
