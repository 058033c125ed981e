// docket on Kafka, end to end, against librdkafka's mock cluster on
// loopback: docketd and docketctl --brokers as real processes, kcat and
// protoc as clients nobody here wrote. The outcomes equal the embedded
// mode's (recorded times aside), a second engine restores the same cases
// from the topics, bad records become rejections.

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kafka/wire.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/kafka_rig.h"
#include "tests/testing/outcomes.h"
#include "tests/testing/subprocess.h"

namespace docket {
namespace {

using testing::CheckTopics;
using testing::Child;
using testing::EngineDir;
using ::testing::HasSubstr;
using testing::Lines;
using testing::ListWhenCaughtUp;
using testing::Normalized;
using ::testing::Not;
using testing::Runfile;
using testing::RunProcess;
using testing::StartDocketd;
using testing::VerifiedEvents;
using testing::WriteFile;

using KafkaEndToEndTest = testing::KafkaClusterTest;

// The partitions of docket.commands the engine of `dir` owns, from the
// last assignment it logged.
std::set<int32_t> OwnedPartitions(const std::string& dir) {
  std::vector<std::string> lines = testing::ReadLines(dir + ".log");
  for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
    const size_t at = line->find("assigned docket.commands partitions ");
    if (at == std::string::npos) continue;
    std::set<int32_t> partitions;
    for (absl::string_view p : absl::StrSplit(line->substr(at + 36), ' ', absl::SkipEmpty())) {
      partitions.insert(std::stoi(std::string(p.substr(0, p.find('@')))));
    }
    return partitions;
  }
  return {};
}

TEST_F(KafkaEndToEndTest, EndToEndMatchesEmbeddedAndRestoresFromTheTopics) {
  const std::string input =
      absl::StrJoin(testing::ReadLines(testing::SeedCasesPath()), "\n") + "\n";
  const std::string reference = EngineDir("embedded");
  const std::string embedded = testing::SubmitEmbedded(reference, input);
  const std::string a = EngineDir("engine-a");
  std::unique_ptr<Child> engine = StartDocketd(bootstrap_, a, "a");

  testing::RunResult submitted = Submit(input);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_EQ(Lines(submitted.out).size(), 72u);
  EXPECT_EQ(Normalized(submitted.out), Normalized(embedded));

  // The projections equal the embedded mode's.
  const std::string expected_list =
      RunProcess({testing::DocketctlPath(), "--data_dir=" + reference, "list"}).out;
  ASSERT_EQ(Lines(expected_list).size(), 10u);
  EXPECT_EQ(ListWhenCaughtUp(a, expected_list), expected_list);
  EXPECT_EQ(CheckTopics(bootstrap_), 72u);

  // An adapter retrying: every repeated command is answered again, with its
  // original events marked as a duplicate, as in the embedded mode; no new
  // revision appears, and tail does not show the copies.
  testing::RunResult repeated = Submit(input);
  ASSERT_EQ(repeated.exit_code, 0) << repeated.err;
  const std::string embedded_repeat = testing::SubmitEmbedded(reference, input);
  EXPECT_EQ(std::count(embedded_repeat.begin(), embedded_repeat.end(), '\n'), 72);
  EXPECT_EQ(Normalized(repeated.out), Normalized(embedded_repeat));
  EXPECT_THAT(repeated.out, HasSubstr("\"duplicate\":true"));
  EXPECT_EQ(CheckTopics(bootstrap_), 72u);
  // The same command twice in one input: one outcome per command record.
  const std::string first = testing::ReadLines(testing::SeedCasesPath())[0];
  testing::RunResult twice = Submit(first + "\n" + first + "\n");
  ASSERT_EQ(twice.exit_code, 0) << twice.err;
  const std::vector<std::string> twice_lines = Lines(twice.out);
  ASSERT_EQ(twice_lines.size(), 2u);
  const std::string expected_once =
      testing::NormalizedOutcome(Lines(testing::SubmitEmbedded(reference, first + "\n"))[0])
          .ShortDebugString();
  for (const std::string& line : twice_lines) {
    EXPECT_EQ(testing::NormalizedOutcome(line).ShortDebugString(), expected_once);
  }

  // SIGTERM drains and exits 0; the data verifies.
  engine->Kill(SIGTERM);
  EXPECT_EQ(engine->Wait(), 0);
  EXPECT_EQ(VerifiedEvents(a), 72);

  // A new engine (another group, empty data) rebuilds it all from docket.events.
  const std::string b = EngineDir("engine-b");
  std::unique_ptr<Child> rebuilt = StartDocketd(bootstrap_, b, "b", {"--group=auditors"});
  EXPECT_EQ(ListWhenCaughtUp(b, expected_list), expected_list);
  rebuilt->Kill(SIGTERM);
  EXPECT_EQ(rebuilt->Wait(), 0);
  EXPECT_EQ(VerifiedEvents(b), 72);

  // tail reads docket.events as JSON lines an analytics consumer can use.
  testing::RunResult tail =
      RunProcess({testing::DocketctlPath(), "--brokers=" + bootstrap_, "tail"});
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_EQ(Lines(tail.out).size(), 72u);
  EXPECT_THAT(tail.out, HasSubstr("\"caseOpened\""));
}

// The deadline scanner of docketd publishes what is due as commands on
// docket.commands; the owners of the cases decide them. The result equals
// the embedded `tick`.
TEST_F(KafkaEndToEndTest, DeadlineScannerActsThroughTheTopics) {
  const std::string input =
      absl::StrJoin(testing::ReadLines(testing::SeedCasesPath()), "\n") + "\n";
  const std::string a = EngineDir("ticking");
  std::unique_ptr<Child> engine = StartDocketd(bootstrap_, a, "a", {"--tick_every=1s"});
  testing::RunResult submitted = Submit(input);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;

  const std::string reference = EngineDir("embedded-ticked");
  testing::SubmitEmbedded(reference, input);
  testing::RunResult ticked =
      RunProcess({testing::DocketctlPath(), "--data_dir=" + reference, "tick"});
  ASSERT_EQ(ticked.exit_code, 0) << ticked.err;
  ASSERT_THAT(ticked.out, HasSubstr(" breaches"));
  // Compared: the cases, and how many events (warnings do not show in the list).
  auto state = [](const std::string& dir) {
    return std::make_pair(
        RunProcess({testing::DocketctlPath(), "--data_dir=" + dir, "list"}).out,
        Lines(RunProcess({testing::DocketctlPath(), "--data_dir=" + dir, "tail"}).out).size());
  };
  const auto expected = state(reference);
  auto actual = state(a);
  for (int i = 0; i < 150 && actual != expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    actual = state(a);
  }
  EXPECT_EQ(actual.first, expected.first);
  EXPECT_EQ(actual.second, expected.second);
  engine->Kill(SIGTERM);
  EXPECT_EQ(engine->Wait(), 0);
  EXPECT_EQ(VerifiedEvents(a), VerifiedEvents(reference));
}

TEST_F(KafkaEndToEndTest, BadRecordsBecomeRejectionsAndTheEngineGoesOn) {
  const std::string a = EngineDir("bad-records");
  std::unique_ptr<Child> engine = StartDocketd(bootstrap_, a, "a");
  const std::string kcat = "/usr/bin/kcat";
  // Garbage bytes, an event where a command belongs, a command too large, a
  // command on the wrong partition.
  std::string garbage = "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x1f";
  garbage += std::string("\x8b\x00 binary\xfe", 10);
  const std::vector<std::vector<std::string>> bad = {
      {"-k", "C-GARBAGE", WriteFile("garbage.bin", garbage)},
      {"-k", "C-WRONG-TYPE", "-H", "content-type=application/json",
       WriteFile("event.json", R"({"eventId":"C-1/1","caseId":"C-1","revision":"1"})")},
      {"-k", "C-LARGE", "-X", "message.max.bytes=4000000",
       WriteFile("large.bin", std::string((1 << 20) + 4096, 'x'))},
      // A good command on a partition other than its case's (DESIGN.md: one
      // case lives in one partition).
      {"-k", "C-1", "-p", absl::StrCat((kafka::PartitionOf("C-1", 6) + 1) % 6), "-H",
       "content-type=application/json",
       WriteFile("misplaced.json", R"({"commandId":"wp-1","caseId":"C-1","acknowledge":{}})")},
      // A command claiming the system key with a forged signature; one
      // naming docket's own principal, unsigned (DESIGN.md, "Identity").
      {"-k", "C-2", "-X", "topic.partitioner=murmur2_random", "-H", "content-type=application/json",
       "-H", "docket-key=system", "-H", absl::StrCat("docket-signature=", std::string(64, '0')),
       WriteFile("forged.json",
                 R"({"commandId":"fs-1","caseId":"C-2","actor":{"id":"E-300"},)"
                 R"("recordDeadlineBreach":{"kind":"DEADLINE_KIND_FIRST_RESPONSE"}})")},
      {"-k", "C-3", "-X", "topic.partitioner=murmur2_random", "-H", "content-type=application/json",
       WriteFile("scanner.json",
                 R"({"commandId":"fs-2","caseId":"C-3","actor":{"id":"docket-scanner"},)"
                 R"("recordDeadlineBreach":{"kind":"DEADLINE_KIND_FIRST_RESPONSE"}})")},
  };
  for (const auto& args : bad) {
    std::vector<std::string> argv = {kcat, "-P", "-b", bootstrap_, "-t", "docket.commands"};
    argv.insert(argv.end(), args.begin(), args.end());
    testing::RunResult produced = RunProcess(argv);
    ASSERT_EQ(produced.exit_code, 0) << produced.err;
  }
  // The engine keeps going: a good command after them is answered.
  testing::RunResult good = Submit(testing::ReadLines(testing::SeedCasesPath())[0]);
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_THAT(good.out, HasSubstr("\"caseOpened\""));

  std::multiset<std::string> kinds;
  for (int i = 0; i < 50 && kinds.size() < 6; ++i) {
    kinds = testing::RejectionKinds(bootstrap_);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(kinds, (std::multiset<std::string>{"RULE_COMMAND_TOO_LARGE", "RULE_UNDECODABLE",
                                               "RULE_UNDECODABLE", "RULE_WRONG_PARTITION",
                                               "RULE_UNAUTHENTICATED", "RULE_UNAUTHENTICATED"}));
  engine->Kill(SIGTERM);
  EXPECT_EQ(engine->Wait(), 0) << "the engine must survive bad records";
  EXPECT_EQ(VerifiedEvents(a), 1);
}

TEST_F(KafkaEndToEndTest, KcatAndProtocSpeakItToo) {
  const std::string a = EngineDir("interop");
  std::unique_ptr<Child> engine = StartDocketd(bootstrap_, a, "a");
  // protoc encodes a command from text; kcat publishes it, keyed by case,
  // partitioned as the Java client would.
  const std::string proto_root = Runfile("proto");
  const std::string text = R"(
    command_id: "kcat-1" case_id: "C-KCAT-1"
    actor { id: "adapter-phone" }
    open_case { intake {
      channel: CHANNEL_PHONE category: CATEGORY_DAMAGE
      customer { id: "CUST-K" name: "kcat" }
      shipment { waybill: "K1" origin_branch: "GZ" destination_branch: "ZHUHAI" weight_g: 1000
                 packaging: PACKAGING_CARRIER contents: "a vase" }
      claim_fen: 5000 handling_branch: "ZHUHAI" description: "broken in transit" } })";
  testing::RunResult encoded =
      RunProcess({"/usr/bin/protoc", "-I" + proto_root, "--encode=docket.v1.Command",
                  "docket/v1/commands.proto"},
                 text);
  ASSERT_EQ(encoded.exit_code, 0) << encoded.err;
  // openssl signs it with the system key (docs/kafka.md, "Signatures"):
  // HMAC-SHA256 of the record's value, in hex.
  const std::string command_file = WriteFile("command.bin", encoded.out);
  const std::string key_line = testing::ReadFileOrDie(testing::SystemKeyFile());
  const std::string hex_key =
      std::string(absl::StripAsciiWhitespace(key_line.substr(key_line.find(' ') + 1)));
  testing::RunResult hmac = RunProcess({"/usr/bin/openssl", "dgst", "-sha256", "-mac", "HMAC",
                                        "-macopt", "hexkey:" + hex_key, command_file});
  ASSERT_EQ(hmac.exit_code, 0) << hmac.err;
  const std::string signature =
      std::string(absl::StripAsciiWhitespace(hmac.out.substr(hmac.out.rfind(' ') + 1)));
  ASSERT_EQ(signature.size(), 64u) << hmac.out;
  testing::RunResult produced = RunProcess(
      {"/usr/bin/kcat", "-P", "-b", bootstrap_, "-t", "docket.commands", "-k", "C-KCAT-1", "-X",
       "topic.partitioner=murmur2_random", "-H", "content-type=application/x-protobuf", "-H",
       "docket-key=system", "-H", "docket-signature=" + signature, command_file});
  ASSERT_EQ(produced.exit_code, 0) << produced.err;

  // kcat reads the answer; the header names the message; protoc decodes it.
  testing::RunResult consumed;
  for (int i = 0; i < 300 && consumed.out.empty(); ++i) {
    consumed = RunProcess({"/usr/bin/kcat", "-C", "-b", bootstrap_, "-t", "docket.events", "-e",
                           "-q", "-c", "1", "-f", "%k|%h\n"});
    if (consumed.out.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(consumed.out, HasSubstr("C-KCAT-1|docket-type=docket.v1.StoredEvent"));
  EXPECT_THAT(consumed.out, HasSubstr("docket-kind=case_opened"));
  EXPECT_THAT(consumed.out, HasSubstr("content-type=application/x-protobuf"));
  testing::RunResult payload =
      RunProcess({"/usr/bin/kcat", "-C", "-b", bootstrap_, "-t", "docket.events", "-e", "-q", "-c",
                  "1", "-D", "", "-f", "%s"});
  ASSERT_EQ(payload.exit_code, 0) << payload.err;
  testing::RunResult decoded =
      RunProcess({"/usr/bin/protoc", "-I" + proto_root, "--decode=docket.v1.StoredEvent",
                  "docket/v1/stored_event.proto"},
                 payload.out);
  ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
  EXPECT_THAT(decoded.out, HasSubstr("hash: \""));
  v1::StoredEvent stored;
  ASSERT_TRUE(stored.ParseFromString(payload.out));
  testing::RunResult inner = RunProcess({"/usr/bin/protoc", "-I" + proto_root,
                                         "--decode=docket.v1.CaseEvent", "docket/v1/events.proto"},
                                        stored.event());
  ASSERT_EQ(inner.exit_code, 0) << inner.err;
  EXPECT_THAT(inner.out, HasSubstr("case_id: \"C-KCAT-1\""));
  EXPECT_THAT(inner.out, HasSubstr("command_id: \"kcat-1\""));
  EXPECT_THAT(inner.out, HasSubstr("case_opened {"));
  engine->Kill(SIGTERM);
  EXPECT_EQ(engine->Wait(), 0);
}

// docketd --brokers --listen: the same API, its commands signed and
// published to docket.commands and answered from the topics, its reads from
// the engine's data directory; sessions too go through the topics.
TEST_F(KafkaEndToEndTest, TheApiServesOnKafka) {
  const std::string dir = EngineDir("api-engine");
  const auto ctl = [&](std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), {testing::DocketctlPath(), "--data_dir=" + dir});
    return RunProcess(args, in);
  };
  ASSERT_EQ(ctl({"directory", "apply"},
                R"({"commandId":"pw-E-101","actor":{"id":"admin"},"directory":{"setPassword":)"
                R"({"principalId":"E-101","password":"docket-demo"}}})"
                "\n")
                .exit_code,
            0);
  testing::RunResult issued = ctl({"token", "issue", "adapter-phone", "--as=admin"});
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  const std::string adapter = std::string(absl::StripTrailingAsciiWhitespace(issued.out));
  // A second engine of the group starts from a copy of this directory
  // (docs/kafka.md, "The directory on the topics").
  const std::string backup = testing::FreshDir("api-engine-backup");
  const std::string other = testing::FreshDir("api-engine-b");
  ASSERT_EQ(ctl({"backup", backup}).exit_code, 0);
  ASSERT_EQ(
      RunProcess({testing::DocketctlPath(), "--data_dir=" + other, "restore", backup}).exit_code,
      0);

  std::unique_ptr<Child> engine =
      StartDocketd(bootstrap_, dir, "api", {"--listen=127.0.0.1:0", "--console_dir="});
  const std::string url = testing::ServingUrl(dir + ".out", 20000);
  ASSERT_FALSE(url.empty()) << testing::ReadFileOrDie(dir + ".log");
  const auto curl = [&](const std::string& path, std::vector<std::string> args,
                        const std::string& token) {
    std::vector<std::string> argv = {"/usr/bin/curl", "-s", "-w", "\n%{http_code}"};
    if (!token.empty()) argv.insert(argv.end(), {"-H", "Authorization: Bearer " + token});
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(url + path);
    return RunProcess(argv).out;
  };

  // A command: published, decided by the engine, its outcome from the topics.
  const std::vector<std::string> intake = {
      "-X",
      "POST",
      "-H",
      "Content-Type: application/json",
      "-d",
      R"({"commandId":"k-api-1","caseId":"C-KAPI-1","openCase":{"intake":{"channel":)"
      R"("CHANNEL_PHONE","category":"CATEGORY_LATE","customer":{"id":"K-1"},)"
      R"("handlingBranch":"GZ"}}})"};
  const std::string opened = curl("/v1/commands", intake, adapter);
  EXPECT_THAT(opened, HasSubstr("\"caseOpened\""));
  EXPECT_THAT(opened, ::testing::EndsWith("\n200"));
  // Sent again: the same outcome, a duplicate.
  EXPECT_THAT(curl("/v1/commands", intake, adapter), HasSubstr("\"duplicate\":true"));
  // A refusal: the Rejection, with the status of its code (an adapter may
  // not acknowledge: 403).
  const std::string refused =
      curl("/v1/commands",
           {"-X", "POST", "-H", "Content-Type: application/json", "-d",
            R"({"commandId":"k-api-2","caseId":"C-KAPI-NONE","acknowledge":{}})"},
           adapter);
  EXPECT_THAT(refused, HasSubstr("RULE_PERMISSION"));
  EXPECT_THAT(refused, ::testing::EndsWith("\n403"));

  // Reads come from the engine's data directory, once it has folded.
  std::string read;
  for (int i = 0; i < 100 && !absl::EndsWith(read, "\n200"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    read = curl("/v1/cases/C-KAPI-1", {}, adapter);
  }
  EXPECT_THAT(read, HasSubstr("\"STAGE_OPENED\""));

  // A session: issued through the topics, usable here once answered.
  const std::string session =
      curl("/v1/sessions",
           {"-X", "POST", "-d", R"({"principalId":"E-101","password":"docket-demo"})"}, "");
  ASSERT_THAT(session, ::testing::EndsWith("\n201")) << session;
  const size_t at = session.find("dkt_");
  const std::string token = session.substr(at, session.find('"', at) - at);
  const std::string me = curl("/v1/me", {}, token);
  EXPECT_THAT(me, HasSubstr("\"E-101\""));
  EXPECT_THAT(me, ::testing::EndsWith("\n200"));
  // What only the embedded log can do says so.
  EXPECT_THAT(
      curl("/v1/cases/C-KAPI-1/preview", {"-X", "POST", "-d", R"({"acknowledge":{}})"}, token),
      ::testing::EndsWith("\n501"));

  // Evidence: only the file its sender uploaded here is attached by its
  // hash, checked on this instance, which took the upload, before the
  // command is published (the deciding engine holds no upload). Anything
  // else answers as an absent file does on the embedded log.
  const std::string photo =
      testing::WriteFile("kafka-e101.png", "\x89PNG\r\n\x1a\n only E-101 uploaded this");
  const std::string uploaded =
      curl("/v1/evidence?kind=PHOTO&name=p.png",
           {"-X", "POST", "-H", "Content-Type: image/png", "--data-binary", "@" + photo}, token);
  ASSERT_THAT(uploaded, ::testing::EndsWith("\n201")) << uploaded;
  const std::string sha = RunProcess({"/usr/bin/sha256sum", photo}).out.substr(0, 64);
  const auto attach = [&](const std::string& id, const std::string& hash, const std::string& as) {
    return curl(
        "/v1/commands",
        {"-X", "POST", "-d",
         absl::StrCat(R"({"commandId":")", id, R"(","caseId":"C-KAPI-1","attachEvidence":)",
                      R"({"evidence":{"kind":"EVIDENCE_KIND_PHOTO","uri":"cas://)", hash,
                      R"(","sha256Hex":")", hash, R"(","sizeBytes":")",
                      std::filesystem::file_size(photo), R"(","mediaType":"image/png"}}})")},
        as);
  };
  const std::string not_theirs = attach("k-api-ev-1", sha, adapter);
  EXPECT_THAT(not_theirs, HasSubstr("RULE_EVIDENCE"));
  EXPECT_THAT(not_theirs, HasSubstr("is not in the evidence store"));
  EXPECT_THAT(not_theirs, ::testing::EndsWith("\n409"));
  EXPECT_THAT(attach("k-api-ev-2", std::string(64, 'a'), token),
              HasSubstr("is not in the evidence store"));
  // The uploader's own attachment goes through the topics to the engine.
  const std::string own = attach("k-api-ev-3", sha, token);
  EXPECT_THAT(own, HasSubstr("\"evidenceAttached\"")) << own;
  EXPECT_THAT(own, ::testing::EndsWith("\n200"));

