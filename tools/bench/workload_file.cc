#include "tools/bench/workload_file.h"

#include <cstdint>

namespace docket::bench {

void WriteWorkload(const std::string& path, const std::vector<v1::Command>& commands) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::string bytes;
  for (const v1::Command& c : commands) {
    c.SerializeToString(&bytes);
    const uint32_t n = bytes.size();
    std::fwrite(&n, sizeof(n), 1, f);
    std::fwrite(bytes.data(), 1, n, f);
  }
  std::fclose(f);
}

std::vector<v1::Command> WorkloadReader::Next(size_t max) {
  std::vector<v1::Command> out;
  std::string bytes;
  uint32_t n = 0;
  while (file_ != nullptr && out.size() < max && std::fread(&n, sizeof(n), 1, file_) == 1) {
    bytes.resize(n);
    if (std::fread(bytes.data(), 1, n, file_) != n) break;
    out.emplace_back().ParseFromString(bytes);
  }
  return out;
}

}  // namespace docket::bench
