#ifndef DOCKET_SERVICES_RUNTIME_SERVED_BY_H_
#define DOCKET_SERVICES_RUNTIME_SERVED_BY_H_

#include <optional>
#include <string>

#include "absl/status/status.h"

namespace docket {

// The mark a serving docketd leaves in its data directory, DIR/SERVED_BY
// ("<pid> <url>"), so that docketctl --data_dir refuses at once, with the
// server's address, instead of waiting for the directory's lock.

// Writes the mark for this process, serving at `url`.
absl::Status MarkServed(const std::string& dir, const std::string& url);
// Removes it (a clean exit).
void UnmarkServed(const std::string& dir);
// The URL of the docketd serving `dir` now; nullopt when none is (no mark,
// or the mark of a process that is gone, is not docketd, or does not hold
// the directory's lock: a killed server's, its pid maybe reused).
// REQUIRES: this process does not have `dir`'s store open (closing any
// descriptor of the LOCK file would drop the process's lock on it).
std::optional<std::string> ServedBy(const std::string& dir);

}  // namespace docket

#endif  // DOCKET_SERVICES_RUNTIME_SERVED_BY_H_
