#ifndef DOCKET_TESTS_TESTING_RANDOM_MESSAGE_H_
#define DOCKET_TESTS_TESTING_RANDOM_MESSAGE_H_

#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace docket::testing {

// Fills messages of any docket type with random values, the same for the
// same seed: each field set or not by a coin (maps never), one to three
// elements when repeated, strings mixing ASCII, JSON's escapes, Chinese and
// the characters protobuf's JSON escapes, integers at their extremes, enum
// values by their numbers, Timestamps at the ends of their range with 0,
// 3, 6 and 9 fractional digits.
class RandomMessage {
 public:
  explicit RandomMessage(uint32_t seed) : random_(seed) {}

  // Fills `message`, and its messages down to `depth` levels.
  void Fill(google::protobuf::Message* message, int depth);

 private:
  template <typename T>
  T Pick(std::initializer_list<T> values) {
    return values.begin()[random_() % values.size()];
  }
  bool Coin(int one_in) { return random_() % one_in == 0; }
  std::string Text();
  void SetOne(google::protobuf::Message* message, const google::protobuf::FieldDescriptor* field,
              int depth);

  std::mt19937 random_;
};

// Every message type of docket's proto files (package docket.v1), nested
// ones included, map entries not.
std::vector<const google::protobuf::Descriptor*> DocketMessageTypes();

}  // namespace docket::testing

#endif  // DOCKET_TESTS_TESTING_RANDOM_MESSAGE_H_
