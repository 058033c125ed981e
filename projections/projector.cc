#include "projections/projector.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/deadlines.h"
#include "engine/deterministic_bytes.h"
#include "engine/directory.h"
#include "engine/evolve.h"
#include "engine/time_util.h"
#include "projections/hash_chain.h"
#include "projections/int64_add_operator.h"
#include "projections/keys.h"

namespace docket {
namespace {

// Upper bounds (minutes) of the response-time histogram buckets; the last
// bucket is open-ended.
constexpr int64_t kBucketMinutes[] = {15, 30, 60, 120, 240, 480, 1440, 4320, 10080};

std::string Bucket(int64_t seconds) {
  for (int64_t upper : kBucketMinutes) {
    if (seconds <= upper * 60) return absl::StrCat("le_", upper);
  }
  return "le_inf";
}

std::string Day(const google::protobuf::Timestamp& t) { return ChinaDay(ToTime(t)); }

}  // namespace

std::vector<std::string> DueKeys(const v1::CaseState& s) {
  std::vector<std::string> out;
  if (s.revision() == 0 || IsClosed(s)) return out;
  for (const v1::Deadline& d : s.deadlines()) {
    if (std::optional<absl::Time> at = NextActionTime(d)) {
      out.push_back(keys::Due(*at, s.case_id(), d.kind()));
    }
  }
  return out;
}

const std::vector<int64_t>& HistogramBucketsMinutes() {
  static const auto* const kBuckets =
      new std::vector<int64_t>(std::begin(kBucketMinutes), std::end(kBucketMinutes));
  return *kBuckets;
}

std::string EncodeStatsKey(const StatsKey& k) {
  return absl::StrJoin(
      {k.day, k.category, k.channel, k.severity, k.branch, k.kind, k.warning, k.metric},
      absl::string_view("\0", 1));
}

bool DecodeStatsKey(absl::string_view bytes, StatsKey* k) {
  std::vector<std::string> parts = absl::StrSplit(bytes, absl::string_view("\0", 1));
  if (parts.size() == 6) {  // Written before kinds and warnings: complaints.
    *k = {parts[0], parts[1], parts[2], parts[3], parts[4], "COMPLAINT", "-", parts[5]};
    return true;
  }
  if (parts.size() != 8) return false;
  *k = {parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6], parts[7]};
  return true;
}

namespace {

// An enum value's name without its prefix, "-" when unspecified.
template <typename Enum>
std::string Dimension(Enum value, const std::string& name, absl::string_view prefix) {
  return static_cast<int>(value) == 0 ? "-" : std::string(absl::StripPrefix(name, prefix));
}

}  // namespace

v1::CaseState Projector::StatsBefore(const v1::CaseState& state) {
  // What the report counters compare: the clocks, the first response and
  // the first result.
  v1::CaseState before;
  *before.mutable_deadlines() = state.deadlines();
  if (state.has_acknowledged_at()) *before.mutable_acknowledged_at() = state.acknowledged_at();
  if (state.has_first_replied_at()) *before.mutable_first_replied_at() = state.first_replied_at();
  return before;
}

