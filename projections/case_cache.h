#ifndef DOCKET_PROJECTIONS_CASE_CACHE_H_
#define DOCKET_PROJECTIONS_CASE_CACHE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "docket/v1/directory.pb.h"
#include "docket/v1/state.pb.h"
#include "projections/store.h"

namespace docket {

// The case states a batch is working on: read through to the store once,
// then kept in memory so later commands and events of the same batch see
// the writes not yet committed. Dropped (Clear) after each commit to keep
// memory bounded by the batch, not the data set.
//
// Thread safety: none; one batch at a time.
class CaseCache {
 public:
  explicit CaseCache(const Store* store) : store_(store) {}

  struct Entry {
    v1::CaseState state;  // Current, with the batch's events applied.
    // What the projector's Flush compares, as stored when first read.
    int64_t initial_revision = 0;
    v1::Stage initial_stage = v1::STAGE_UNSPECIFIED;
    std::vector<std::string> initial_due_keys;
    bool dirty = false;  // Events were applied: the projector must flush it.
  };

  // The current state of `case_id` (default when it does not exist).
  absl::StatusOr<v1::CaseState*> Get(const std::string& case_id);
  absl::StatusOr<Entry*> GetEntry(const std::string& case_id);

  std::map<std::string, Entry>& entries() { return states_; }

  // The directory (the "@directory" stream), read through once like a case.
  struct DirectoryEntry {
    v1::DirectoryState state;
    bool dirty = false;
  };
  absl::StatusOr<DirectoryEntry*> GetDirectory();
  // The directory entry if it was read in this batch, else null.
  DirectoryEntry* directory() { return directory_.has_value() ? &*directory_ : nullptr; }

  // Report counter deltas of the events applied since the last flush,
  // summed per stats key: the projector writes one merge per key per batch.
  std::map<std::string, int64_t>& stats() { return stats_; }
  void Clear() {
    states_.clear();
    stats_.clear();
    directory_.reset();
  }
  size_t size() const { return states_.size(); }

 private:
  const Store* store_;
  std::map<std::string, Entry> states_;
  std::map<std::string, int64_t> stats_;
  std::optional<DirectoryEntry> directory_;
};

}  // namespace docket

#endif  // DOCKET_PROJECTIONS_CASE_CACHE_H_
