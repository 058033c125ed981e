#ifndef DOCKET_TOOLS_BENCH_BENCH_ORG_H_
#define DOCKET_TOOLS_BENCH_BENCH_ORG_H_

#include "absl/status/status.h"
#include "services/runtime/command_processor.h"

namespace docket::bench {

// Bootstraps the directory of a fresh data directory (administrator
// "admin") and applies the examples' organisation, examples/org.ndjson,
// compiled in: the principals the generated workload acts as. Any refusal
// is an error.
absl::Status OrganiseLikeTheExamples(CommandProcessor* processor);

}  // namespace docket::bench

#endif  // DOCKET_TOOLS_BENCH_BENCH_ORG_H_
