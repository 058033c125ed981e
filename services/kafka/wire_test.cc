#include "services/kafka/wire.h"

#include "engine/refusal.h"
#include "gtest/gtest.h"
#include "services/runtime/json_codec.h"

namespace docket::kafka {
namespace {

// Kafka's own vectors (org.apache.kafka.common.utils.UtilsTest#testMurmur2):
// a case lands on the partition a Java producer would pick.
TEST(KafkaWireTest, PartitionOfIsJavaMurmur2) {
  const std::pair<const char*, int32_t> vectors[] = {
      {"21", -973932308},
      {"foobar", -790332482},
      {"a-little-bit-long-string", -985981536},
      {"a-little-bit-longer-string", -1486304829},
      {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
      {"abc", 479470107},
  };
  for (const auto& [key, hash] : vectors) {
    const int32_t positive = hash & 0x7fffffff;
    EXPECT_EQ(PartitionOf(key, 6), positive % 6) << key;
    EXPECT_EQ(PartitionOf(key, 1000003), positive % 1000003) << key;
  }
}

TEST(KafkaWireTest, DecodesProtobufAndJsonAndRefusesTheRest) {
  v1::Command command;
  command.set_command_id("c-1");
  command.set_case_id("C-1");
  command.mutable_acknowledge();
  absl::StatusOr<v1::Command> decoded = DecodeCommand(command.SerializeAsString(), {});
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->command_id(), "c-1");

  decoded = DecodeCommand(R"({"commandId":"c-2","caseId":"C-2","acknowledge":{}})",
                          {{kContentTypeHeader, kJson}});
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->case_id(), "C-2");

  EXPECT_EQ(RuleOf(DecodeCommand("\xff\xfe garbage", {}).status()), v1::RULE_UNDECODABLE);
  EXPECT_EQ(RuleOf(DecodeCommand("", {}).status()), v1::RULE_UNDECODABLE);
  EXPECT_EQ(RuleOf(DecodeCommand("x", {{kContentTypeHeader, "text/plain"}}).status()),
            v1::RULE_UNDECODABLE);
  EXPECT_EQ(RuleOf(DecodeCommand(std::string(kMaxCommandBytes + 1, 'x'), {}).status()),
            v1::RULE_COMMAND_TOO_LARGE);
}

TEST(KafkaWireTest, CommandHeadersNameTheMessageAndTheBody) {
  v1::Command command;
  command.mutable_acknowledge();
  EXPECT_EQ(CommandHeaders(command), (Headers{{"docket-type", "docket.v1.Command"},
                                              {"docket-kind", "acknowledge"},
                                              {"content-type", "application/x-protobuf"}}));
}

TEST(KafkaWireTest, SourceHeadersRoundTripAndRejectForeignRecords) {
  Source source;
  source.partition = 4;
  source.offset = 1234567890123;
  source.batch_first = 1234567890000;
  source.batch_last = 1234567890200;
  source.index = 2;
  source.count = 3;
  source.command_id = "c-9";
  source.command_sha256 = std::string("\x01\xff\x00\x7f", 4);
  Source parsed;
  ASSERT_TRUE(ParseSource(SourceHeaders(source), &parsed));
  EXPECT_EQ(parsed.partition, 4);
  EXPECT_EQ(parsed.offset, 1234567890123);
  EXPECT_EQ(parsed.batch_first, 1234567890000);
  EXPECT_EQ(parsed.batch_last, 1234567890200);
  EXPECT_EQ(parsed.index, 2);
  EXPECT_EQ(parsed.count, 3);
  EXPECT_EQ(parsed.command_id, "c-9");
  EXPECT_EQ(parsed.command_sha256, source.command_sha256);

  Headers bad = SourceHeaders(source);
  bad[2].second = "4/3";  // index beyond count
  EXPECT_FALSE(ParseSource(bad, &parsed));
  bad = SourceHeaders(source);
  bad[1].second = "4:1234567890124-1234567890200";  // source outside its batch
  EXPECT_FALSE(ParseSource(bad, &parsed));
  EXPECT_FALSE(ParseSource({{kTypeHeader, "docket.v1.StoredEvent"}}, &parsed));
}

}  // namespace
}  // namespace docket::kafka
