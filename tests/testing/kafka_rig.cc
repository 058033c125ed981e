#include "tests/testing/kafka_rig.h"

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "docket/v1/events.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "services/kafka/client.h"
#include "services/kafka/gateway.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"

namespace docket::testing {

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

std::multiset<std::string> RejectionKinds(const std::string& bootstrap) {
  std::multiset<std::string> kinds;
  for (const Record& r : ReadTopic(bootstrap, kafka::kRejectionsTopic)) {
    const std::string* kind = kafka::FindHeader(r.headers, kafka::kKindHeader);
    kinds.insert(kind != nullptr ? *kind : "");
  }
  return kinds;
}

int64_t VerifiedEvents(const std::string& dir) {
  RunResult verify = RunProcess({DocketctlPath(), "--data_dir=" + dir, "verify"});
  EXPECT_EQ(verify.exit_code, 0) << dir << ": " << verify.out << verify.err;
  const size_t at = verify.out.find(" cases, ");
  if (at == std::string::npos) return -1;
  return std::stoll(verify.out.substr(at + 8));
}

std::string ListWhenCaughtUp(const std::string& dir, const std::string& expected) {
  std::string list = RunProcess({DocketctlPath(), "--data_dir=" + dir, "list"}).out;
  for (int i = 0; i < 150 && list != expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    list = RunProcess({DocketctlPath(), "--data_dir=" + dir, "list"}).out;
  }
  return list;
}

std::string EngineDir(const std::string& name) { return DirWithExampleEvidence(name); }

std::string GatewayKeysDir() {
  static const std::string* const dir = [] {
    auto* path = new std::string(FreshDir("gateway-keys"));
    std::filesystem::create_directories(*path);
    absl::StatusOr<kafka::KeyFile> key = kafka::NewKey(kafka::kSystemKeyId);
    EXPECT_TRUE(key.ok() && kafka::WriteKeyFile(*path + "/system.key", *key).ok());
    return path;
  }();
  return *dir;
}

std::string SystemKeyFile() { return GatewayKeysDir() + "/system.key"; }

std::unique_ptr<Child> StartDocketd(const std::string& bootstrap, const std::string& dir,
                                    const std::string& instance, std::vector<std::string> extra) {
  std::vector<std::string> argv = {DocketdPath(),
                                   "--brokers=" + bootstrap,
                                   "--data_dir=" + dir,
                                   "--instance=" + instance,
                                   "--tick_every=0",
                                   "--kafka=session.timeout.ms=6000",
                                   "--gateway_keys=" + GatewayKeysDir()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<Child>(argv, "/dev/null", dir + ".out", dir + ".log");
}

void KafkaClusterTest::SetUp() {
  absl::StatusOr<std::unique_ptr<kafka::MockCluster>> cluster = kafka::MockCluster::Start(3, 6);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  cluster_ = *std::move(cluster);
  bootstrap_ = cluster_->bootstrap();
}

RunResult KafkaClusterTest::Submit(const std::string& input, const std::string& timeout) {
  return RunProcess({DocketctlPath(), "--brokers=" + bootstrap_, "--key_file=" + SystemKeyFile(),
                     "--timeout=" + timeout, kExamplesClock, "submit"},
                    input);
}

}  // namespace docket::testing
