#include "tests/testing/binaries.h"

#include "tests/testing/subprocess.h"

namespace docket::testing {

std::string DocketctlPath() { return Runfile("tools/docketctl/docketctl"); }
std::string DocketdPath() { return Runfile("services/docketd/docketd"); }
std::string KafkaMockPath() { return Runfile("tools/kafka/kafka_mock"); }
std::string DocketBenchPath() { return Runfile("tools/bench/docket_bench"); }
std::string SeedCasesPath() { return Runfile("examples/seed_cases.ndjson"); }
std::string OrgPath() { return Runfile("examples/org.ndjson"); }

}  // namespace docket::testing