std::map<std::string, int64_t> Projector::StatsDeltas(const v1::CaseEvent& event,
                                                      const v1::CaseState& before,
                                                      const v1::CaseState& after) {
  StatsKey k;
  k.day = Day(event.occurred_at());
  k.category = Dimension(after.category(), v1::Category_Name(after.category()), "CATEGORY_");
  k.channel =
      Dimension(after.intake().channel(), v1::Channel_Name(after.intake().channel()), "CHANNEL_");
  k.severity = Dimension(after.severity(), v1::Severity_Name(after.severity()), "SEVERITY_");
  k.branch = after.intake().handling_branch().empty() ? "-" : after.intake().handling_branch();
  const v1::CaseKind kind =
      after.kind() == v1::CASE_KIND_UNSPECIFIED ? v1::CASE_KIND_COMPLAINT : after.kind();
  k.kind = Dimension(kind, v1::CaseKind_Name(kind), "CASE_KIND_");
  k.warning =
      Dimension(after.warning(), v1::CustomerWarning_Name(after.warning()), "CUSTOMER_WARNING_");
  std::map<std::string, int64_t> out;
  auto add = [&](absl::string_view metric, int64_t delta) {
    k.metric = std::string(metric);
    out[EncodeStatsKey(k)] += delta;
  };
  // SLA: each clock counts once, as met on time or as breached. A clock is
  // met on time unless the fold judged it met late (Deadline.met_late),
  // whether or not the scanner ran in between; met late, it counts as
  // breached then.
  // Deadlines are only ever replaced in place or appended, so index i of
  // `before` is the same clock as index i of `after`.
  for (int i = 0; i < after.deadlines_size() && i < before.deadlines_size(); ++i) {
    const v1::Deadline& d = after.deadlines(i);
    const v1::Deadline& was = before.deadlines(i);
    if (d.met() && !was.met() && d.breach_count() == 0) {
      add(d.met_late() ? "deadlines_breached" : "deadlines_met_on_time", 1);
    }
    if (d.breach_count() > 0 && was.breach_count() == 0) add("deadlines_breached", 1);
  }
  const int64_t since_open =
      absl::ToInt64Seconds(ToTime(event.occurred_at()) - ToTime(after.opened_at()));
  // The first response (Acknowledged; an inquiry's answer or routing) and
  // the first handling result (CustomerReplied; an inquiry's answer, a
  // suggestion's feedback).
  if (after.has_acknowledged_at() && !before.has_acknowledged_at()) {
    add("first_response_n", 1);
    add("first_response_s", since_open);
    add(absl::StrCat("first_response_", Bucket(since_open)), 1);
  }
  if (after.has_first_replied_at() && !before.has_first_replied_at()) {
    add("result_n", 1);
    add("result_s", since_open);
    add(absl::StrCat("result_", Bucket(since_open)), 1);
  }
  switch (event.body_case()) {
    case v1::CaseEvent::kCaseOpened:
      add("opened", 1);
      add("claim_fen", after.claim_fen());
      break;
    case v1::CaseEvent::kAccepted:
      add("handled", 1);
      break;
    case v1::CaseEvent::kRoutedToDepartment:
      add("routed", 1);
      break;
    case v1::CaseEvent::kProgressNoticeSent:
      add("progress_notices", 1);
      break;
    case v1::CaseEvent::kClosedByReferral:
      add("referred", 1);
      break;
    case v1::CaseEvent::kRecoverySettled:
      add("recovered_fen", event.recovery_settled().recovered_fen());
      break;
    case v1::CaseEvent::kCompensationPaid:
      add("paid_fen", event.compensation_paid().amount_fen());
      break;
    case v1::CaseEvent::kPenaltyDecided:
      add("penalties", 1);
      add("penalty_fen", event.penalty_decided().penalty().amount_fen());
      break;
    case v1::CaseEvent::kFollowUpRecorded:
      add("satisfaction_n", 1);
      add("satisfaction_sum", event.follow_up_recorded().satisfaction());
      break;
    case v1::CaseEvent::kDeadlineBreached:
      add("breaches", 1);
      break;
    case v1::CaseEvent::kEscalated:
      add("escalations", 1);
      break;
    case v1::CaseEvent::kArchived:
      add("archived", 1);
      break;
    case v1::CaseEvent::kMerged:
      add("merged", 1);
      break;
    default:
      break;
  }
  return out;
}

absl::StatusOr<bool> Projector::FoldDirectory(const v1::StoredEvent& stored,
                                              const v1::CaseEvent& event, CaseCache* cache,
                                              rocksdb::WriteBatch* batch,
                                              const std::string* stored_bytes) const {
  absl::StatusOr<CaseCache::DirectoryEntry*> entry = cache->GetDirectory();
  if (!entry.ok()) return entry.status();
  v1::DirectoryState* state = &(*entry)->state;
  if (event.revision() <= state->revision()) return false;  // Already applied.
  const std::string where = absl::StrCat("the directory's revision ", event.revision());
  if (event.revision() != state->revision() + 1 || !event.has_directory_changed()) {
    return absl::DataLossError(absl::StrCat(where, ": the directory is at revision ",
                                            state->revision(), "; a revision is missing"));
  }
  absl::Status link = VerifyLink(stored, state->hash_head(), where);
  if (!link.ok()) return link;
  ApplyDirectoryChange(event, state);
  state->set_hash_head(stored.hash());
  (*entry)->dirty = true;
  batch->Put(store_->cf(Cf::kHistory), keys::History(event.case_id(), event.revision()),
             stored_bytes != nullptr ? *stored_bytes : stored.SerializeAsString());
  return true;
}

