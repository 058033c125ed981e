#ifndef DOCKET_TESTS_TESTING_KAFKA_RIG_H_
#define DOCKET_TESTS_TESTING_KAFKA_RIG_H_

// What the Kafka tests share: a mock cluster per test, docketd engines as
// real processes, and readers of the topics.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/kafka/wire.h"
#include "tests/testing/subprocess.h"
#include "tools/kafka/mock_cluster.h"

namespace docket::testing {

// A record of a topic.
struct Record {
  std::string topic, key, value;
  kafka::Headers headers;
};

// Every record of `topic` (as a read_committed consumer sees it).
std::vector<Record> ReadTopic(const std::string& bootstrap, const char* topic);

// The topics' side of exactly once: each revision of a case has one
// content, however often the broker shows it (the mock cluster shows
// aborted transactions too); each command is answered either by events or
// by one rejection. Returns the number of distinct revisions.
size_t CheckTopics(const std::string& bootstrap);

// Kinds (docket-kind) of the rejections on docket.rejections.
std::multiset<std::string> RejectionKinds(const std::string& bootstrap);

// "verify: OK: N cases, M events, ..." of `docketctl verify` on `dir` -> M,
// after checking it passed.
int64_t VerifiedEvents(const std::string& dir);

// `docketctl list` of `dir` once it equals `expected`, or its last output
// after 30 s. An engine folds a batch into its data directory after the
// batch's transaction commits, so the outcomes on the topics can run ahead
// of the directory by a batch.
std::string ListWhenCaughtUp(const std::string& dir, const std::string& expected);

// A data directory for an engine, holding the examples' evidence: evidence
// is stored beside the data, not on the topics.
std::string EngineDir(const std::string& name);

// The engines' shared directory of key files, made once per test binary
// with a system key (services/kafka/gateway.h), and that key's file: what
// docketctl --brokers signs with (the system key may act for anyone).
std::string GatewayKeysDir();
std::string SystemKeyFile();

// docketd on `bootstrap` with data directory `dir`, the keys of
// GatewayKeysDir (signatures required), its stdout and stderr
// in dir.out and dir.log; the deadline scanner off unless `extra` sets it.
std::unique_ptr<Child> StartDocketd(const std::string& bootstrap, const std::string& dir,
                                    const std::string& instance,
                                    std::vector<std::string> extra = {});

// A test with its own mock cluster (3 brokers, 6 partitions per topic).
class KafkaClusterTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // `docketctl --brokers submit` of `input`.
  RunResult Submit(const std::string& input, const std::string& timeout = "60s");

  std::unique_ptr<kafka::MockCluster> cluster_;
  std::string bootstrap_;
};

}  // namespace docket::testing

#endif  // DOCKET_TESTS_TESTING_KAFKA_RIG_H_
