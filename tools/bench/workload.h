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
// `cases` customer cases on mixed channels, 65 % complaints (intake,
// acknowledgement, acceptance, photos for damage, an investigation where
// the rules need one with a progress notice for some, a task group for
// MAJOR or multi-department complaints, a computed proposal, the customer's
// reply (some reject: special handling and a new proposal with goodwill;
// some reject again: a referral to litigation or the insurer), payment,
// penalties on internal findings, a report upward, follow-up and archive;
// 3 % under a routine warning, 1 % a media warning), 28 % inquiries
// (answered at once or routed), 7 % suggestions (routed, evaluated, fed
// back); and, after a payment for another branch's or a third party's
// fault, half the time a recovery child case (network recovery or
// subrogation).
// About 10 commands a case (tools/bench/lifecycles.h). Deterministic for a
// seed; occurred_at ascends from 2026-11-02.
std::vector<v1::Command> GenerateWorkload(const WorkloadOptions& options);

// The photo the workload's damage complaints attach, its handler E-101's
// upload: a 24×16 PNG, examples/evidence/acrylic_sign_crack.png, named in
// the evidence store by its hash (a photo is nowhere else). A run stores
// it first (bench_org.h, StoreTheWorkloadsPhoto).
v1::Evidence WorkloadPhoto();

}  // namespace docket::bench

#endif  // DOCKET_TOOLS_BENCH_WORKLOAD_H_
