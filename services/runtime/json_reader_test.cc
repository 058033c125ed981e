#include "services/runtime/json_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "docket/v1/commands.pb.h"
#include "engine/refusal.h"
#include "google/protobuf/stubs/common.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/runtime/json_codec.h"
#include "tests/testing/random_message.h"

namespace docket {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

// What protobuf reads, the reference: unknown fields refused, as docket
// reads commands.
bool ProtobufReads(const std::string& json, Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  return google::protobuf::util::JsonStringToMessage(json, message, options).ok();
}

// Whether `message` holds a bytes field, which the reader leaves to protobuf.
bool HoldsBytes(const Message& message) {
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->type() == FieldDescriptor::TYPE_BYTES) return true;
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const google::protobuf::Reflection* r = message.GetReflection();
    if (!field->is_repeated()) {
      if (HoldsBytes(r->GetMessage(message, field))) return true;
      continue;
    }
    for (int i = 0; i < r->FieldSize(message, field); ++i) {
      if (HoldsBytes(r->GetRepeatedMessage(message, field, i))) return true;
    }
  }
  return false;
}

// Whenever the reader says yes, protobuf says yes with the same message.
void ExpectAgreement(const Descriptor* type, const std::string& json, bool* read) {
  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  std::unique_ptr<Message> ours(prototype->New());
  std::unique_ptr<Message> theirs(prototype->New());
  *read = ReadCanonicalJson(json, ours.get());
  const bool protobuf_read = ProtobufReads(json, theirs.get());
  if (*read) {
    ASSERT_TRUE(protobuf_read) << type->full_name() << ": read what protobuf refuses: " << json;
    ASSERT_TRUE(MessageDifferencer::Equals(*ours, *theirs))
        << type->full_name() << ": " << json << "\nours:   " << ours->ShortDebugString()
        << "\ntheirs: " << theirs->ShortDebugString();
  }
}

TEST(JsonReaderTest, ReadsWhatTheWriterWritesForEveryType) {
  int read = 0, left = 0;
  for (const Descriptor* type : testing::DocketMessageTypes()) {
    const Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
    for (uint32_t seed = 0; seed < 60; ++seed) {
      std::unique_ptr<Message> original(prototype->New());
      testing::RandomMessage(seed).Fill(original.get(), 5);
      std::unique_ptr<Message> back(prototype->New());
      const std::string json = ToJson(*original);
      if (!ReadCanonicalJson(json, back.get())) {
        ASSERT_TRUE(HoldsBytes(*original)) << type->full_name() << " not read: " << json;
        ++left;
        continue;
      }
      ASSERT_TRUE(MessageDifferencer::Equals(*original, *back))
          << type->full_name() << ": " << json << "\n"
          << back->ShortDebugString();
      ++read;
    }
  }
  EXPECT_GT(read, 5 * left);  // Most hold no bytes.
}

TEST(JsonReaderTest, ReadsOtherSpellingsAsProtobufDoes) {
  const std::string kSpellings[] = {
      // Proto names for keys, space everywhere, an empty object.
      R"( { "command_id" : "c-1" , "case_id":"C-1", "acknowledge" : { } } )",
      // Integers quoted and bare, enums by number, booleans.
      R"({"commandId":"c-2","expectedRevision":7,"acknowledge":{"note":"ok"}})",
      R"({"commandId":"c-3","expectedRevision":"-9223372036854775808"})",
      R"({"commandId":"c-4","actor":{"id":"E-101","role":2}})",
      // Every escape, a surrogate pair, Chinese as it is and escaped.
      R"({"commandId":"\"\\\/\b\f\n\r\t\u00e9\u4e2d\ud83d\ude00破损"})",
      R"({"commandId":"\u0000"})",
      // Timestamps with each fraction length.
      R"({"commandId":"c-5","occurredAt":"2026-10-01T08:30:00Z"})",
      R"({"commandId":"c-6","occurredAt":"2026-10-01T08:30:00.5Z"})",
      R"({"commandId":"c-7","occurredAt":"0001-01-01T00:00:00.123456789Z"})",
      R"({"commandId":"c-8","occurredAt":"9999-12-31T23:59:59.000001Z"})",
      R"({"commandId":"c-9","occurredAt":"2024-02-29T12:00:00Z"})",
      // Arrays, empty and not.
      R"({"commandId":"c-10","accept":{"departments":[]}})",
      R"({"commandId":"c-11","accept":{"departments":["客服部", "运营部"],"facts":[1,"AGGRAVATING_FACT_UNSPECIFIED"]}})",
  };
  int read = 0;
  for (const std::string& json : kSpellings) {
    bool ours = false;
    ExpectAgreement(v1::Command::descriptor(), json, &ours);
    read += ours;
  }
  EXPECT_GE(read, 10);
}

