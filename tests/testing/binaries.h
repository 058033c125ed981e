#ifndef DOCKET_TESTS_TESTING_BINARIES_H_
#define DOCKET_TESTS_TESTING_BINARIES_H_

#include <string>

namespace docket::testing {

// The paths of docket's binaries in the test's runfiles. A test that runs
// one lists its target in `data`.
std::string DocketctlPath();    // //tools/docketctl
std::string DocketdPath();      // //services/docketd
std::string KafkaMockPath();    // //tools/kafka:kafka_mock
std::string DocketBenchPath();  // //tools/bench:docket_bench

// The example commands, examples/seed_cases.ndjson in the runfiles.
std::string SeedCasesPath();

// The examples' organisation, examples/org.ndjson in the runfiles: the
// regions, branches and principals every example command acts as.
std::string OrgPath();

// The simulated clock example and generated commands are submitted under:
// they date from November 2026, and a step may be backdated only minutes;
// the drill clock starts before them and follows each to its time.
inline constexpr char kExamplesClock[] = "--clock=2026-10-01T00:00:00Z";

}  // namespace docket::testing

#endif  // DOCKET_TESTS_TESTING_BINARIES_H_
