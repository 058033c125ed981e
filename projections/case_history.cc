#include "projections/case_history.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "engine/evolve.h"
#include "engine/time_util.h"
#include "projections/keys.h"

namespace docket {

absl::Status ForEachEvent(
    const Store& store, const std::string& case_id,
    const std::function<bool(const v1::StoredEvent&, const v1::CaseEvent&)>& visit) {
  const std::string prefix = keys::CasePrefix(case_id);
  std::unique_ptr<rocksdb::Iterator> it = store.NewIterator(Cf::kHistory);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    v1::StoredEvent stored;
    v1::CaseEvent event;
    if (!stored.ParseFromArray(it->value().data(), it->value().size()) ||
        !event.ParseFromString(stored.event())) {
      return absl::DataLossError(absl::StrCat("case ", case_id, ": an event does not decode"));
    }
    if (!visit(stored, event)) break;
  }
  return FromRocks(it->status(), "reading history");
}

absl::StatusOr<v1::CaseState> CaseStateAt(const Store& store, const std::string& case_id,
                                          int64_t revision, absl::Time as_of) {
  v1::CaseState state;
  absl::Status read =
      ForEachEvent(store, case_id, [&](const v1::StoredEvent& stored, const v1::CaseEvent& e) {
        if (revision > 0 && e.revision() > revision) return false;
        if (ToTime(e.recorded_at()) > as_of) return false;
        Apply(e, &state);
        state.set_hash_head(stored.hash());
        return true;
      });
  if (!read.ok()) return read;
  return state;
}

}  // namespace docket
