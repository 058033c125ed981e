#include "services/kafka/positions.h"

#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace docket::kafka {
namespace {

std::string PositionKey(const char* topic, int32_t partition) {
  return absl::StrCat("kafka/", topic, "/", partition);
}

}  // namespace

absl::StatusOr<int64_t> ReadPosition(const Store& store, const char* topic, int32_t partition) {
  absl::StatusOr<std::optional<std::string>> value =
      store.Get(Cf::kMeta, PositionKey(topic, partition));
  if (!value.ok()) return value.status();
  int64_t position = 0;
  if (value->has_value() && !absl::SimpleAtoi(**value, &position)) {
    return absl::DataLossError(
        absl::StrCat("meta ", PositionKey(topic, partition), " is not an offset"));
  }
  return position;
}

void PutPosition(const Store& store, rocksdb::WriteBatch* batch, const char* topic,
                 int32_t partition, int64_t position) {
  batch->Put(store.cf(Cf::kMeta), PositionKey(topic, partition), absl::StrCat(position));
}

}  // namespace docket::kafka
