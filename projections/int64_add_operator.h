#ifndef DOCKET_PROJECTIONS_INT64_ADD_OPERATOR_H_
#define DOCKET_PROJECTIONS_INT64_ADD_OPERATOR_H_

#include <string>

#include "rocksdb/merge_operator.h"

namespace docket {

// Merges 8-byte little-endian int64 counters by addition, so the fold can
// add to a report counter without reading it. A value of another size is
// treated as 0 (and reported by verify, which recomputes every counter).
class Int64AddOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& key, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger* logger) const override;
  const char* Name() const override { return "docket.Int64Add"; }

  static std::string Encode(int64_t v);
  static int64_t Decode(const rocksdb::Slice& bytes);
};

}  // namespace docket

#endif  // DOCKET_PROJECTIONS_INT64_ADD_OPERATOR_H_
