#ifndef DOCKET_TOOLS_BENCH_PG_PEER_H_
#define DOCKET_TOOLS_BENCH_PG_PEER_H_

#include <string>

#include "tools/bench/results.h"

namespace docket::bench {

// The way a typical ticket desk applies the same commands: a local
// PostgreSQL server (initialised in a fresh directory under /tmp, listening
// only on a Unix socket there, run as the unprivileged `postgres` user when
// we are root, stopped and removed afterwards unless it failed) with a cases table and an events
// table; each command is a state check (SELECT ... FOR UPDATE), an update or insert of the case,
// and an insert of the event, in transactions of 512 commands, durable (fsync and
// synchronous_commit on) like docket's group commit. Reports postgres_commands_per_s over the first
// `commands` commands.
Results PostgresPeer(const std::string& workload, size_t commands);

}  // namespace docket::bench

#endif  // DOCKET_TOOLS_BENCH_PG_PEER_H_
