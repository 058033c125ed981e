#ifndef DOCKET_SERVICES_KAFKA_POSITIONS_H_
#define DOCKET_SERVICES_KAFKA_POSITIONS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "projections/store.h"
#include "rocksdb/write_batch.h"

namespace docket::kafka {

// How far the data directory has read each topic partition: the next
// offset to read, kept in the meta family and written in the same atomic
// batch as the fold of what was read. Zero for a partition never read.
absl::StatusOr<int64_t> ReadPosition(const Store& store, const char* topic, int32_t partition);
void PutPosition(const Store& store, rocksdb::WriteBatch* batch, const char* topic,
                 int32_t partition, int64_t position);

}  // namespace docket::kafka

#endif  // DOCKET_SERVICES_KAFKA_POSITIONS_H_
