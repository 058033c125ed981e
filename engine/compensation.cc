#include "engine/compensation.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/bounds.h"
#include "engine/refusal.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"

namespace docket {
namespace {

std::string Kg(int64_t grams) { return absl::StrFormat("%d.%03d kg", grams / 1000, grams % 1000); }

std::string Where(const v1::CaseState& c) { return absl::StrCat("case ", c.case_id()); }

absl::Status MissingFact(const v1::CaseState& c, absl::string_view what) {
  return RefuseNotNow(v1::RULE_COMPENSATION_FACTS,
                      absl::StrCat("case ", c.case_id(), ": the compensation standard for ",
                                   v1::Category_Name(c.category()), " needs ", what));
}

Compensation Exempt(v1::Exemption exemption) {
  return {0, v1::COMPENSATION_BASIS_EXEMPT, exemption,
          absl::StrCat("exempt under ", v1::Exemption_Name(exemption), ": 0.00")};
}

absl::StatusOr<Compensation> Insured(const v1::CaseState& c, const v1::Policy& policy) {
  const v1::Shipment& s = c.intake().shipment();
  const v1::Findings& f = c.findings();
  const int64_t declared = s.declared_value_fen();
  if (declared <= 0) {
    return MissingFact(c,
                       "the declared value of an insured shipment (shipment.declared_value_fen)");
  }
  // The goods' own value "when known" (Shipment); else the declared value
  // stands for it.
  const bool value_known = s.goods_value_fen() > 0;
  const int64_t value = value_known ? s.goods_value_fen() : declared;
  const bool total = c.category() == v1::CATEGORY_LOSS || f.total_loss();
  Compensation out;
  int64_t loss = 0;
  if (total) {
    loss = std::max<int64_t>(0, value - f.residual_value_fen());
    out.basis = v1::COMPENSATION_BASIS_INSURED_DECLARED_VALUE;
    out.calculation =
        absl::StrCat("insured total loss: value ", FormatFen(value), " less residual ",
                     FormatFen(f.residual_value_fen()), " = ", FormatFen(loss));
  } else {
    if (f.assessed_loss_fen() <= 0) {
      return MissingFact(c, "an assessed loss (findings.assessed_loss_fen)");
    }
    // Total loss pays the declared value, so partial damage never pays
    // more: a loss beyond the goods' value is a loss of their value.
    loss = std::min(f.assessed_loss_fen(), value);
    out.basis = v1::COMPENSATION_BASIS_INSURED_PRO_RATA;
    out.calculation =
        loss < f.assessed_loss_fen()
            ? absl::StrCat("insured partial damage: the loss ", FormatFen(f.assessed_loss_fen()),
                           " is more than the value ", FormatFen(value), ", so the value ",
                           FormatFen(loss))
            : absl::StrCat("insured partial damage: loss ", FormatFen(loss));
  }
  const int64_t covered = std::min(declared, value);
  DOCKET_ASSIGN_OR_RETURN(
      out.amount_fen,
      MulDivAmount(policy, Where(c), "the insured compensation (loss × declared ÷ value)", loss,
                   covered, value));
  absl::StrAppend(&out.calculation, " × declared ", FormatFen(covered), " ÷ value ",
                  FormatFen(value),
                  value_known ? "" : " (the declared value, the goods' own not given)", " = ",
                  FormatFen(out.amount_fen));
  return out;
}

// 最高限额赔偿: the limit of the uninsured basis the contract or policy
// chooses.
absl::StatusOr<Compensation> UninsuredLimit(const v1::CaseState& c, const v1::Policy& policy) {
  const v1::Shipment& s = c.intake().shipment();
  const v1::CustomerContract& contract = c.intake().customer().contract();
  const v1::CompensationPolicy& p = policy.compensation();
  const bool by_contract = contract.uninsured_basis() != v1::COMPENSATION_BASIS_UNSPECIFIED;
  const v1::CompensationBasis basis =
      by_contract ? contract.uninsured_basis() : p.uninsured_basis();
  const std::string source =
      by_contract ? absl::StrCat("contract ", contract.contract_id()) : "policy";
  Compensation out;
  out.basis = basis;
  switch (basis) {
    case v1::COMPENSATION_BASIS_CONTRACT_RATE_PER_KG: {
      const int64_t rate =
          contract.rate_fen_per_kg() > 0 ? contract.rate_fen_per_kg() : p.rate_fen_per_kg();
      if (s.weight_g() <= 0) return MissingFact(c, "the weight (shipment.weight_g)");
      DOCKET_ASSIGN_OR_RETURN(
          out.amount_fen,
          MulDivAmount(policy, Where(c), "the contract rate × weight", rate, s.weight_g(), 1000));
      out.calculation = absl::StrCat("uninsured, ", source, " rate ", FormatFen(rate), "/kg × ",
                                     Kg(s.weight_g()), " = ", FormatFen(out.amount_fen));
      break;
    }
    case v1::COMPENSATION_BASIS_FREIGHT_MULTIPLE: {
      const int64_t multiple =
          contract.freight_multiple() > 0 ? contract.freight_multiple() : p.freight_multiple();
      if (s.freight_fen() <= 0) return MissingFact(c, "the freight (shipment.freight_fen)");
      DOCKET_ASSIGN_OR_RETURN(
          out.amount_fen, MulDivAmount(policy, Where(c), "the freight multiple × freight", multiple,
                                       s.freight_fen(), 1));
      out.calculation = absl::StrCat("uninsured, ", source, " ", multiple, " × freight ",
                                     FormatFen(s.freight_fen()), " = ", FormatFen(out.amount_fen));
      break;
    }
    case v1::COMPENSATION_BASIS_DIRECT_LOSS: {
      const int64_t loss = c.findings().assessed_loss_fen();
      if (loss <= 0) {
        return MissingFact(c, "an assessed loss (findings.assessed_loss_fen)");
      }
      out.amount_fen = loss;
      out.calculation =
          absl::StrCat("uninsured, ", source, " pays the direct loss ", FormatFen(loss));
      break;
    }
    default:
      return MissingFact(c, "an uninsured basis the engine knows");
  }
  return out;
}

// 直接损失赔偿 capped by 最高限额赔偿: the proven direct loss, when the
// investigation assessed one, and never more than the limit.
absl::StatusOr<Compensation> Uninsured(const v1::CaseState& c, const v1::Policy& policy) {
  DOCKET_ASSIGN_OR_RETURN(Compensation out, UninsuredLimit(c, policy));
  const int64_t assessed = c.findings().assessed_loss_fen();
  if (assessed <= 0 || out.basis == v1::COMPENSATION_BASIS_DIRECT_LOSS) return out;
  if (assessed < out.amount_fen) {
    out.amount_fen = assessed;
    absl::StrAppend(&out.calculation, "; capped by the assessed loss ", FormatFen(assessed), ": ",
                    FormatFen(out.amount_fen));
  } else {
    absl::StrAppend(&out.calculation, "; the lesser of that and the assessed loss ",
                    FormatFen(assessed), ": ", FormatFen(out.amount_fen));
  }
  return out;
}

absl::StatusOr<Compensation> Delay(const v1::CaseState& c) {
  const v1::Shipment& s = c.intake().shipment();
  // Delivered by the promised time: no delay, nothing to waive.
  if (s.has_promised_by() && s.has_delivered_at() &&
      ToTime(s.delivered_at()) <= ToTime(s.promised_by())) {
    return Compensation{
        0, v1::COMPENSATION_BASIS_FREIGHT_WAIVED, v1::EXEMPTION_NONE,
        absl::StrCat("delay: delivered ", FormatUtc(ToTime(s.delivered_at())), ", by the promised ",
                     FormatUtc(ToTime(s.promised_by())), ": nothing waived")};
  }
  if (s.freight_fen() <= 0) return MissingFact(c, "the freight (shipment.freight_fen)");
  Compensation out{s.freight_fen(), v1::COMPENSATION_BASIS_FREIGHT_WAIVED, v1::EXEMPTION_NONE,
                   absl::StrCat("delay: freight ", FormatFen(s.freight_fen()), " waived")};
  if (s.insurance_fee_fen() > 0) {
    absl::StrAppend(&out.calculation, " (insurance fee ", FormatFen(s.insurance_fee_fen()),
                    " is not)");
  }
  return out;
}

absl::StatusOr<Compensation> Billing(const v1::CaseState& c, const v1::Policy& policy) {
  const v1::Shipment& s = c.intake().shipment();
  if (s.weight_g() <= 0) return MissingFact(c, "the shipped weight (shipment.weight_g)");
  if (s.billed_weight_g() <= 0) {
    return MissingFact(c, "the billed weight (shipment.billed_weight_g)");
  }
  if (s.freight_rate_fen_per_kg() <= 0) {
    return MissingFact(c, "the tariff (shipment.freight_rate_fen_per_kg)");
  }
  const int64_t over_g = std::max<int64_t>(0, s.billed_weight_g() - s.weight_g());
  Compensation out;
  out.basis = v1::COMPENSATION_BASIS_BILLING_OVERCHARGE;
  DOCKET_ASSIGN_OR_RETURN(out.amount_fen,
                          MulDivAmount(policy, Where(c), "the overcharge (weight × tariff)", over_g,
                                       s.freight_rate_fen_per_kg(), 1000));
  out.calculation =
      over_g == 0 ? absl::StrCat("billing: billed ", Kg(s.billed_weight_g()), ", no more than the ",
                                 Kg(s.weight_g()), " shipped: nothing overcharged")
                  : absl::StrCat("billing: billed ", Kg(s.billed_weight_g()), " − shipped ",
                                 Kg(s.weight_g()), " = ", Kg(over_g), " × ",
                                 FormatFen(s.freight_rate_fen_per_kg()),
                                 "/kg = ", FormatFen(out.amount_fen));
  return out;
}

absl::StatusOr<Compensation> ByCategory(const v1::CaseState& c, const v1::Policy& policy) {
  const v1::Shipment& s = c.intake().shipment();
  switch (c.category()) {
    case v1::CATEGORY_LATE:
      return Delay(c);
    case v1::CATEGORY_BILLING:
      return Billing(c, policy);
    case v1::CATEGORY_DAMAGE:
    case v1::CATEGORY_LOSS:
      if (s.insured()) return Insured(c, policy);
      return Uninsured(c, policy);
    default:
      return Compensation{
          0, v1::COMPENSATION_BASIS_NO_MONETARY_BASIS, v1::EXEMPTION_NONE,
          absl::StrCat(v1::Category_Name(c.category()), ": no monetary basis: 0.00")};
  }
}

}  // namespace

int64_t MulDivRoundHalfUp(int64_t a, int64_t b, int64_t c) {
  const __int128 product = static_cast<__int128>(a) * b;
  return static_cast<int64_t>((product + c / 2) / c);
}

absl::StatusOr<Compensation> ComputeCompensation(const v1::CaseState& c, const v1::Policy& policy) {
  if (c.findings().exemption() != v1::EXEMPTION_NONE) {
    return Exempt(c.findings().exemption());
  }
  absl::StatusOr<Compensation> out = ByCategory(c, policy);
  if (!out.ok()) return out;
  if (c.claim_fen() > 0 && out->amount_fen > c.claim_fen()) {
    out->amount_fen = c.claim_fen();
    absl::StrAppend(&out->calculation, "; capped by the claim ", FormatFen(c.claim_fen()), ": ",
                    FormatFen(out->amount_fen));
  } else if (c.claim_fen() > 0) {
    absl::StrAppend(&out->calculation, "; the lesser of that and the claim ",
                    FormatFen(c.claim_fen()), ": ", FormatFen(out->amount_fen));
  }
  return out;
}

}  // namespace docket
