#ifndef DOCKET_TOOLS_BENCH_BENCH_RUN_H_
#define DOCKET_TOOLS_BENCH_BENCH_RUN_H_

#include <cstdint>
#include <set>
#include <string>

namespace docket::bench {

struct RunOptions {
  bool quick = false;
  int cases = 2000;
  uint32_t seed = 1;
  std::string json_path;  // Empty: no JSON file.
  std::string work_dir;   // Empty: a fresh directory under $TMPDIR.
  bool postgres = true;
  bool kafka = true;
  // The phases to measure, by name (submit, latency, replay, raw, api,
  // api_latency, kafka, kafka_latency, postgres); empty: every phase.
  // replay and raw read what submit wrote, so they bring it along.
  std::set<std::string> phases;
};

// Measures, on one generated workload and in one run, each phase in its own
// process (so each peak RSS is its own): durable submit through the engine
// loop; latency at a fixed offered rate; replay of every projection; raw
// RocksDB puts of the same number and sizes of records, and the fsync
// rate; the Kafka path (kafka_phase.h); the PostgreSQL ticket-desk peer. Prints a table; writes
// JSON when asked. Returns the process exit code.
int Run(const RunOptions& options);

}  // namespace docket::bench

#endif  // DOCKET_TOOLS_BENCH_BENCH_RUN_H_
