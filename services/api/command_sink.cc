#include "services/api/command_sink.h"

#include <algorithm>

namespace docket {

void CommandSink::Histogram::Add(double value) {
  size_t i = 0;
  while (i < bounds.size() && value > bounds[i]) ++i;
  ++counts[i];
  sum += value;
  ++count;
}

void CommandSink::Stats::CountGroup(size_t size, const std::vector<v1::CommandOutcome>* outcomes) {
  ++groups;
  commands += static_cast<int64_t>(size);
  largest_group = std::max<int64_t>(largest_group, size);
  group_size.Add(static_cast<double>(size));
  if (outcomes == nullptr) return;
  for (const v1::CommandOutcome& o : *outcomes) {
    if (!o.has_rejection()) {
      ++accepted;
      continue;
    }
    ++rejected;
    ++rejected_by_rule[v1::Rule_Name(o.rejection().rule())];
  }
}

}  // namespace docket
