#ifndef DOCKET_TOOLS_BENCH_RESULTS_H_
#define DOCKET_TOOLS_BENCH_RESULTS_H_

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace docket::bench {

// A phase's figures by name.
using Results = std::map<std::string, double>;

// The `p` quantile (0..1) of `values`, which it sorts; 0 when empty.
inline double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

}  // namespace docket::bench

#endif  // DOCKET_TOOLS_BENCH_RESULTS_H_
