#include "services/api/refusal_budget.h"

#include <algorithm>

namespace docket::api {
namespace {

constexpr size_t kForgetFullAbove = 10000;

}  // namespace

RefusalBudget::RefusalBudget(double burst, double per_second)
    : burst_(std::max(1.0, burst)), per_second_(std::max(1e-6, per_second)) {}

RefusalBudget::Bucket& RefusalBudget::Refilled(const std::string& principal, absl::Time now) {
  auto [it, fresh] = buckets_.try_emplace(principal, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh && now > b.at) {
    b.left = std::min(burst_, b.left + absl::ToDoubleSeconds(now - b.at) * per_second_);
    b.at = now;
  }
  return b;
}

std::optional<absl::Duration> RefusalBudget::Exhausted(const std::string& principal,
                                                       absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (!buckets_.contains(principal)) return std::nullopt;
  const Bucket& b = Refilled(principal, now);
  if (b.left >= 1) return std::nullopt;
  return absl::Seconds((1 - b.left) / per_second_);
}

void RefusalBudget::Spend(const std::string& principal, int64_t refusals, absl::Time now) {
  if (refusals <= 0) return;
  absl::MutexLock lock(&mu_);
  if (buckets_.size() >= kForgetFullAbove) {
    std::erase_if(buckets_, [&](const auto& entry) {
      return entry.second.left + absl::ToDoubleSeconds(now - entry.second.at) * per_second_ >=
             burst_;
    });
  }
  Refilled(principal, now).left -= static_cast<double>(refusals);
}

}  // namespace docket::api
