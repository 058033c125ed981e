// Links between cases (DESIGN.md, "Related cases"): a merge's survivor,
// the archived case a new complaint reopens, an appeal's case, a
// recovery's parent. Each is checked against the other case's state, which
// the runtime loads for the decision (ReferencedCases).

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/case_kind.h"
#include "engine/decision_context.h"
#include "engine/evolve.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"

namespace docket::internal {
namespace {

absl::Status BadLink(const DecisionContext& ctx, absl::string_view why) {
  return RefuseNotNow(v1::RULE_LINK, absl::StrCat(ctx.Case(), ": ", why));
}

// The linked case, which must exist. kUnavailable (RULE_LINK) when this
// runtime cannot see it: a check that cannot be made is not passed.
absl::StatusOr<v1::CaseState> Linked(const DecisionContext& ctx, const std::string& id,
                                     absl::string_view role) {
  absl::StatusOr<v1::CaseState> other = ctx.cases.Find(id);
  if (!other.ok()) {
    return Refuse(v1::RULE_LINK, absl::StatusCode::kUnavailable,
                  absl::StrCat(ctx.Case(), ": ", role, " ", id,
                               " cannot be checked here: ", other.status().message()));
  }
  if (other->revision() == 0) {
    return BadLink(ctx, absl::StrCat(role, " ", id, " does not exist"));
  }
  return other;
}

// What the recoveries of a payment linked to `parent` (network recoveries
// and subrogation) claim back, other than this case: a settled one what it
// recovered, an open one what it claims; counted up to `paid` (never
// overflowing, however many there are).
int64_t ClaimedBack(const DecisionContext& ctx, const std::string& parent, int64_t paid) {
  int64_t total = 0;
  for (const v1::CaseState& other : ctx.cases.LinkedTo(parent)) {
    if (total >= paid) break;
    if (other.case_id() == ctx.command.case_id() || KindOf(other) != v1::CASE_KIND_RECOVERY) {
      continue;
    }
    const v1::RecoveryClaim& claim = other.intake().recovery();
    if (other.intake().link().kind() != v1::LINK_KIND_NETWORK_RECOVERY && !claim.subrogation()) {
      continue;
    }
    total += std::min(paid, other.recovery_outcome() != v1::RECOVERY_OUTCOME_UNSPECIFIED
                                ? other.recovered_fen()
                                : claim.amount_fen());
  }
  return std::min(total, paid);
}

absl::Status CheckRecoveryParent(const DecisionContext& ctx, const v1::Intake& intake,
                                 const v1::CaseState& parent) {
  const v1::RecoveryClaim& claim = intake.recovery();
  const v1::Findings& f = parent.findings();
  const std::string& id = parent.case_id();
  if (KindOf(parent) != v1::CASE_KIND_COMPLAINT) {
    return BadLink(ctx, absl::StrCat("a recovery's parent must be a complaint; ", id, " is a ",
                                     v1::CaseKind_Name(KindOf(parent))));
  }
  if (!parent.investigation_concluded()) {
    return BadLink(ctx, absl::StrCat("parent ", id, " has no concluded investigation naming ",
                                     "the liable party"));
  }
  const bool network = intake.link().kind() == v1::LINK_KIND_NETWORK_RECOVERY;
  if (network) {
    // 网络追偿细则: the branch that paid recovers from the branch at fault.
    if (f.responsible() != v1::RESPONSIBLE_PARTY_INTERNAL ||
        f.internal_branch() != claim.liable_branch()) {
      return BadLink(ctx, absl::StrCat("parent ", id, "'s findings do not hold branch ",
                                       claim.liable_branch(), " at fault"));
    }
    if (claim.liable_branch() == parent.intake().handling_branch()) {
      return BadLink(ctx, absl::StrCat("branch ", claim.liable_branch(), " paid on parent ", id,
                                       " itself: there is nobody to recover from"));
    }
  } else if (f.responsible() != v1::RESPONSIBLE_PARTY_THIRD_PARTY ||
             f.third_party() != claim.third_party()) {
    return BadLink(ctx, absl::StrCat("parent ", id, "'s findings do not hold third party ",
                                     claim.third_party(), " responsible"));
  }
  // A network recovery, and subrogation (代位求偿), follow a payment: the
  // company claims back at most what it paid.
  if (network || claim.subrogation()) {
    const char* what = network ? "a network recovery" : "subrogation";
    if (parent.paid_fen() <= 0) {
      return RefuseNotNow(v1::RULE_RECOVERY,
                          absl::StrCat(ctx.Case(), ": ", what, " follows a payment; parent ", id,
                                       " has paid nothing"));
    }
    if (claim.amount_fen() > parent.paid_fen()) {
      return RefuseNotNow(v1::RULE_RECOVERY,
                          absl::StrCat(ctx.Case(), ": ", what, " claims ",
                                       FormatFen(claim.amount_fen()), " CNY, more than the ",
                                       FormatFen(parent.paid_fen()), " CNY parent ", id, " paid"));
    }
    // What was paid is recovered once: with the parent's other recoveries
    // of a payment, no more than it (their cases are not named: they may
    // be out of the actor's scope).
    const int64_t others = ClaimedBack(ctx, id, parent.paid_fen());
    if (claim.amount_fen() > parent.paid_fen() - others) {
      return RefuseNotNow(
          v1::RULE_RECOVERY,
          absl::StrCat(ctx.Case(), ": ", what, " claims ", FormatFen(claim.amount_fen()),
                       " CNY; parent ", id, " paid ", FormatFen(parent.paid_fen()), " CNY, ",
                       FormatFen(others), " CNY already claimed or recovered by its other ",
                       "recoveries: at most ", FormatFen(parent.paid_fen() - others), " CNY left"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckIntakeLink(const DecisionContext& ctx, const v1::Intake& intake) {
  const v1::CaseKind kind = KindOf(intake);
  const v1::LinkKind link_kind = intake.link().kind();
  const bool recovery_link =
      link_kind == v1::LINK_KIND_NETWORK_RECOVERY || link_kind == v1::LINK_KIND_THIRD_PARTY_CLAIM;
  // "<case>-APPEAL" names a case's one appeal: no other case may take it,
  // or the appeal could not open (and the id's own appeal would pass the
  // bound).
  if (absl::EndsWith(ctx.command.case_id(), kAppealSuffix) &&
      link_kind != v1::LINK_KIND_REGULATOR_APPEAL) {
    return RefuseMalformed(absl::StrCat(ctx.Case(), ": a case id ending in ", kAppealSuffix,
                                        " names an appeal to the postal authority (its link "
                                        "LINK_KIND_REGULATOR_APPEAL)"));
  }
  if ((kind == v1::CASE_KIND_RECOVERY) != recovery_link) {
    return RefuseMalformed(
        absl::StrCat(ctx.Case(), ": a recovery case, and only one, links to its parent as ",
                     "LINK_KIND_NETWORK_RECOVERY or LINK_KIND_THIRD_PARTY_CLAIM"));
  }
  if (!intake.has_link()) return absl::OkStatus();
  if (kind != v1::CASE_KIND_COMPLAINT && !recovery_link) {
    return RefuseMalformed(
        absl::StrCat(ctx.Case(), ": only a complaint reopens or appeals a case"));
  }
  const std::string& id = intake.link().case_id();
  // 12305 is the postal authority's: its appeal comes on the regulator's
  // channel, and a case has one, named by it as the scanner names it, so
  // that nobody opens a second (a case's id says whether it exists).
  if (link_kind == v1::LINK_KIND_REGULATOR_APPEAL) {
    // The appeal is docket's to record, when the regulatory window passes
    // without a handling result (DESIGN.md: the system principal records
    // appeal intake): nobody opens one early, or at a level of their own.
    if (ctx.command.actor().role() != v1::ROLE_SYSTEM) {
      return Refuse(v1::RULE_PERMISSION, absl::StatusCode::kPermissionDenied,
                    absl::StrCat(ctx.Case(),
                                 ": an appeal to the postal authority (12305) is "
                                 "opened by docket when the regulatory window of ",
                                 id, " passes without a handling result"));
    }
    if (intake.channel() != v1::CHANNEL_REGULATOR) {
      return BadLink(ctx, absl::StrCat("an appeal to the postal authority comes on "
                                       "CHANNEL_REGULATOR, not ",
                                       v1::Channel_Name(intake.channel())));
    }
    if (ctx.command.case_id() != absl::StrCat(id, kAppealSuffix)) {
      return BadLink(ctx, absl::StrCat("the appeal of case ", id, " is case ", id, kAppealSuffix,
                                       ": a case has one appeal"));
    }
  }
  absl::StatusOr<v1::CaseState> other = ctx.cases.Find(id);
  // The scanner derives an appeal from its case's own state (it never
  // appeals an appeal), so the appeal opens where that case is not visible
  // (Kafka: another partition).
  if (absl::IsUnavailable(other.status()) && link_kind == v1::LINK_KIND_REGULATOR_APPEAL &&
      ctx.command.actor().role() == v1::ROLE_SYSTEM) {
    return absl::OkStatus();
  }
  DOCKET_ASSIGN_OR_RETURN(const v1::CaseState linked, Linked(ctx, id, "linked case"));
  switch (link_kind) {
    case v1::LINK_KIND_REOPENS_ARCHIVED:
      if (linked.stage() != v1::STAGE_ARCHIVED) {
        return BadLink(ctx, absl::StrCat("a complaint reopens an archived case; ", id, " is ",
                                         v1::Stage_Name(linked.stage())));
      }
      return absl::OkStatus();
    case v1::LINK_KIND_REGULATOR_APPEAL:
      if (KindOf(linked) != v1::CASE_KIND_COMPLAINT) {
        return BadLink(ctx, absl::StrCat("only a complaint is appealed; ", id, " is a ",
                                         v1::CaseKind_Name(KindOf(linked))));
      }
      if (linked.link().kind() == v1::LINK_KIND_REGULATOR_APPEAL) {
        return BadLink(ctx, absl::StrCat(id,
                                         " is itself an appeal, the regulator's case: "
                                         "it is not appealed again"));
      }
      return absl::OkStatus();
    default:
      return CheckRecoveryParent(ctx, intake, linked);
  }
}

absl::Status CheckMergeSurvivor(const DecisionContext& ctx, const std::string& survivor_id) {
  DOCKET_ASSIGN_OR_RETURN(const v1::CaseState survivor, Linked(ctx, survivor_id, "survivor"));
  if (IsClosed(survivor)) {
    return BadLink(ctx,
                   absl::StrCat("survivor ", survivor_id, " is ", v1::Stage_Name(survivor.stage()),
                                ": a merge needs a live case"));
  }
  if (KindOf(survivor) != v1::CASE_KIND_COMPLAINT) {
    return BadLink(ctx, absl::StrCat("survivor ", survivor_id, " is a ",
                                     v1::CaseKind_Name(KindOf(survivor)), ", not a complaint"));
  }
  // 12305's appeal is the regulator's case, handled on its own clock to
  // headquarters: never merged away, and no other report merges into it.
  for (const v1::CaseState* appeal : {&ctx.state, &survivor}) {
    if (appeal->link().kind() == v1::LINK_KIND_REGULATOR_APPEAL) {
      return BadLink(ctx, absl::StrCat(appeal->case_id(),
                                       " is an appeal to the postal authority, the regulator's "
                                       "case: it is handled, not merged"));
    }
  }
  // The earliest report's clocks stand (7 days from the complaint, never
  // paused): a later report merges into an earlier one.
  if (ToTime(survivor.opened_at()) > ToTime(ctx.state.opened_at())) {
    return BadLink(ctx,
                   absl::StrCat("the later report merges into the earlier: survivor ", survivor_id,
                                " was opened at ", FormatUtc(ToTime(survivor.opened_at())),
                                ", after this case (", FormatUtc(ToTime(ctx.state.opened_at())),
                                "); merge ", survivor_id, " into ", ctx.state.case_id()));
  }
  const std::string& waybill = ctx.state.intake().shipment().waybill();
  const std::string& theirs = survivor.intake().shipment().waybill();
  if (waybill.empty() || waybill != theirs) {
    return BadLink(ctx, absl::StrCat("a merge joins reports of the same waybill; this case's is '",
                                     waybill, "', survivor ", survivor_id, "'s is '", theirs, "'"));
  }
  return absl::OkStatus();
}

}  // namespace docket::internal
