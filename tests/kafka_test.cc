// docket on Kafka, against librdkafka's mock cluster on loopback: docketd
// and docketctl --brokers as real processes; kcat and protoc as clients
// nobody here wrote; faults injected into the cluster and SIGKILLs into
// the engines. Afterwards every command has exactly one outcome, equal to
// the embedded mode's (recorded times aside), no revision is applied
// twice, and verify passes on every engine's data.

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/outcome.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "services/kafka_client.h"
#include "services/kafka_wire.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/subprocess.h"
#include "tools/kafka/mock_cluster.h"

namespace docket {
namespace {

using testing::Child;
using ::testing::HasSubstr;
using testing::Runfile;
using testing::RunProcess;

std::string Ctl() { return Runfile("tools/docketctl/docketctl"); }

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

std::string WriteFile(const std::string& name, const std::string& content) {
  const std::string path = testing::FreshDir(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// Each engine's data directory holds the examples' evidence: evidence is
// stored beside the data, not on the topics.
std::string EngineDir(const std::string& name) { return testing::DirWithExampleEvidence(name); }

std::unique_ptr<Child> Docketd(const std::string& bootstrap, const std::string& dir,
                               const std::string& instance, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {
      Runfile("services/docketd"), "--brokers=" + bootstrap, "--data_dir=" + dir,
      "--instance=" + instance,    "--tick_every=0",         "--kafka=session.timeout.ms=6000"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<Child>(argv, "/dev/null", dir + ".out", dir + ".log");
}

// An outcome line as comparable text: recorded and rejection times cleared.
v1::CommandOutcome NormalizedOutcome(const std::string& line) {
  v1::CommandOutcome outcome;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &outcome).ok()) << line;
  for (v1::CaseEvent& event : *outcome.mutable_events()) event.clear_recorded_at();
  outcome.mutable_rejection()->clear_rejected_at();
  if (!outcome.has_rejection()) outcome.clear_rejection();
  return outcome;
}

// Outcomes as comparable text, sorted by command id (one each).
std::vector<std::string> Normalized(const std::string& json_lines) {
  std::map<std::string, std::string> by_id;
  for (const std::string& line : Lines(json_lines)) {
    const v1::CommandOutcome outcome = NormalizedOutcome(line);
    EXPECT_TRUE(by_id.emplace(outcome.command_id(), outcome.ShortDebugString()).second)
        << "two outcomes for command " << outcome.command_id();
  }
  std::vector<std::string> out;
  for (auto& [id, text] : by_id) out.push_back(std::move(text));
  return out;
}

// The outcomes of `input` submitted in embedded mode to the new directory `dir`.
std::string Embedded(const std::string& dir, const std::string& input) {
  testing::RunResult run = RunProcess({Ctl(), "--data_dir=" + dir, "submit"}, input);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return run.out;
}

struct Record {
  std::string topic, key, value;
  kafka::Headers headers;
};

// Every record of `topic` (as a read_committed consumer sees it).
std::vector<Record> ReadTopic(const std::string& bootstrap, const char* topic) {
  absl::StatusOr<kafka::Handle> consumer = kafka::NewHandle(RD_KAFKA_CONSUMER, {bootstrap, {}},
                                                            {{"group.id", "test-reader"},
                                                             {"isolation.level", "read_committed"},
                                                             {"enable.partition.eof", "true"}});
  EXPECT_TRUE(consumer.ok()) << consumer.status();
  if (!consumer.ok()) return {};
  absl::StatusOr<int32_t> partitions =
      kafka::PartitionCount(consumer->get(), topic, absl::Seconds(10));
  EXPECT_TRUE(partitions.ok());
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(*partitions);
  for (int32_t p = 0; p < *partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer->get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<Record> records;
  std::set<int32_t> done;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (static_cast<int32_t>(done.size()) < *partitions &&
         std::chrono::steady_clock::now() < give_up) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer->get(), 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      done.insert(m->partition);
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      records.push_back({topic, std::string(static_cast<const char*>(m->key), m->key_len),
                         std::string(static_cast<const char*>(m->payload), m->len),
                         kafka::ReadHeaders(m)});
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(consumer->get());
  return records;
}

// The topics' side of exactly once: each revision of a case has one
// content, however often the broker shows it (the mock cluster shows
// aborted transactions too); each command is answered either by events or
// by one rejection. Returns the number of distinct revisions.
size_t CheckTopics(const std::string& bootstrap) {
  std::map<std::pair<std::string, int64_t>, std::string> revisions;
  std::map<std::string, std::set<std::string>> answers;  // command id -> kinds of answer
  for (const Record& r : ReadTopic(bootstrap, kafka::kEventsTopic)) {
    v1::StoredEvent stored;
    v1::CaseEvent event;
    EXPECT_TRUE(stored.ParseFromString(r.value) && event.ParseFromString(stored.event()));
    EXPECT_EQ(r.key, event.case_id());
    auto [it, fresh] =
        revisions.emplace(std::make_pair(event.case_id(), event.revision()), r.value);
    EXPECT_EQ(it->second, r.value)
        << event.case_id() << " revision " << event.revision() << " has two contents";
    answers[event.command_id()].insert("events");
  }
  std::map<std::string, std::string> rejections;
  for (const Record& r : ReadTopic(bootstrap, kafka::kRejectionsTopic)) {
    kafka::Source source;
    if (!kafka::ParseSource(r.headers, &source) || source.command_id.empty()) continue;
    auto [it, fresh] = rejections.emplace(source.command_id, r.value);
    EXPECT_EQ(it->second, r.value)
        << "command " << source.command_id << " was rejected twice, differently";
    answers[source.command_id].insert("rejection");
  }
  for (const auto& [id, kinds] : answers) {
    EXPECT_EQ(kinds.size(), 1u) << "command " << id << " was both accepted and rejected";
  }
  return revisions.size();
}

// "verify: OK: N cases, M events, ..." -> M, after checking it passed.
int64_t VerifiedEvents(const std::string& dir) {
  testing::RunResult verify = RunProcess({Ctl(), "--data_dir=" + dir, "verify"});
  EXPECT_EQ(verify.exit_code, 0) << dir << ": " << verify.out << verify.err;
  const size_t at = verify.out.find(" cases, ");
  if (at == std::string::npos) return -1;
  return std::stoll(verify.out.substr(at + 8));
}

// `docketctl list` of `dir` once it equals `expected`, or its last output
// after 30 s. An engine folds a batch into its data directory after the
// batch's transaction commits, so the outcomes on the topics can run ahead
// of the directory by a batch.
std::string ListWhenCaughtUp(const std::string& dir, const std::string& expected) {
  std::string list = RunProcess({Ctl(), "--data_dir=" + dir, "list"}).out;
  for (int i = 0; i < 150 && list != expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    list = RunProcess({Ctl(), "--data_dir=" + dir, "list"}).out;
  }
  return list;
}

class KafkaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<kafka::MockCluster>> cluster = kafka::MockCluster::Start(3, 6);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    bootstrap_ = cluster_->bootstrap();
  }

  testing::RunResult Submit(const std::string& input, const std::string& timeout = "60s") {
    return RunProcess({Ctl(), "--brokers=" + bootstrap_, "--timeout=" + timeout, "submit"}, input);
  }

  std::unique_ptr<kafka::MockCluster> cluster_;
  std::string bootstrap_;
};

TEST_F(KafkaTest, EndToEndMatchesEmbeddedAndRestoresFromTheTopics) {
  const std::string input =
      absl::StrJoin(testing::ReadLines(Runfile("examples/seed_cases.ndjson")), "\n") + "\n";
  const std::string reference = EngineDir("embedded");
  const std::string embedded = Embedded(reference, input);
  const std::string a = EngineDir("engine-a");
  std::unique_ptr<Child> engine = Docketd(bootstrap_, a, "a");

  testing::RunResult submitted = Submit(input);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_EQ(Lines(submitted.out).size(), 69u);
  EXPECT_EQ(Normalized(submitted.out), Normalized(embedded));

  // The projections equal the embedded mode's.
  const std::string expected_list = RunProcess({Ctl(), "--data_dir=" + reference, "list"}).out;
  ASSERT_EQ(Lines(expected_list).size(), 10u);
  EXPECT_EQ(ListWhenCaughtUp(a, expected_list), expected_list);
  EXPECT_EQ(CheckTopics(bootstrap_), 69u);

  // An adapter retrying: every repeated command is answered again, with its
  // original events marked as a duplicate, as in the embedded mode; no new
  // revision appears, and tail does not show the copies.
  testing::RunResult repeated = Submit(input);
  ASSERT_EQ(repeated.exit_code, 0) << repeated.err;
  const std::string embedded_repeat = Embedded(reference, input);
  EXPECT_EQ(std::count(embedded_repeat.begin(), embedded_repeat.end(), '\n'), 69);
  EXPECT_EQ(Normalized(repeated.out), Normalized(embedded_repeat));
  EXPECT_THAT(repeated.out, HasSubstr("\"duplicate\":true"));
  EXPECT_EQ(CheckTopics(bootstrap_), 69u);
  // The same command twice in one input: one outcome per command record.
  const std::string first = testing::ReadLines(Runfile("examples/seed_cases.ndjson"))[0];
  testing::RunResult twice = Submit(first + "\n" + first + "\n");
  ASSERT_EQ(twice.exit_code, 0) << twice.err;
  const std::vector<std::string> twice_lines = Lines(twice.out);
  ASSERT_EQ(twice_lines.size(), 2u);
  const std::string expected_once =
      NormalizedOutcome(Lines(Embedded(reference, first + "\n"))[0]).ShortDebugString();
  for (const std::string& line : twice_lines) {
    EXPECT_EQ(NormalizedOutcome(line).ShortDebugString(), expected_once);
  }

  // SIGTERM drains and exits 0; the data verifies.
  engine->Kill(SIGTERM);
  EXPECT_EQ(engine->Wait(), 0);
  EXPECT_EQ(VerifiedEvents(a), 69);

  // A new engine (another group, empty data) rebuilds it all from docket.events.
  const std::string b = EngineDir("engine-b");
  std::unique_ptr<Child> rebuilt = Docketd(bootstrap_, b, "b", {"--group=auditors"});
  EXPECT_EQ(ListWhenCaughtUp(b, expected_list), expected_list);
  rebuilt->Kill(SIGTERM);
  EXPECT_EQ(rebuilt->Wait(), 0);
  EXPECT_EQ(VerifiedEvents(b), 69);

  // tail reads docket.events as JSON lines an analytics consumer can use.
  testing::RunResult tail = RunProcess({Ctl(), "--brokers=" + bootstrap_, "tail"});
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_EQ(Lines(tail.out).size(), 69u);
  EXPECT_THAT(tail.out, HasSubstr("\"caseOpened\""));
}

// The deadline scanner of docketd publishes what is due as commands on
// docket.commands; the owners of the cases decide them. The result equals
// the embedded `tick`.
TEST_F(KafkaTest, DeadlineScannerActsThroughTheTopics) {
  const std::string input =
      absl::StrJoin(testing::ReadLines(Runfile("examples/seed_cases.ndjson")), "\n") + "\n";
  const std::string a = EngineDir("ticking");
  std::unique_ptr<Child> engine = Docketd(bootstrap_, a, "a", {"--tick_every=1s"});
  testing::RunResult submitted = Submit(input);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;

  const std::string reference = EngineDir("embedded-ticked");
  Embedded(reference, input);
  testing::RunResult ticked = RunProcess({Ctl(), "--data_dir=" + reference, "tick"});
  ASSERT_EQ(ticked.exit_code, 0) << ticked.err;
  ASSERT_THAT(ticked.out, HasSubstr(" breaches"));
  // Compared: the cases, and how many events (warnings do not show in the list).
  auto state = [](const std::string& dir) {
    return std::make_pair(RunProcess({Ctl(), "--data_dir=" + dir, "list"}).out,
                          Lines(RunProcess({Ctl(), "--data_dir=" + dir, "tail"}).out).size());
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

// Kinds (docket-kind) of the rejections on docket.rejections.
std::multiset<std::string> RejectionKinds(const std::string& bootstrap) {
  std::multiset<std::string> kinds;
  for (const Record& r : ReadTopic(bootstrap, kafka::kRejectionsTopic)) {
    const std::string* kind = kafka::FindHeader(r.headers, kafka::kKindHeader);
    kinds.insert(kind != nullptr ? *kind : "");
  }
  return kinds;
}

TEST_F(KafkaTest, BadRecordsBecomeRejectionsAndTheEngineGoesOn) {
  const std::string a = EngineDir("bad-records");
  std::unique_ptr<Child> engine = Docketd(bootstrap_, a, "a");
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
  };
  for (const auto& args : bad) {
    std::vector<std::string> argv = {kcat, "-P", "-b", bootstrap_, "-t", "docket.commands"};
    argv.insert(argv.end(), args.begin(), args.end());
    testing::RunResult produced = RunProcess(argv);
    ASSERT_EQ(produced.exit_code, 0) << produced.err;
  }
  // The engine keeps going: a good command after them is answered.
  testing::RunResult good = Submit(testing::ReadLines(Runfile("examples/seed_cases.ndjson"))[0]);
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_THAT(good.out, HasSubstr("\"caseOpened\""));

  std::multiset<std::string> kinds;
  for (int i = 0; i < 50 && kinds.size() < 4; ++i) {
    kinds = RejectionKinds(bootstrap_);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(kinds, (std::multiset<std::string>{"RULE_COMMAND_TOO_LARGE", "RULE_UNDECODABLE",
                                               "RULE_UNDECODABLE", "RULE_WRONG_PARTITION"}));
  engine->Kill(SIGTERM);
  EXPECT_EQ(engine->Wait(), 0) << "the engine must survive bad records";
  EXPECT_EQ(VerifiedEvents(a), 1);
}

TEST_F(KafkaTest, KcatAndProtocSpeakItToo) {
  const std::string a = EngineDir("interop");
  std::unique_ptr<Child> engine = Docketd(bootstrap_, a, "a");
  // protoc encodes a command from text; kcat publishes it, keyed by case,
  // partitioned as the Java client would.
  const std::string proto_root = Runfile("proto");
  const std::string text = R"(
    command_id: "kcat-1" case_id: "C-KCAT-1"
    actor { id: "adapter-kcat" role: ROLE_ADAPTER level: LEVEL_BRANCH branch: "CALLCENTER" }
    occurred_at { seconds: 1793577000 }
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
  testing::RunResult produced =
      RunProcess({"/usr/bin/kcat", "-P", "-b", bootstrap_, "-t", "docket.commands", "-k",
                  "C-KCAT-1", "-X", "topic.partitioner=murmur2_random", "-H",
                  "content-type=application/x-protobuf", WriteFile("command.bin", encoded.out)});
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

// The faults: a stream of valid lifecycles runs while the cluster fails
// requests, a broker goes down, or engines are killed; then each command
// has exactly one outcome, the embedded mode's.
class KafkaFaultTest : public KafkaTest {
 protected:
  // Long enough that each fault lands mid-stream: the engine answers a few
  // thousand commands a second here.
  static constexpr int kReplicas = 30;  // 2,070 commands
  static constexpr int kCommands = kReplicas * 69;

  void SetUp() override {
    KafkaTest::SetUp();
    input_ = testing::ReplicatedExamples("K", kReplicas);
    input_path_ = WriteFile("stream.ndjson", input_);
  }

  // Starts the stream in the background; Finish waits for it.
  void StartStream() {
    out_path_ = testing::FreshDir("stream.out");
    stream_ = std::make_unique<Child>(
        std::vector<std::string>{Ctl(), "--brokers=" + bootstrap_, "--timeout=240s", "submit"},
        input_path_, out_path_, out_path_ + ".err");
  }

  // Waits until the stream has printed `n` outcomes; returns how many it
  // has (fewer than all: the fault that follows lands mid-stream).
  int WaitForOutcomes(int n) {
    int lines = 0;
    for (int i = 0; i < 6000 && lines < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::ifstream in(out_path_);
      lines = static_cast<int>(
          std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
    }
    EXPECT_GE(lines, n);
    EXPECT_LT(lines, kCommands) << "the stream ended before the fault";
    return lines;
  }

  void FinishAndCheck(const std::vector<std::string>& dirs) {
    ASSERT_EQ(stream_->Wait(), 0) << "some command got no outcome";
    std::ifstream in(out_path_);
    std::stringstream out;
    out << in.rdbuf();
    const std::string reference = EngineDir("embedded");
    EXPECT_EQ(Normalized(out.str()), Normalized(Embedded(reference, input_)));
    const size_t revisions = CheckTopics(bootstrap_);
    EXPECT_EQ(static_cast<int64_t>(revisions), VerifiedEvents(reference));
    for (const std::string& dir : dirs) EXPECT_GT(VerifiedEvents(dir), 0) << dir;
  }

  std::string input_, input_path_, out_path_;
  std::unique_ptr<Child> stream_;
};

TEST_F(KafkaFaultTest, InjectedErrorsAndABrokerDown) {
  const std::string a = EngineDir("faults");
  std::unique_ptr<Child> engine = Docketd(bootstrap_, a, "a", {"--batch=16"});
  StartStream();
  WaitForOutcomes(60);
  cluster_->PushErrors(kafka::MockCluster::kProduce, {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                                      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
  cluster_->PushErrors(
      kafka::MockCluster::kAddOffsetsToTxn,
      {RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS});
  cluster_->PushErrors(
      kafka::MockCluster::kEndTxn,
      {RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS});
  WaitForOutcomes(200);
  cluster_->SetBrokerDown(2);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  cluster_->SetBrokerUp(2);
  FinishAndCheck({a});
  engine->Kill(SIGTERM);
  EXPECT_EQ(engine->Wait(), 0);
}

TEST_F(KafkaFaultTest, SigkillMidTransactionThenRestart) {
  const std::string a = EngineDir("killed");
  std::unique_ptr<Child> engine = Docketd(bootstrap_, a, "a", {"--batch=8"});
  StartStream();
  for (int kill = 1; kill <= 3; ++kill) {
    WaitForOutcomes(kCommands * kill / 5);
    engine->Kill(SIGKILL);
    EXPECT_EQ(engine->Wait(), -SIGKILL);
    engine = Docketd(bootstrap_, a, "a", {"--batch=8"});
  }
  FinishAndCheck({a});
  engine->Kill(SIGTERM);
  EXPECT_EQ(engine->Wait(), 0);
}

// Whether the engine logging to `dir`.log last owned some but not all of
// the six partitions.
bool OwnsSome(const std::string& dir) {
  std::ifstream in(dir + ".log");
  std::string line, last;
  while (std::getline(in, line)) {
    if (absl::StrContains(line, "assigned") || absl::StrContains(line, "revoked")) last = line;
  }
  const auto owned = std::count(last.begin(), last.end(), '@');
  return absl::StrContains(last, "assigned") && owned > 0 && owned < 6;
}

TEST_F(KafkaFaultTest, TwoEnginesInOneGroupOneKilled) {
  const std::string a = EngineDir("pair-a");
  const std::string b = EngineDir("pair-b");
  std::unique_ptr<Child> first = Docketd(bootstrap_, a, "a", {"--batch=8"});
  std::unique_ptr<Child> second = Docketd(bootstrap_, b, "b", {"--batch=8"});
  // Both in the group, each owning some partitions.
  for (int i = 0; i < 300 && !(OwnsSome(a) && OwnsSome(b)); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(OwnsSome(a) && OwnsSome(b)) << "the group did not share the partitions";
  StartStream();
  WaitForOutcomes(kCommands / 4);
  second->Kill(SIGKILL);
  EXPECT_EQ(second->Wait(), -SIGKILL);
  FinishAndCheck({a, b});
  first->Kill(SIGTERM);
  EXPECT_EQ(first->Wait(), 0);
}

}  // namespace
}  // namespace docket
