#ifndef DOCKET_TOOLS_BENCH_LIFECYCLES_H_
#define DOCKET_TOOLS_BENCH_LIFECYCLES_H_

#include <memory>
#include <random>
#include <string>

#include "docket/v1/commands.pb.h"
#include "docket/v1/state.pb.h"
#include "engine/case_lookup.h"

namespace docket::bench {

// One case's scripted lifecycle, emitted one command at a time, each chosen
// from the state the engine left after the one before.
class Lifecycle {
 public:
  explicit Lifecycle(std::string id) : id_(std::move(id)) {}
  virtual ~Lifecycle() = default;

  const std::string& id() const { return id_; }
  bool done() const { return done_; }
  // Whether an out-of-order archive may be injected as bad input (the short
  // flows archive early legitimately).
  virtual bool may_inject_early_archive() const { return false; }

  // The next command for the case, now at `state`. REQUIRES: !done().
  virtual v1::Command Next(const v1::CaseState& state) = 0;

  // A child lifecycle this one started (a recovery after a payment), once;
  // null when none.
  std::unique_ptr<Lifecycle> TakeChild() { return std::move(child_); }

  // The other cases this lifecycle's decisions consult (a recovery's parent).
  virtual const CaseLookup& cases() const { return CaseMap::Empty(); }

 protected:
  // A command on this case by `actor`, its id the next of the case's.
  v1::Command Make(const v1::Actor& actor);
  void Finish() { done_ = true; }
  void Spawn(std::unique_ptr<Lifecycle> child) { child_ = std::move(child); }

 private:
  std::string id_;
  int seq_ = 0;
  bool done_ = false;
  std::unique_ptr<Lifecycle> child_;
};

// The actors of the generated traffic, principals of examples/org.ndjson
// (cases handled at branch GZ): who the directory lets send each command.
v1::Actor Adapter(v1::Channel channel);  // The channel's adapter.
v1::Actor Handler();                     // E-101, handler at GZ.
v1::Actor Supervisor();  // E-300 at headquarters: proposals, penalties, task groups.
// The supervisor who approves a MAJOR case's compensation needing
// `required`: another than the proposer (E-301 at headquarters, or E-200
// of region SOUTH).
v1::Actor Approver(v1::Level required);
v1::Actor Claims();  // C-100 (理赔处): co-approvals, payments, recoveries.

// The lifecycles, with realistic proportions of their branches drawn from
// `rng`:
// - a complaint (the six steps; photos for damage; an investigation where
//   the rules need one, a progress notice during it for about a third; a
//   task group when MAJOR or involving two departments (15 %); a routine
//   (3 %) or media (1 %) warning; one in ten customers rejects the first
//   proposal (special handling, a second one with goodwill) and three in ten
//   of those reject again (a referral to litigation or the insurer); payment,
//   penalties on internal findings (three in ten at another branch), report
//   upward, follow-up, archive; after paying for another branch's or a
//   third party's fault, half the time a recovery child case);
std::unique_ptr<Lifecycle> NewComplaint(int index, std::mt19937& rng);
// - an inquiry: answered at once (70 %), else routed and answered; archived;
std::unique_ptr<Lifecycle> NewInquiry(int index, std::mt19937& rng);
// - a suggestion: routed, evaluated (40 % adopted), fed back, archived;
std::unique_ptr<Lifecycle> NewSuggestion(int index, std::mt19937& rng);
// - a recovery child of `parent` (paid; findings naming the liable party):
//   demanded, settled (60 % in full, 30 % in part, 10 % refused), archived.
std::unique_ptr<Lifecycle> NewRecovery(const v1::CaseState& parent, std::mt19937& rng);

}  // namespace docket::bench

#endif  // DOCKET_TOOLS_BENCH_LIFECYCLES_H_
