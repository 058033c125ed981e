#include "engine/event_kind.h"

namespace docket {

const std::string& EventKind(const v1::CaseEvent& event) {
  static const std::string* const kNone = new std::string;
  const google::protobuf::FieldDescriptor* field = event.GetReflection()->GetOneofFieldDescriptor(
      event, v1::CaseEvent::descriptor()->FindOneofByName("body"));
  return field == nullptr ? *kNone : field->name();
}

}  // namespace docket
