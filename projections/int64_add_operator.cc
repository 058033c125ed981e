#include "projections/int64_add_operator.h"

#include <cstring>

namespace docket {

std::string Int64AddOperator::Encode(int64_t v) {
  std::string out(8, '\0');
  const uint64_t u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((u >> (8 * i)) & 0xff);
  return out;
}

int64_t Int64AddOperator::Decode(const rocksdb::Slice& bytes) {
  if (bytes.size() != 8) return 0;
  uint64_t u = 0;
  for (int i = 7; i >= 0; --i) {
    u = (u << 8) | static_cast<unsigned char>(bytes.data()[i]);
  }
  return static_cast<int64_t>(u);
}

bool Int64AddOperator::Merge(const rocksdb::Slice&, const rocksdb::Slice* existing,
                             const rocksdb::Slice& value, std::string* new_value,
                             rocksdb::Logger*) const {
  const int64_t base = existing == nullptr ? 0 : Decode(*existing);
  *new_value = Encode(base + Decode(value));
  return true;
}

}  // namespace docket
