// Property test of the fold (STYLE.md: keep a model beside the real
// machine, restart, compare): random histories of many cases, decided by
// the engine, are folded through the Projector into a real Store in
// batches of random size, interleaved across cases, with the store closed
// and reopened at random points and random stretches folded twice. The
// stored projections must equal a model built by Evolve alone: each case's
// state (with its hash head), the history, the due and by_status indexes,
// the owner indexes and the report counters.

#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/decider.h"
#include "engine/deterministic_bytes.h"
#include "engine/evolve.h"
#include "engine/policy.h"
#include "engine/testing/case_harness.h"
#include "engine/testing/random_case.h"
#include "gtest/gtest.h"
#include "projections/case_cache.h"
#include "projections/hash_chain.h"
#include "projections/int64_add_operator.h"
#include "projections/keys.h"
#include "projections/projector.h"
#include "projections/store.h"
#include "tests/testing/data_dir.h"

namespace docket {
namespace {

using testing::CommandFromText;
using testing::RandomCase;

// One case's random history, decided by the engine: the stored events in
// order (chained) and the model's state, folded by Evolve alone.
struct ModelCase {
  std::vector<v1::StoredEvent> stored;
  v1::CaseState state;
};

ModelCase RandomHistory(uint32_t seed, const std::string& case_id) {
  RandomCase gen(seed);
  ModelCase model;
  absl::Time now = testing::TestEpoch();
  for (int step = 0; step < 40 && !IsClosed(model.state); ++step) {
    auto [body, actor] = step == 0         ? std::make_pair(gen.OpenCase(), testing::Handler())
                         : gen.Chance(0.8) ? gen.NextStep(model.state)
                                           : gen.AnyCommand();
    v1::Command command = CommandFromText(body);
    command.set_command_id(absl::StrCat(case_id, "-", step));
    command.set_case_id(case_id);
    *command.mutable_actor() = actor;
    now += absl::Minutes(gen.Uniform(1, 900));
    absl::StatusOr<std::vector<v1::CaseEvent>> events =
        Decide(model.state, command, DefaultPolicy(), now);
    if (!events.ok()) continue;
    for (const v1::CaseEvent& event : *events) {
      const std::string prev = model.state.hash_head();
      v1::StoredEvent stored = ChainEvent(DeterministicBytes(event), prev);
      model.state = Evolve(std::move(model.state), event);
      model.state.set_hash_head(stored.hash());
      model.stored.push_back(std::move(stored));
    }
  }
  return model;
}

// Every key and value of one column family.
std::map<std::string, std::string> Dump(const Store& store, Cf cf) {
  std::map<std::string, std::string> out;
  std::unique_ptr<rocksdb::Iterator> it = store.NewIterator(cf);
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out[it->key().ToString()] = it->value().ToString();
  EXPECT_TRUE(it->status().ok());
  return out;
}

TEST(ProjectorPropertyTest, BatchedInterleavedReopenedFoldsEqualTheModel) {
  constexpr int kRounds = 12;
  constexpr int kCases = 25;
  int64_t total_events = 0;
  for (uint32_t round = 1; round <= kRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    std::mt19937 rng(round);
    auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

    std::map<std::string, ModelCase> models;
    for (int c = 0; c < kCases; ++c) {
      const std::string id = absl::StrCat("C-R", round, "-", c);
      models[id] = RandomHistory(round * 1000 + c, id);
    }
    // The log: the cases' events interleaved at random, each case in order.
    std::vector<const v1::StoredEvent*> log;
    std::map<std::string, size_t> next;
    std::vector<std::string> ids;
    for (const auto& [id, model] : models) ids.push_back(id);
    for (size_t remaining = 0;;) {
      remaining = 0;
      for (const auto& [id, model] : models) remaining += model.stored.size() - next[id];
      if (remaining == 0) break;
      const std::string& id = ids[uniform(0, ids.size() - 1)];
      if (next[id] < models[id].stored.size()) log.push_back(&models[id].stored[next[id]++]);
    }
    total_events += log.size();

    // The fold: random batches, some stretches folded twice, reopened at random.
    const std::string dir = testing::FreshDir(absl::StrCat("projector-", round));
    std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite);
    for (size_t at = 0; at < log.size();) {
      const size_t end = std::min(log.size(), at + uniform(1, 60));
      // Refold a stretch already applied before this batch: skipped.
      const size_t from =
          at > 0 && uniform(0, 3) == 0 ? at - uniform(1, std::min<int>(at, 20)) : at;
      Projector projector(store.get());
      CaseCache cache(store.get());
      rocksdb::WriteBatch batch;
      int applied = 0;
      for (size_t i = from; i < end; ++i) {
        absl::StatusOr<bool> folded = projector.Fold(*log[i], &cache, &batch);
        ASSERT_TRUE(folded.ok()) << folded.status();
        EXPECT_EQ(*folded, i >= at) << "event " << i << " folded twice or skipped";
        applied += *folded;
      }
      EXPECT_EQ(applied, static_cast<int>(end - at));
      projector.Flush(&cache, &batch);
      ASSERT_TRUE(store->Write(&batch, /*sync=*/false).ok());
      at = end;
      if (uniform(0, 4) == 0) {
        store.reset();
        store = *Store::Open(dir, Store::Mode::kReadWrite);
      }
    }
    store.reset();
    store = *Store::Open(dir, Store::Mode::kReadOnly);

    // The model, from Evolve alone.
    std::map<std::string, std::string> cases, history, due, by_status, by_customer, by_waybill;
    std::map<std::string, int64_t> stats;
    for (const auto& [id, model] : models) {
      if (model.stored.empty()) continue;
      cases[id] = model.state.SerializeAsString();
      v1::CaseState before;
      for (const v1::StoredEvent& stored : model.stored) {
        v1::CaseEvent event;
        ASSERT_TRUE(event.ParseFromString(stored.event()));
        history[keys::History(id, event.revision())] = stored.SerializeAsString();
        v1::CaseState after = Evolve(before, event);
        for (const auto& [key, delta] : Projector::StatsDeltas(event, before, after)) {
          if (delta != 0) stats[key] += delta;
        }
        before = std::move(after);
      }
      for (const std::string& key : DueKeys(model.state)) due[key] = "";
      by_status[keys::ByStatus(model.state.stage(), id)] = "";
      const v1::Intake& intake = model.state.intake();
      by_customer[keys::ByOwner(intake.customer().id(), id)] = "";
      if (!intake.shipment().waybill().empty()) {
        by_waybill[keys::ByOwner(intake.shipment().waybill(), id)] = "";
      }
    }
    EXPECT_EQ(Dump(*store, Cf::kCases), cases);
    EXPECT_EQ(Dump(*store, Cf::kHistory), history);
    EXPECT_EQ(Dump(*store, Cf::kDue), due);
    EXPECT_EQ(Dump(*store, Cf::kByStatus), by_status);
    EXPECT_EQ(Dump(*store, Cf::kByCustomer), by_customer);
    EXPECT_EQ(Dump(*store, Cf::kByWaybill), by_waybill);
    std::map<std::string, int64_t> stored_stats;
    for (const auto& [key, value] : Dump(*store, Cf::kStats)) {
      const int64_t sum = Int64AddOperator::Decode(value);
      if (sum != 0) stored_stats[key] = sum;
    }
    EXPECT_EQ(stored_stats, stats);
  }
  RecordProperty("events", total_events);
  EXPECT_GT(total_events, 2000) << "the generator must produce long histories";
}

}  // namespace
}  // namespace docket
