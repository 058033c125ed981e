#include "services/kafka/directory_slices.h"

#include <algorithm>

namespace docket::kafka {

void DirectorySlices::Note(int topic, int64_t offset, const std::optional<Source>& source,
                           std::optional<std::pair<int64_t, std::string>> directory_event) {
  next_[topic] = std::max(next_[topic], offset + 1);
  if (!source.has_value()) return;
  const SliceTracker::Key key = SliceTracker::KeyOf(*source);
  read_past_[topic] = std::max(read_past_[topic], key.first);
  Pending& pending = pending_[key];
  if (pending.first_offset[topic] < 0) pending.first_offset[topic] = offset;
  if (directory_event.has_value()) {
    pending.directory.insert_or_assign(directory_event->first, std::move(directory_event->second));
  }
  if (!slices_.Note(*source)) return;
  // Complete: its directory events are committed.
  for (auto& [revision, bytes] : pending.directory) {
    confirmed_.insert_or_assign(revision, std::move(bytes));
  }
  slices_.Forget(key);
  pending_.erase(key);
}

int DirectorySlices::GiveUpAborted() {
  int given_up = 0;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (read_past_[kEvents] > it->first.last && read_past_[kRejections] > it->first.last) {
      slices_.Forget(it->first);
      it = pending_.erase(it);
      ++given_up;
    } else {
      ++it;
    }
  }
  return given_up;
}

bool DirectorySlices::Waiting() const {
  return std::any_of(pending_.begin(), pending_.end(),
                     [](const auto& p) { return !p.second.directory.empty(); });
}

int64_t DirectorySlices::ResumeAt(int topic) const {
  int64_t at = next_[topic];
  for (const auto& [key, pending] : pending_) {
    if (pending.first_offset[topic] >= 0) at = std::min(at, pending.first_offset[topic]);
  }
  return at;
}

}  // namespace docket::kafka