TEST(JsonReaderTest, LeavesToProtobufWhatItDoesNotRead) {
  const std::string kLeft[] = {
      R"({"commandId":null})",
      R"({"commandId":"c-1","commandId":"c-2"})",
      R"({"acknowledge":{},"accept":{}})",
      R"({"expectedRevision":1.0})",
      R"({"expectedRevision":1e3})",
      R"({"expectedRevision":-0})",
      R"({"expectedRevision":01})",
      R"({"expectedRevision":"9223372036854775808"})",
      R"({"actor":{"role":"ROLE_NOBODY"}})",
      R"({"occurredAt":"2026-02-30T00:00:00Z"})",
      R"({"occurredAt":"2026-10-01T08:30:00+08:00"})",
      R"({"occurredAt":"2026-10-01T08:30:60Z"})",
      R"({"commandId":"\ud83d"})",
      R"({"commandId":"tab	inside"})",
      R"({"unknownField":1})",
      R"({"commandId":"c-1"} trailing)",
      R"({"commandId":"c-1",})",
      R"([])",
      "",
  };
  for (const std::string& json : kLeft) {
    v1::Command command;
    EXPECT_FALSE(ReadCanonicalJson(json, &command)) << json;
  }
}

// Bytes cut, doubled and replaced by JSON's punctuation and literals, from
// the JSON of random commands: whatever the reader still reads, protobuf
// reads the same way.
TEST(JsonReaderTest, MangledCommandsAreReadAsProtobufReadsThemOrLeftToIt) {
  static const char* const kTokens[] = {
      "null",
      ",",
      "}",
      "{",
      "[",
      "]",
      ":",
      "\"",
      "\\",
      "1.5",
      "-",
      "0",
      "01",
      "1e2",
      "true",
      "\"x\"",
      "\"commandId\":\"d\",",
      "\\u00",
      "\\ud800",
      " ",
      "\"ROLE_ADMIN\"",
      "9999999999",
      "\"acknowledge\":{},",
      "\"accept\":{\"note\":\"n\"},",
      "{\"acknowledge\":{},",
  };
  std::mt19937 random(7);
  int read = 0, refused_by_protobuf = 0;
  for (uint32_t seed = 0; seed < 4000; ++seed) {
    v1::Command command;
    testing::RandomMessage(seed).Fill(&command, 3);
    std::string json = ToJson(command);
    const int mutations = 1 + static_cast<int>(random() % 3);
    for (int m = 0; m < mutations && !json.empty(); ++m) {
      const size_t at = random() % json.size();
      switch (random() % 5) {
        case 4:  // A member first: a second oneof member, or a repeated key.
          json.insert(1, kTokens[random() % std::size(kTokens)]);
          break;
        case 0:
          json.erase(at, 1 + random() % 4);
          break;
        case 1:
          json.insert(at, json.substr(at, random() % 12));
          break;
        default:
          json.replace(at, random() % 3, kTokens[random() % std::size(kTokens)]);
      }
    }
    if (!google::protobuf::internal::IsStructurallyValidUTF8(json.data(),
                                                             static_cast<int>(json.size()))) {
      continue;
    }
    bool ours = false;
    ExpectAgreement(v1::Command::descriptor(), json, &ours);
    if (::testing::Test::HasFatalFailure()) return;
    read += ours;
    v1::Command scratch;
    refused_by_protobuf += !ProtobufReads(json, &scratch);
  }
  // Both sides were exercised: mangled text still read, and refused.
  EXPECT_GT(read, 100);
  EXPECT_GT(refused_by_protobuf, 1000);
}

TEST(JsonReaderTest, ParseCommandJsonGivesTheSameCommandEitherWay) {
  // ParseCommandJson reads with this reader, and with protobuf whatever it
  // leaves (here, a number written as a string).
  for (const std::string json : {R"({"commandId":"c-1","caseId":"C-1","acknowledge":{}})",
                                 R"({"commandId":"c-1","expectedRevision":"3"})"}) {
    absl::StatusOr<v1::Command> parsed = ParseCommandJson(json);
    v1::Command reference;
    const bool protobuf_read = ProtobufReads(json, &reference);
    ASSERT_EQ(parsed.ok(), protobuf_read) << json;
    if (parsed.ok()) EXPECT_TRUE(MessageDifferencer::Equals(*parsed, reference)) << json;
  }
}

