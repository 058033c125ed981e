#ifndef DOCKET_TOOLS_BENCH_BENCH_ORG_H_
#define DOCKET_TOOLS_BENCH_BENCH_ORG_H_

#include "absl/status/status.h"
#include "services/runtime/command_processor.h"
#include "services/runtime/evidence_store.h"

namespace docket::bench {

// Bootstraps the directory of a fresh data directory (administrator
// "admin") and applies the examples' organisation, examples/org.ndjson,
// compiled in: the principals the generated workload acts as. Any refusal
// is an error.
absl::Status OrganiseLikeTheExamples(CommandProcessor* processor);

// Stores the workload's photo (WorkloadPhoto) in `evidence` as uploaded by
// its handler, so that its damage complaints attach it as docketd's
// handlers would; an error if the bytes are not the photo it names.
absl::Status StoreTheWorkloadsPhoto(const EvidenceStore& evidence);

}  // namespace docket::bench

#endif  // DOCKET_TOOLS_BENCH_BENCH_ORG_H_
