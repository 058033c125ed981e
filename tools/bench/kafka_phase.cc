#include "tools/bench/kafka_phase.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "engine/business_calendar.h"
#include "engine/policy.h"
#include "engine/time_util.h"
#include "services/kafka/client.h"
#include "services/kafka/engine.h"
#include "services/kafka/wire.h"
#include "services/runtime/embedded_runtime.h"
#include "tools/bench/bench_org.h"
#include "tools/bench/workload_file.h"
#include "tools/kafka/mock_cluster.h"

namespace docket::bench {
namespace {

using Clock = std::chrono::steady_clock;

// The engine, its cluster and a producer of commands, in this process.
// Records when each command was offered, where it landed, and when each
// partition's batches were folded.
class KafkaRig {
 public:
  static absl::StatusOr<std::unique_ptr<KafkaRig>> Start(const std::string& dir);
  ~KafkaRig();

  // Publishes `command` to its case's partition; its offer time is now.
  absl::Status Offer(const v1::Command& command);
  // Waits until every command offered so far is folded.
  absl::Status WaitAllFolded(absl::Duration timeout);
  // Per command offered since the last Forget: offer to fold, in ms.
  std::vector<double> LatenciesMs();
  // Drops what was offered so far (the warm-up).
  void Forget();

 private:
  struct Fold {
    int64_t next;          // Commands before this offset are folded...
    Clock::time_point at;  // ...at this time.
  };
  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);

  std::unique_ptr<kafka::MockCluster> cluster_;
  std::unique_ptr<EmbeddedRuntime> runtime_;
  std::unique_ptr<kafka::Engine> engine_;
  std::atomic<bool> stop_{false};
  absl::Status engine_status_;
  std::thread engine_thread_;
  kafka::Handle producer_;
  int32_t partitions_ = 0;

  // Served on this thread (delivery reports come from rd_kafka_poll/flush).
  std::vector<Clock::time_point> offered_;
  std::vector<std::pair<int32_t, int64_t>> landed_;  // (partition, offset); -1 until known.
  int failed_deliveries_ = 0;

  // Written by the engine's thread.
  std::mutex mu_;
  std::condition_variable folded_cv_;
  std::vector<std::vector<Fold>> folds_;  // Per partition, in time order.
};

absl::StatusOr<std::unique_ptr<KafkaRig>> KafkaRig::Start(const std::string& dir) {
  std::unique_ptr<KafkaRig> rig(new KafkaRig());
  absl::StatusOr<std::unique_ptr<kafka::MockCluster>> cluster = kafka::MockCluster::Start(3, 6);
  if (!cluster.ok()) return cluster.status();
  rig->cluster_ = *std::move(cluster);
  // The workload's commands date from the past and are offered stamped
  // with their time, as a drill's (docketctl --clock) are.
  absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime = EmbeddedRuntime::Open(
      dir, DefaultPolicy(), DefaultBusinessCalendar(DefaultPolicy()), SystemClock::Get());
  if (!runtime.ok()) return runtime.status();
  rig->runtime_ = *std::move(runtime);
  // The workload acts as the examples' principals.
  absl::Status organised = OrganiseLikeTheExamples(rig->runtime_->processor());
  if (organised.ok()) organised = StoreTheWorkloadsPhoto(rig->runtime_->evidence());
  if (!organised.ok()) return organised;
  const kafka::ClientOptions client{rig->cluster_->bootstrap(), {}};

  absl::StatusOr<kafka::Handle> producer = kafka::NewHandle(
      RD_KAFKA_PRODUCER, client,
      {{"enable.idempotence", "true"},
       {"linger.ms", "5"},
       {"queue.buffering.max.messages", "1000000"}},
      [](rd_kafka_conf_t* conf, void*) { rd_kafka_conf_set_dr_msg_cb(conf, &OnDelivery); },
      rig.get());
  if (!producer.ok()) return producer.status();
  rig->producer_ = *std::move(producer);
  absl::StatusOr<int32_t> partitions =
      kafka::PartitionCount(rig->producer_.get(), kafka::kCommandsTopic, absl::Seconds(10));
  if (!partitions.ok()) return partitions.status();
  rig->partitions_ = *partitions;
  rig->folds_.resize(*partitions);

  kafka::EngineOptions options;
  options.client = client;
  options.instance = "bench";
  options.tick_every = absl::ZeroDuration();
  KafkaRig* self = rig.get();
  options.on_folded = [self](int32_t partition, int64_t next) {
    const Clock::time_point at = Clock::now();
    std::lock_guard<std::mutex> lock(self->mu_);
    self->folds_[partition].push_back({next, at});
    self->folded_cv_.notify_all();
  };
  absl::StatusOr<std::unique_ptr<kafka::Engine>> engine =
      kafka::Engine::Create(rig->runtime_.get(), std::move(options));
  if (!engine.ok()) return engine.status();
  rig->engine_ = *std::move(engine);
  rig->engine_thread_ = std::thread([self] {
    absl::Status status = self->engine_->Run(self->stop_);
    std::lock_guard<std::mutex> lock(self->mu_);
    self->engine_status_ = status;
    self->folded_cv_.notify_all();
  });
  return rig;
}

KafkaRig::~KafkaRig() {
  stop_.store(true);
  if (engine_thread_.joinable()) engine_thread_.join();
  engine_.reset();
  producer_.reset();
}

void KafkaRig::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  KafkaRig* rig = static_cast<KafkaRig*>(opaque);
  const size_t index = reinterpret_cast<uintptr_t>(m->_private);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++rig->failed_deliveries_;
    return;
  }
  if (index < rig->landed_.size()) rig->landed_[index] = {m->partition, m->offset};
}