TEST(JsonCodecTest, AFieldGivenTwiceIsRefused) {
  // Protobuf alone would take the last: the case decided on would be the
  // one a reader of the first "caseId" did not expect.
  for (const std::string json : {
           R"({"commandId":"c-1","caseId":"C-1","caseId":"C-2","acknowledge":{}})",
           R"({"commandId":"c-1","caseId":"C-1","case_id":"C-2","acknowledge":{}})",
           R"({"commandId":"c-1","caseId":"C-1","\u0063aseId":"C-2","acknowledge":{}})",
           R"({"commandId":"c-1","caseId":"C-1","acknowledge":{"note":"a", "note" : "b"}})",
       }) {
    v1::Command reference;
    ASSERT_TRUE(ProtobufReads(json, &reference)) << json;
    absl::StatusOr<v1::Command> parsed = ParseCommandJson(json);
    ASSERT_FALSE(parsed.ok()) << json;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(RuleOf(parsed.status()), v1::RULE_UNDECODABLE);
    EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("in one object")) << json;
  }
  // What protobuf reads and JSON is not: a repeat could hide in it.
  for (const std::string json : {
           R"({"commandId":"c-1","caseId":"C-1",case_id:"C-2","acknowledge":{}})",
           R"({"commandId":"c-1","caseId":"C-1",'caseId':'C-2',"acknowledge":{}})",
           R"({"commandId":"c-1","caseId":"C-1","acknowledge":{"note":'"note": x'}})",
           R"({"commandId":"c-1","caseId":"C-1","acknowledge":{},})",
           "{\"commandId\":\"c-1\",\"caseId\":\"C-1\",\"acknowledge\":{\"note\":\"a\tb\"}}",
       }) {
    v1::Command reference;
    ASSERT_TRUE(ProtobufReads(json, &reference)) << json;
    absl::StatusOr<v1::Command> parsed = ParseCommandJson(json);
    ASSERT_FALSE(parsed.ok()) << json;
    EXPECT_EQ(RuleOf(parsed.status()), v1::RULE_UNDECODABLE);
    EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("JSON")) << json;
  }
  // The same name in two objects, or as a string value, is no repeat.
  for (
      const std::string json : {
          R"({"commandId":"c-1","caseId":"C-1","acknowledge":{"note":"caseId\\\" {'x', [}"}})",
          R"( { "commandId" : "c-1" , "caseId" : "C-1" , "acknowledge" : { } } )",
          R"({"commandId":"c-1","caseId":"C-2","openCase":{"intake":{"link":{"caseId":"C-1"}}}})",
          R"({"commandId":"c-1","caseId":"C-1","classify":{"facts":["AGGRAVATING_FACT_MEDIA_WARNING"]}})",
      }) {
    v1::Command reference;
    ASSERT_TRUE(ProtobufReads(json, &reference)) << json;
    EXPECT_TRUE(ParseCommandJson(json).ok()) << json;
  }
}

// The check above takes two names for one field when FieldNameKey makes
// them equal: no two fields of a message a command holds may share a key, or
// a command giving both would be refused.
TEST(JsonCodecTest, NoTwoFieldsOfACommandShareANameKey) {
  std::set<const google::protobuf::Descriptor*> seen;
  std::vector<const google::protobuf::Descriptor*> todo = {v1::Command::descriptor()};
  while (!todo.empty()) {
    const google::protobuf::Descriptor* d = todo.back();
    todo.pop_back();
    if (!seen.insert(d).second) continue;
    std::map<std::string, std::string> keys;
    for (int i = 0; i < d->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* f = d->field(i);
      EXPECT_EQ(FieldNameKey(f->json_name()), FieldNameKey(f->name())) << f->full_name();
      auto [it, added] = keys.emplace(FieldNameKey(f->name()), f->name());
      EXPECT_TRUE(added) << d->full_name() << ": " << it->second << " and " << f->name();
      if (f->message_type() != nullptr) todo.push_back(f->message_type());
    }
  }
  EXPECT_GT(seen.size(), 30u);
}

}  // namespace
}  // namespace docket
