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
#include "engine/utf8.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "services/runtime/json_codec.h"
#include "tests/testing/random_message.h"

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

TEST(JsonWriterTest, EveryCodePointIsWrittenAsProtobufWritesIt) {
  // Code points in runs of 64, each run one string, from NUL to U+10FFFF.
  v1::Actor actor;
  int compared = 0;
  for (uint32_t start = 0; start < 0x110000; start += 64) {
    std::string text;
    for (uint32_t cp = start; cp < start + 64; ++cp) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;  // Not characters.
      AppendUtf8(cp, &text);
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

TEST(JsonWriterTest, RandomMessagesOfEveryTypeAreWrittenAsProtobufWritesThem) {
  const std::vector<const Descriptor*> types = testing::DocketMessageTypes();
  ASSERT_GT(types.size(), 60u);  // Commands, events, state, directory, API answers.
  int written = 0;
  for (const Descriptor* type : types) {
    const Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
    for (uint32_t seed = 0; seed < 60; ++seed) {
      std::unique_ptr<Message> message(prototype->New());
      testing::RandomMessage(seed).Fill(message.get(), 5);
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