absl::Status KafkaRig::Offer(const v1::Command& command) {
  const uintptr_t index = offered_.size();
  offered_.push_back(Clock::now());
  landed_.emplace_back(-1, -1);
  absl::Status produced = kafka::Produce(
      producer_.get(), kafka::kCommandsTopic, kafka::PartitionOf(command.case_id(), partitions_),
      command.case_id(), command.SerializeAsString(), kafka::CommandHeaders(command),
      reinterpret_cast<void*>(index), ToTime(command.occurred_at()));
  rd_kafka_poll(producer_.get(), 0);
  return produced;
}

absl::Status KafkaRig::WaitAllFolded(absl::Duration timeout) {
  const rd_kafka_resp_err_t flushed =
      rd_kafka_flush(producer_.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka::FromKafka(flushed, "flushing");
  if (failed_deliveries_ > 0) {
    return absl::InternalError(absl::StrCat(failed_deliveries_, " commands were not delivered"));
  }
  std::vector<int64_t> needed(partitions_, 0);
  for (const auto& [partition, offset] : landed_) {
    if (partition < 0) return absl::InternalError("a command has no delivery report");
    needed[partition] = std::max(needed[partition], offset + 1);
  }
  std::unique_lock<std::mutex> lock(mu_);
  const bool done =
      folded_cv_.wait_for(lock, std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)), [&] {
        if (!engine_status_.ok()) return true;
        for (int32_t p = 0; p < partitions_; ++p) {
          if (needed[p] > 0 && (folds_[p].empty() || folds_[p].back().next < needed[p])) {
            return false;
          }
        }
        return true;
      });
  if (!engine_status_.ok()) return engine_status_;
  if (!done) return absl::DeadlineExceededError("the engine did not fold every command in time");
  return absl::OkStatus();
}

std::vector<double> KafkaRig::LatenciesMs() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<double> latencies;
  latencies.reserve(offered_.size());
  for (size_t i = 0; i < offered_.size(); ++i) {
    const auto& [partition, offset] = landed_[i];
    if (partition < 0) continue;
    const std::vector<Fold>& folds = folds_[partition];
    // The first fold that covers the command's offset.
    auto fold = std::upper_bound(folds.begin(), folds.end(), offset,
                                 [](int64_t o, const Fold& f) { return o < f.next; });
    if (fold == folds.end()) continue;
    latencies.push_back(std::chrono::duration<double, std::milli>(fold->at - offered_[i]).count());
  }
  return latencies;
}

void KafkaRig::Forget() {
  offered_.clear();
  landed_.clear();
}

// A rig with its group joined and partitions restored: the first command
// of the workload went through it.
std::unique_ptr<KafkaRig> WarmRig(WorkloadReader& reader, const std::string& dir) {
  absl::StatusOr<std::unique_ptr<KafkaRig>> rig = KafkaRig::Start(dir);
  absl::Status warm = rig.ok() ? absl::OkStatus() : rig.status();
  if (warm.ok()) warm = (*rig)->Offer(reader.Next(1).at(0));
  if (warm.ok()) warm = (*rig)->WaitAllFolded(absl::Seconds(60));
  if (!warm.ok()) {
    std::cerr << "docket_bench: kafka: " << warm << "\n";
    std::_Exit(3);
  }
  (*rig)->Forget();
  return *std::move(rig);
}

void Check(const absl::Status& status) {
  if (status.ok()) return;
  std::cerr << "docket_bench: kafka: " << status << "\n";
  std::_Exit(3);
}

}  // namespace

Results KafkaThroughput(const std::string& workload, const std::string& dir, size_t commands) {
  WorkloadReader reader(workload);
  std::unique_ptr<KafkaRig> rig = WarmRig(reader, dir);
  std::vector<v1::Command> all = reader.Next(commands);
  const auto start = Clock::now();
  for (const v1::Command& c : all) Check(rig->Offer(c));
  Check(rig->WaitAllFolded(absl::Minutes(10)));
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  return {{"kafka_commands", double(all.size())},
          {"kafka_seconds", s},
          {"kafka_commands_per_s", all.size() / s}};
}

Results KafkaLatency(const std::string& workload, const std::string& dir, double rate,
                     double seconds) {
  WorkloadReader reader(workload);
  std::unique_ptr<KafkaRig> rig = WarmRig(reader, dir);
  std::vector<v1::Command> all = reader.Next(static_cast<size_t>(rate * seconds));
  const auto start = Clock::now();
  for (size_t i = 0; i < all.size(); ++i) {
    std::this_thread::sleep_until(start + std::chrono::duration<double>(i / rate));
    Check(rig->Offer(all[i]));
  }
  Check(rig->WaitAllFolded(absl::Minutes(2)));
  std::vector<double> latencies = rig->LatenciesMs();
  return {{"kafka_p50_ms", Percentile(latencies, 0.50)},
          {"kafka_p99_ms", Percentile(latencies, 0.99)},
          {"kafka_latency_commands", double(latencies.size())}};
}

}  // namespace docket::bench
