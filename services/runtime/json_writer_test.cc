#include "services/runtime/json_writer.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "docket/v1/api.pb.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/directory.pb.h"
#include "docket/v1/outcome.pb.h"
#include "docket/v1/state.pb.h"
#include "docket/v1/storage.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "services/runtime/json_codec.h"

namespace docket {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// What protobuf itself writes, the reference.
std::string ProtobufJson(const Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(message, &out, options).ok());
  return out;
}

std::string Utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xc0 | cp >> 6);
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xe0 | cp >> 12);
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    s += static_cast<char>(0xf0 | cp >> 18);
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return s;
}

TEST(JsonWriterTest, EveryCodePointIsWrittenAsProtobufWritesIt) {
  // Code points in runs of 64, each run one string, from NUL to U+10FFFF.
  v1::Actor actor;
  int compared = 0;
  for (uint32_t start = 0; start < 0x110000; start += 64) {
    std::string text;
    for (uint32_t cp = start; cp < start + 64; ++cp) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;  // Not characters.
      text += Utf8(cp);
    }
    if (text.empty()) continue;
    actor.set_id(text);
    std::string ours;
    ASSERT_TRUE(WriteCanonicalJson(actor, &ours)) << "U+" << std::hex << start;
    ASSERT_EQ(ours, ProtobufJson(actor)) << "run from U+" << std::hex << start;
    ++compared;
  }
  EXPECT_EQ(compared, 0x110000 / 64 - 0x800 / 64);
}

// A random value for every field of `message` that a coin lets in,
// recursively to `depth`: strings mixing ASCII, escapes and Chinese,
// integers at their extremes, Timestamps with each fraction length.
class RandomFiller {
 public:
  explicit RandomFiller(uint32_t seed) : random_(seed) {}