  // With a second engine in the group, this one holds half the partitions:
  // a case of the other half is read there, and the answer says so (by its
  // id alone: nothing about the case leaks); a case of its own half that
  // does not exist is still 404.
  std::unique_ptr<Child> engine_b = StartDocketd(bootstrap_, other, "api-b");
  for (int i = 0; i < 300 && OwnedPartitions(dir).size() != 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::set<int32_t> here = OwnedPartitions(dir);
  ASSERT_EQ(here.size(), 3u) << testing::ReadFileOrDie(dir + ".log");
  std::string mine, theirs;
  for (int n = 0; mine.empty() || theirs.empty(); ++n) {
    const std::string id = absl::StrCat("C-KAPI-Z", n);
    (here.count(kafka::PartitionOf(id, 6)) > 0 ? mine : theirs) = id;
  }
  const std::string elsewhere = curl("/v1/cases/" + theirs, {}, token);
  EXPECT_THAT(elsewhere, ::testing::EndsWith("\n421"));
  EXPECT_THAT(elsewhere,
              HasSubstr(absl::StrCat("lives in partition ", kafka::PartitionOf(theirs, 6))));
  EXPECT_THAT(curl("/v1/cases/" + theirs + "/history", {}, token), ::testing::EndsWith("\n421"));
  EXPECT_THAT(curl("/v1/cases/" + mine, {}, token), ::testing::EndsWith("\n404"));
  EXPECT_THAT(curl("/v1/cases/" + theirs, {}, ""), ::testing::EndsWith("\n401"));

  // A logout answered 204 is in effect here at once.
  EXPECT_THAT(curl("/v1/sessions/current", {"-X", "DELETE"}, token), ::testing::EndsWith("\n204"));
  EXPECT_THAT(curl("/v1/me", {}, token), ::testing::EndsWith("\n401"));

  engine_b->Kill(SIGTERM);
  EXPECT_EQ(engine_b->Wait(), 0) << testing::ReadFileOrDie(other + ".log");
  engine->Kill(SIGTERM);
  EXPECT_EQ(engine->Wait(), 0) << testing::ReadFileOrDie(dir + ".log");
}

// DESIGN.md, "Identity": in Kafka mode every instance folds the whole
// directory, whatever partitions it owns. Two engines start from empty data
// directories; the directory is made through the topics (decided by the
// owner of its partition); each engine then resolves every actor of the
// seed cases, on all six partitions, as the embedded mode does. An engine
// that was down when the directory changed catches up when it returns.
TEST_F(KafkaEndToEndTest, EveryEngineFoldsTheDirectory) {
  const std::string a = testing::FreshDir("directory-a");
  const std::string b = testing::FreshDir("directory-b");
  for (const std::string& dir : {a, b}) {  // Photos are not on the topics (docs/kafka.md).
    ASSERT_EQ(RunProcess({testing::DocketctlPath(), "--data_dir=" + dir, "put-evidence",
                          Runfile("examples/evidence/acrylic_sign_crack.png"),
                          Runfile("examples/evidence/laptop_screen_crack.png")})
                  .exit_code,
              0);
  }
  std::unique_ptr<Child> engine_a = StartDocketd(bootstrap_, a, "a");
  std::unique_ptr<Child> engine_b = StartDocketd(bootstrap_, b, "b");
  const auto brokers_ctl = [&](std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), {testing::DocketctlPath(), "--brokers=" + bootstrap_,
                               "--key_file=" + testing::SystemKeyFile(), "--timeout=60s",
                               testing::kExamplesClock});
    return RunProcess(args, in);
  };
  for (int i = 0; i < 300 && (OwnedPartitions(a).size() != 3 || OwnedPartitions(b).size() != 3);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(OwnedPartitions(a).size(), 3u) << testing::ReadFileOrDie(a + ".log");
  ASSERT_EQ(OwnedPartitions(b).size(), 3u) << testing::ReadFileOrDie(b + ".log");
  // The engine that does not own the directory's partition learns it only
  // by following it.
  const std::string follower =
      OwnedPartitions(a).count(kafka::PartitionOf("@directory", 6)) > 0 ? b : a;

  testing::RunResult init = brokers_ctl({"init", "--admin=admin"});
  ASSERT_EQ(init.exit_code, 0) << init.err << init.out;
  testing::RunResult org =
      brokers_ctl({"directory", "apply"}, testing::ReadFileOrDie(testing::OrgPath()));
  ASSERT_EQ(org.exit_code, 0) << org.err << org.out;

  const auto directory = [](const std::string& dir) {
    return RunProcess({testing::DocketctlPath(), "--data_dir=" + dir, "directory", "list"}).out;
  };
  const auto same_directory = [&](const std::string& dir, const std::string& expected) {
    std::string listed = directory(dir);
    for (int i = 0; i < 150 && listed != expected; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      listed = directory(dir);
    }
    return listed;
  };
  const std::string reference = EngineDir("directory-embedded");
  const std::string expected_directory = directory(reference);
  ASSERT_THAT(expected_directory, HasSubstr("E-101"));
  EXPECT_EQ(same_directory(a, expected_directory), expected_directory);
  EXPECT_EQ(same_directory(b, expected_directory), expected_directory);
  EXPECT_THAT(testing::ReadFileOrDie(follower + ".log"), HasSubstr("directory: folded"));

  // Every case, whichever engine owns its partition, is decided under the
  // directory: the outcomes equal the embedded mode's.
  const std::string input =
      absl::StrJoin(testing::ReadLines(testing::SeedCasesPath()), "\n") + "\n";
  std::set<int32_t> partitions;
  for (const std::string& line : testing::ReadLines(testing::SeedCasesPath())) {
    const size_t at = line.find("\"caseId\":\"");
    const std::string id = line.substr(at + 10, line.find('"', at + 10) - at - 10);
    partitions.insert(kafka::PartitionOf(id, 6));
  }
  ASSERT_GE(partitions.size(), 4u) << "the seed cases should spread over the partitions";
  testing::RunResult submitted = Submit(input);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_EQ(Normalized(submitted.out), Normalized(testing::SubmitEmbedded(reference, input)));
  EXPECT_THAT(submitted.out, Not(HasSubstr("RULE_UNAUTHENTICATED")));

  // B is down while a principal is revoked; back, it folds the change.
  engine_b->Kill(SIGTERM);
  ASSERT_EQ(engine_b->Wait(), 0) << testing::ReadFileOrDie(b + ".log");
  testing::RunResult revoked =
      brokers_ctl({"directory", "apply"},
                  R"({"commandId":"revoke-E-102","actor":{"id":"admin"},"directory":{"revoke":)"
                  R"({"principalId":"E-102"}}})"
                  "\n");
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err << revoked.out;
  ASSERT_THAT(revoked.out, Not(HasSubstr("\"rejection\""))) << revoked.out;
  engine_b = StartDocketd(bootstrap_, b, "b");
  std::string after;
  for (int i = 0; i < 150 && after != directory(a); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    after = directory(b);
  }
  EXPECT_NE(after, expected_directory);
  EXPECT_EQ(after, directory(a));

  for (auto* engine : {&engine_a, &engine_b}) {
    (*engine)->Kill(SIGTERM);
    EXPECT_EQ((*engine)->Wait(), 0);
  }
  // Each data directory verifies, the directory's stream included.
  EXPECT_GT(VerifiedEvents(a), 0);
  EXPECT_GT(VerifiedEvents(b), 0);

  // An engine bootstrapped on its own (its own init, at another time) does
  // not take a directory that is not the topics': it stops and says why.
  const std::string apart = testing::FreshDir("directory-apart");
  ASSERT_EQ(RunProcess({testing::DocketctlPath(), "--data_dir=" + apart, "init", "--admin=admin"})
                .exit_code,
            0);
  std::unique_ptr<Child> stray = StartDocketd(bootstrap_, apart, "apart", {"--group=apart"});
  EXPECT_NE(stray->Wait(), 0);
  EXPECT_THAT(testing::ReadFileOrDie(apart + ".log"),
              HasSubstr("differs from this data directory's at revision 1"));
}

}  // namespace
}  // namespace docket
