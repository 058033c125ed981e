#include "services/api/budget.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

namespace docket::api {
namespace {

constexpr size_t kForgetIdleAbove = 10000;

}  // namespace

Budget::Budget(double burst, double per_second, Admit admit)
    : burst_(burst), per_second_(std::max(1e-6, per_second)), admit_(admit) {}

double Budget::LargestRequest() const {
  if (burst_ <= 0 || admit_ == Admit::kWhileAny) return std::numeric_limits<double>::infinity();
  return burst_;
}

absl::Time Budget::Now() {
  return absl::UnixEpoch() + absl::FromChrono(std::chrono::steady_clock::now().time_since_epoch());
}

double Budget::LeftAt(const Bucket& b, absl::Time now) const {
  if (now <= b.at) return b.left;
  return std::min(burst_, b.left + absl::ToDoubleSeconds(now - b.at) * per_second_);
}

Budget::Bucket& Budget::Refilled(const std::string& principal, absl::Time now) {
  auto [it, fresh] = buckets_.try_emplace(principal, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh && now > b.at) {
    b.left = LeftAt(b, now);
    b.at = now;
  }
  return b;
}

std::optional<absl::Duration> Budget::Reserve(const std::string& principal, int64_t units,
                                              absl::Time now) {
  if (burst_ <= 0) return std::nullopt;
  absl::MutexLock lock(&mu_);
  if (buckets_.size() >= kForgetIdleAbove) {
    std::erase_if(buckets_, [&](const auto& entry) {
      const Bucket& b = entry.second;
      return b.reserved == 0 && LeftAt(b, now) >= burst_;
    });
  }
  units = std::max<int64_t>(0, units);
  // What must be left for the request to be let in.
  const double needed = admit_ == Admit::kWhole ? static_cast<double>(units) : 1;
  if (needed > burst_) return absl::InfiniteDuration();
  Bucket& b = Refilled(principal, now);
  if (b.left - static_cast<double>(b.reserved) >= needed) {
    b.reserved += units;
    return std::nullopt;
  }
  // Held back by requests in flight only: they settle within moments.
  if (b.left >= needed) return absl::Seconds(1);
  return absl::Seconds((needed - b.left) / per_second_);
}

void Budget::Settle(const std::string& principal, int64_t units, int64_t kept, absl::Time now) {
  if (burst_ <= 0) return;
  absl::MutexLock lock(&mu_);
  Bucket& b = Refilled(principal, now);
  b.reserved = std::max<int64_t>(0, b.reserved - std::max<int64_t>(0, units));
  b.left -= static_cast<double>(std::max<int64_t>(0, kept));
}

Budget::Reservation Budget::Reserve(const std::string& principal, int64_t units) {
  return Reservation(this, principal, units);
}

Budget::Reservation::Reservation(Budget* budget, std::string principal, int64_t units)
    : budget_(budget), principal_(std::move(principal)), units_(units) {
  wait_ = budget_->Reserve(principal_, units_, Now());
}

Budget::Reservation::Reservation(Reservation&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)),
      principal_(std::move(other.principal_)),
      units_(other.units_),
      kept_(other.kept_),
      wait_(other.wait_) {}

Budget::Reservation::~Reservation() {
  if (budget_ != nullptr && admitted()) budget_->Settle(principal_, units_, kept_, Now());
}

}  // namespace docket::api
