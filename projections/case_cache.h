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
// the writes not yet committed. Dropped (Clear) after a commit to keep
// memory bounded, or kept as committed by a store's one writer
// (CommandProcessor::RetainCommittedStates).
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

  // Marks `case_id`'s entry (from GetEntry) as changed by the batch.
  void MarkDirty(const std::string& case_id, Entry* entry) {
    if (entry->dirty) return;
    entry->dirty = true;
    dirty_.push_back(case_id);
  }
  // The cases changed since the last flush, in the order first changed
  // (entries kept past a commit are many more: these are what a batch
  // flushes and what it opened).
  const std::vector<std::string>& dirty() const { return dirty_; }
  Entry& entry(const std::string& case_id) { return states_.at(case_id); }
  void ClearDirty() { dirty_.clear(); }

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
    dirty_.clear();
    stats_.clear();
    directory_.reset();
  }
  size_t size() const { return states_.size(); }

 private:
  const Store* store_;
  std::map<std::string, Entry> states_;
  std::vector<std::string> dirty_;
  std::map<std::string, int64_t> stats_;
  std::optional<DirectoryEntry> directory_;
};

}  // namespace docket

#endif  // DOCKET_PROJECTIONS_CASE_CACHE_H_
