#ifndef DOCKET_TOOLS_BENCH_KAFKA_PHASE_H_
#define DOCKET_TOOLS_BENCH_KAFKA_PHASE_H_

#include <cstddef>
#include <string>

#include "tools/bench/results.h"

namespace docket::bench {

// The Kafka path, measured from docket.commands to the folded projection:
// one docketd engine (exactly-once transactions on, as in production), the
// mock cluster (3 brokers, 6 partitions) and an idempotent producer, all in
// this process, on a fresh data directory `dir`. The engine's group join
// and first restore are done before the clock starts.

// Throughput: the first `commands` of `workload` published as fast as the
// producer takes them; figures kafka_commands, kafka_seconds and
// kafka_commands_per_s.
Results KafkaThroughput(const std::string& workload, const std::string& dir, size_t commands);

// Latency at `rate` commands/s offered for `seconds`: each command's time
// from its offer to the fold of its batch; figures kafka_p50_ms,
// kafka_p99_ms and kafka_latency_commands.
Results KafkaLatency(const std::string& workload, const std::string& dir, double rate,
                     double seconds);

}  // namespace docket::bench

#endif  // DOCKET_TOOLS_BENCH_KAFKA_PHASE_H_
