#ifndef DOCKET_TOOLS_BENCH_WORKLOAD_FILE_H_
#define DOCKET_TOOLS_BENCH_WORKLOAD_FILE_H_

#include <cstdio>
#include <string>
#include <vector>

#include "docket/v1/commands.pb.h"

namespace docket::bench {

// Commands as length-prefixed protobuf records, so each measured process
// streams the workload instead of holding it.
void WriteWorkload(const std::string& path, const std::vector<v1::Command>& commands);

class WorkloadReader {
 public:
  explicit WorkloadReader(const std::string& path) : file_(std::fopen(path.c_str(), "rb")) {}
  ~WorkloadReader() {
    if (file_ != nullptr) std::fclose(file_);
  }
  // Up to `max` next commands; an empty vector at the end.
  std::vector<v1::Command> Next(size_t max);

 private:
  std::FILE* file_;
};

}  // namespace docket::bench

#endif  // DOCKET_TOOLS_BENCH_WORKLOAD_FILE_H_
