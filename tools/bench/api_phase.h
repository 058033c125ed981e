#ifndef DOCKET_TOOLS_BENCH_API_PHASE_H_
#define DOCKET_TOOLS_BENCH_API_PHASE_H_

#include <cstddef>
#include <string>

#include "tools/bench/results.h"

namespace docket::bench {

// The service path: docketd's API server (the real ApiServer, CommitQueue
// and runtime, in this process) on loopback, on a fresh data directory
// `dir` organised like the examples, each principal of the workload with an
// API token. 64 client threads, each with one keep-alive connection, send
// single commands (POST /v1/commands, JSON) as their principals; a case's
// commands all go through one client, in order. Each command is decided at
// the time it occurred, as the Kafka engine decides at a record's time.

// Throughput: the first `commands` of `workload`, each client sending as
// fast as its answers come; figures api_commands, api_rejected,
// api_seconds, api_commands_per_s, api_commit_groups.
Results ApiThroughput(const std::string& workload, const std::string& dir, size_t commands);

// Latency at `rate` commands/s offered for `seconds`: each command from its
// offer to its 200 answer (durable); figures api_p50_ms, api_p99_ms,
// api_latency_commands.
Results ApiLatency(const std::string& workload, const std::string& dir, double rate,
                   double seconds);

}  // namespace docket::bench

#endif  // DOCKET_TOOLS_BENCH_API_PHASE_H_
