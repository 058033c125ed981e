#ifndef DOCKET_TOOLS_BENCH_WORKLOAD_H_
#define DOCKET_TOOLS_BENCH_WORKLOAD_H_

#include <cstdint>
#include <vector>

#include "docket/v1/commands.pb.h"

namespace docket::bench {

struct WorkloadOptions {
  int cases = 1000;
  uint32_t seed = 1;
  // Cases in flight at once: commands of this many cases interleave.
  int concurrency = 200;
  // Share of extra commands the engine must refuse (out of order, unknown
  // case) or treat as duplicates (a repeated command id).
  double bad_share = 0.03;
};

// Realistic full case lifecycles, interleaved the way live traffic is:
// intake on mixed channels and categories, acknowledgement, acceptance,
// photos for damage, an investigation where the rules need one, a computed
// proposal, the customer's reply (some reject: special handling and a new
// proposal with goodwill), payment, penalties on internal findings, a
// report upward, follow-up and archive; about 10-15 commands a case.
// Deterministic for a seed; occurred_at ascends from 2026-11-02.
std::vector<v1::Command> GenerateWorkload(const WorkloadOptions& options);

}  // namespace docket::bench

#endif  // DOCKET_TOOLS_BENCH_WORKLOAD_H_