absl::StatusOr<bool> Projector::Fold(const v1::StoredEvent& stored, CaseCache* cache,
                                     rocksdb::WriteBatch* batch, v1::CaseEvent* decoded,
                                     const std::string* stored_bytes) const {
  v1::CaseEvent local;
  v1::CaseEvent& event = decoded != nullptr ? *decoded : local;
  if (!event.ParseFromString(stored.event())) {
    return absl::DataLossError("a stored event does not decode as docket.v1.CaseEvent");
  }
  if (event.case_id() == kDirectoryStream)
    return FoldDirectory(stored, event, cache, batch, stored_bytes);
  absl::StatusOr<CaseCache::Entry*> entry = cache->GetEntry(event.case_id());
  if (!entry.ok()) return entry.status();
  v1::CaseState* state = &(*entry)->state;
  if (event.revision() <= state->revision()) return false;  // Already applied.
  const std::string where = absl::StrCat("case ", event.case_id(), " revision ", event.revision());
  if (event.revision() != state->revision() + 1) {
    return absl::DataLossError(absl::StrCat(where, ": the case is at revision ", state->revision(),
                                            "; a revision is missing"));
  }
  absl::Status link = VerifyLink(stored, state->hash_head(), where);
  if (!link.ok()) return link;

  const v1::CaseState before = StatsBefore(*state);
  Apply(event, state);
  state->set_hash_head(stored.hash());
  cache->MarkDirty(event.case_id(), *entry);

  batch->Put(store_->cf(Cf::kHistory), keys::History(event.case_id(), event.revision()),
             stored_bytes != nullptr ? *stored_bytes : stored.SerializeAsString());
  if (event.has_case_opened()) {
    const v1::Intake& in = event.case_opened().intake();
    batch->Put(store_->cf(Cf::kByCustomer), keys::ByOwner(in.customer().id(), event.case_id()), "");
    if (!in.shipment().waybill().empty()) {
      batch->Put(store_->cf(Cf::kByWaybill),
                 keys::ByOwner(in.shipment().waybill(), event.case_id()), "");
    }
    if (!in.link().case_id().empty()) {
      batch->Put(store_->cf(Cf::kByLink), keys::ByOwner(in.link().case_id(), event.case_id()), "");
    }
  }
  for (const auto& [key, delta] : StatsDeltas(event, before, *state)) {
    cache->stats()[key] += delta;
  }
  return true;
}

void Projector::Flush(CaseCache* cache, rocksdb::WriteBatch* batch) const {
  for (const std::string& case_id : cache->dirty()) {
    CaseCache::Entry& entry = cache->entry(case_id);
    const v1::CaseState& after = entry.state;
    batch->Put(store_->cf(Cf::kCases), case_id, after.SerializeAsString());
    const std::vector<std::string>& old_keys = entry.initial_due_keys;
    std::vector<std::string> new_keys = DueKeys(after);
    for (const std::string& key : old_keys) {
      if (std::find(new_keys.begin(), new_keys.end(), key) == new_keys.end()) {
        batch->Delete(store_->cf(Cf::kDue), key);
      }
    }
    for (const std::string& key : new_keys) {
      if (std::find(old_keys.begin(), old_keys.end(), key) == old_keys.end()) {
        batch->Put(store_->cf(Cf::kDue), key, "");
      }
    }
    if (entry.initial_stage != after.stage()) {
      if (entry.initial_revision > 0) {
        batch->Delete(store_->cf(Cf::kByStatus), keys::ByStatus(entry.initial_stage, case_id));
      }
      batch->Put(store_->cf(Cf::kByStatus), keys::ByStatus(after.stage(), case_id), "");
    }
    // As the store will hold it: a cache kept past this batch (the
    // processor's, RetainCommittedStates) compares the next one with it.
    entry.initial_revision = after.revision();
    entry.initial_stage = after.stage();
    entry.initial_due_keys = std::move(new_keys);
    entry.dirty = false;
  }
  cache->ClearDirty();
  if (CaseCache::DirectoryEntry* directory = cache->directory();
      directory != nullptr && directory->dirty) {
    // Deterministic: its map of passwords must give the same bytes every
    // time, so that a replay rebuilds the projection bit for bit.
    batch->Put(store_->cf(Cf::kDirectory), kDirectoryKey, DeterministicBytes(directory->state));
    directory->dirty = false;
  }
  for (const auto& [key, delta] : cache->stats()) {
    if (delta != 0) batch->Merge(store_->cf(Cf::kStats), key, Int64AddOperator::Encode(delta));
  }
  cache->stats().clear();
}

}  // namespace docket