  void Fill(Message* message, int depth) {
    const Descriptor* type = message->GetDescriptor();
    const Reflection* r = message->GetReflection();
    if (type->full_name() == "google.protobuf.Timestamp") {
      r->SetInt64(message, type->FindFieldByNumber(1),
                  Pick<int64_t>({0, 1, -62135596800, 253402300799, 1790000000, -86400}));
      r->SetInt32(message, type->FindFieldByNumber(2),
                  Pick<int32_t>({0, 5000000, 123000000, 7000, 999999000, 1, 999999999}));
      return;
    }
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (field->is_map() || Coin(3)) continue;
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && depth <= 0) continue;
      const int count = field->is_repeated() ? static_cast<int>(random_() % 3) + 1 : 1;
      for (int k = 0; k < count; ++k) SetOne(message, field, depth);
    }
  }

 private:
  template <typename T>
  T Pick(std::initializer_list<T> values) {
    return values.begin()[random_() % values.size()];
  }
  bool Coin(int one_in) { return random_() % one_in == 0; }

  std::string Text() {
    static const char* const kPieces[] = {
        "C-1",         "破损",   "签收后发现外包装破损",
        "\"quoted\"",  "a\\b",   "<b>",
        "line\nbreak", "tab\t",  "\x01",
        "é",           "\u00ad", "\u2028",
        "😀",           "",       "  ",
        "\x7f",
    };
    std::string text;
    const int n = static_cast<int>(random_() % 4);
    for (int i = 0; i < n; ++i) text += kPieces[random_() % std::size(kPieces)];
    return text;
  }

  void SetOne(Message* message, const FieldDescriptor* field, int depth) {
    const Reflection* r = message->GetReflection();
    const bool repeated = field->is_repeated();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: {
        const int32_t v = Pick<int32_t>({0, 1, -1, 42, INT32_MAX, INT32_MIN});
        repeated ? r->AddInt32(message, field, v) : r->SetInt32(message, field, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        const uint32_t v = Pick<uint32_t>({0, 1, 42, UINT32_MAX});
        repeated ? r->AddUInt32(message, field, v) : r->SetUInt32(message, field, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        const int64_t v = Pick<int64_t>({0, 1, -1, 1234567890123, INT64_MAX, INT64_MIN});
        repeated ? r->AddInt64(message, field, v) : r->SetInt64(message, field, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        const uint64_t v = Pick<uint64_t>({0, 1, 42, UINT64_MAX});
        repeated ? r->AddUInt64(message, field, v) : r->SetUInt64(message, field, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        const bool v = Coin(2);
        repeated ? r->AddBool(message, field, v) : r->SetBool(message, field, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const auto* type = field->enum_type();
        const int v = type->value(static_cast<int>(random_() % type->value_count()))->number();
        repeated ? r->AddEnumValue(message, field, v) : r->SetEnumValue(message, field, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string v = Text();
        if (field->type() == FieldDescriptor::TYPE_BYTES) {
          v = std::string("\x00\xff\x10 bytes", 10).substr(0, random_() % 11);
        }
        repeated ? r->AddString(message, field, v) : r->SetString(message, field, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        Fill(repeated ? r->AddMessage(message, field) : r->MutableMessage(message, field),
             depth - 1);
        break;
      default:
        FAIL() << "docket's protos gained a " << field->cpp_type_name() << " field, "
               << field->full_name() << ": teach the writer and this test";
    }
  }

  std::mt19937 random_;
};

// Every message type of docket's proto files, nested ones included.
std::vector<const Descriptor*> DocketMessageTypes() {
  std::vector<const google::protobuf::FileDescriptor*> files = {
      v1::CaseList::descriptor()->file(), v1::CommandRecord::descriptor()->file(),
      v1::StoredEvent::descriptor()->file()};
  std::set<const google::protobuf::FileDescriptor*> seen(files.begin(), files.end());
  for (size_t i = 0; i < files.size(); ++i) {
    for (int d = 0; d < files[i]->dependency_count(); ++d) {
      if (seen.insert(files[i]->dependency(d)).second) files.push_back(files[i]->dependency(d));
    }
  }
  std::vector<const Descriptor*> types;
  std::function<void(const Descriptor*)> add = [&](const Descriptor* type) {
    if (type->options().map_entry()) return;
    types.push_back(type);
    for (int n = 0; n < type->nested_type_count(); ++n) add(type->nested_type(n));
  };
  for (const google::protobuf::FileDescriptor* file : files) {
    if (file->package() != "docket.v1") continue;
    for (int t = 0; t < file->message_type_count(); ++t) add(file->message_type(t));
  }
  return types;
}

TEST(JsonWriterTest, RandomMessagesOfEveryTypeAreWrittenAsProtobufWritesThem) {
  const std::vector<const Descriptor*> types = DocketMessageTypes();
  ASSERT_GT(types.size(), 60u);  // Commands, events, state, directory, API answers.
  int written = 0;
  for (const Descriptor* type : types) {
    const Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
    for (uint32_t seed = 0; seed < 60; ++seed) {
      std::unique_ptr<Message> message(prototype->New());
      RandomFiller(seed).Fill(message.get(), 5);
      std::string ours;
      ASSERT_TRUE(WriteCanonicalJson(*message, &ours))
          << type->full_name() << " seed " << seed << ": " << message->ShortDebugString();
      ASSERT_EQ(ours, ProtobufJson(*message)) << type->full_name() << " seed " << seed;
      ++written;
    }
  }
  EXPECT_EQ(written, 60 * static_cast<int>(types.size()));
}

TEST(JsonWriterTest, PresenceDecidesWhatIsWritten) {
  // A set oneof member and an explicitly present optional are written even
  // when empty or zero; an implicit zero is not.
  v1::Command command;
  command.set_command_id("c-1");
  command.set_expected_revision(0);
  command.mutable_acknowledge();
  command.mutable_actor();
  std::string ours;
  ASSERT_TRUE(WriteCanonicalJson(command, &ours));
  EXPECT_EQ(ours, ProtobufJson(command));
  EXPECT_NE(ours.find("\"expectedRevision\":\"0\""), std::string::npos) << ours;
  EXPECT_NE(ours.find("\"acknowledge\":{}"), std::string::npos) << ours;
}

TEST(JsonWriterTest, RefusesWhatItDoesNotWriteAndToJsonFallsBack) {
  std::string ours;

  v1::Actor invalid_utf8;
  invalid_utf8.set_id("\xc3\x28");  // A lead byte without its continuation.
  EXPECT_FALSE(WriteCanonicalJson(invalid_utf8, &ours));

  v1::CaseEvent far_future;
  far_future.mutable_occurred_at()->set_seconds(253402300800);  // Year 10000.
  EXPECT_FALSE(WriteCanonicalJson(far_future, &ours));

  v1::Rejection unnamed;
  unnamed.set_rule(static_cast<v1::Rule>(987654));
  EXPECT_FALSE(WriteCanonicalJson(unnamed, &ours));

  v1::DirectoryState with_passwords;
  with_passwords.set_revision(3);
  (*with_passwords.mutable_passwords())["E-101"].set_salt("salt");
  EXPECT_FALSE(WriteCanonicalJson(with_passwords, &ours));
  // ToJson then writes what protobuf writes.
  EXPECT_EQ(ToJson(with_passwords), ProtobufJson(with_passwords));
  EXPECT_EQ(ToJson(unnamed), ProtobufJson(unnamed));
}

}  // namespace
}  // namespace docket
