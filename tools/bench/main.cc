// docket_bench: workloads and measurements for docket.
//
//   docket_bench generate --cases=N --seed=S          NDJSON commands on stdout
//   docket_bench run [--quick] [--json=FILE]          measure; see BENCHMARKS.md

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "services/runtime/json_codec.h"
#include "tools/bench/bench_run.h"
#include "tools/bench/workload.h"

ABSL_FLAG(int32_t, cases, 0,
          "generate/run: number of case lifecycles (run default: 2,000 quick, 95,000 full (over 1 "
          "M events)).");
ABSL_FLAG(uint32_t, seed, 1, "generate/run: workload seed.");
ABSL_FLAG(bool, quick, false, "run: a small workload that finishes within two minutes.");
ABSL_FLAG(std::string, json, "", "run: also write the results as JSON to this file.");
ABSL_FLAG(std::string, work_dir, "", "run: scratch directory (default: a new one under $TMPDIR).");
ABSL_FLAG(bool, postgres, true, "run: measure the PostgreSQL ticket-desk peer.");
ABSL_FLAG(std::vector<std::string>, phases, {},
          "run: only these phases, comma-separated (submit, latency, replay, raw, api, "
          "api_latency, kafka, kafka_latency, postgres); default every phase.");
ABSL_FLAG(bool, kafka, true, "run: measure the Kafka path (docketd on the mock cluster).");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "docket_bench generate --cases=N --seed=S | docket_bench run [--quick] [--json=FILE]");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string command = args.size() > 1 ? args[1] : "";
  if (command == "generate") {
    docket::bench::WorkloadOptions options;
    options.cases = absl::GetFlag(FLAGS_cases) > 0 ? absl::GetFlag(FLAGS_cases) : 1000;
    options.seed = absl::GetFlag(FLAGS_seed);
    for (const auto& c : docket::bench::GenerateWorkload(options)) {
      std::cout << docket::ToJson(c) << "\n";
    }
    return 0;
  }
  if (command == "run") {
    docket::bench::RunOptions options;
    options.quick = absl::GetFlag(FLAGS_quick);
    options.cases = absl::GetFlag(FLAGS_cases) > 0 ? absl::GetFlag(FLAGS_cases)
                                                   : (options.quick ? 2000 : 95000);
    options.seed = absl::GetFlag(FLAGS_seed);
    options.json_path = absl::GetFlag(FLAGS_json);
    options.work_dir = absl::GetFlag(FLAGS_work_dir);
    options.postgres = absl::GetFlag(FLAGS_postgres);
    options.kafka = absl::GetFlag(FLAGS_kafka);
    for (const std::string& p : absl::GetFlag(FLAGS_phases)) options.phases.insert(p);
    return docket::bench::Run(options);
  }
  std::cerr << "usage: docket_bench generate --cases=N --seed=S | docket_bench run [--quick] "
               "[--json=FILE]\n";
  return 2;
}
