#include "tests/testing/random_message.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "docket/v1/api.pb.h"
#include "docket/v1/storage.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "google/protobuf/descriptor.pb.h"

namespace docket::testing {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void RandomMessage::Fill(Message* message, int depth) {
  const Descriptor* type = message->GetDescriptor();
  const Reflection* r = message->GetReflection();
  if (type->full_name() == "google.protobuf.Timestamp") {
    r->SetInt64(message, type->FindFieldByNumber(1),
                Pick<int64_t>({0, 1, -62135596800, 253402300799, 1790000000, -86400}));
    r->SetInt32(message, type->FindFieldByNumber(2),
                Pick<int32_t>({0, 5000000, 123000000, 7000, 999999000, 1, 999999999}));
    return;
  }
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->is_map() || Coin(3)) continue;
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && depth <= 0) continue;
    const int count = field->is_repeated() ? static_cast<int>(random_() % 3) + 1 : 1;
    for (int k = 0; k < count; ++k) SetOne(message, field, depth);
  }
}

std::string RandomMessage::Text() {
  static const char* const kPieces[] = {
      "C-1",         "破损",   "签收后发现外包装破损",
      "\"quoted\"",  "a\\b",   "<b>",
      "line\nbreak", "tab\t",  "\x01",
      "é",           "\u00ad", "\u2028",
      "😀",           "",       "  ",
      "\x7f",
  };
  std::string text;
  const int n = static_cast<int>(random_() % 4);
  for (int i = 0; i < n; ++i) text += kPieces[random_() % std::size(kPieces)];
  return text;
}

void RandomMessage::SetOne(Message* message, const FieldDescriptor* field, int depth) {
  const Reflection* r = message->GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      const int32_t v = Pick<int32_t>({0, 1, -1, 42, INT32_MAX, INT32_MIN});
      repeated ? r->AddInt32(message, field, v) : r->SetInt32(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      const uint32_t v = Pick<uint32_t>({0, 1, 42, UINT32_MAX});
      repeated ? r->AddUInt32(message, field, v) : r->SetUInt32(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      const int64_t v = Pick<int64_t>({0, 1, -1, 1234567890123, INT64_MAX, INT64_MIN});
      repeated ? r->AddInt64(message, field, v) : r->SetInt64(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      const uint64_t v = Pick<uint64_t>({0, 1, 42, UINT64_MAX});
      repeated ? r->AddUInt64(message, field, v) : r->SetUInt64(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      const bool v = Coin(2);
      repeated ? r->AddBool(message, field, v) : r->SetBool(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* type = field->enum_type();
      const int v = type->value(static_cast<int>(random_() % type->value_count()))->number();
      repeated ? r->AddEnumValue(message, field, v) : r->SetEnumValue(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v = Text();
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        v = std::string("\x00\xff\x10 bytes", 10).substr(0, random_() % 11);
      }
      repeated ? r->AddString(message, field, v) : r->SetString(message, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      Fill(repeated ? r->AddMessage(message, field) : r->MutableMessage(message, field), depth - 1);
      break;
    default:
      ADD_FAILURE() << "docket's protos gained a " << field->cpp_type_name() << " field, "
                    << field->full_name() << ": teach the writer and this test";
  }
}

// Every message type of docket's proto files, nested ones included.
std::vector<const Descriptor*> DocketMessageTypes() {
  std::vector<const google::protobuf::FileDescriptor*> files = {
      v1::CaseList::descriptor()->file(), v1::CommandRecord::descriptor()->file(),
      v1::StoredEvent::descriptor()->file()};
  std::set<const google::protobuf::FileDescriptor*> seen(files.begin(), files.end());
  for (size_t i = 0; i < files.size(); ++i) {
    for (int d = 0; d < files[i]->dependency_count(); ++d) {
      if (seen.insert(files[i]->dependency(d)).second) files.push_back(files[i]->dependency(d));
    }
  }
  std::vector<const Descriptor*> types;
  std::function<void(const Descriptor*)> add = [&](const Descriptor* type) {
    if (type->options().map_entry()) return;
    types.push_back(type);
    for (int n = 0; n < type->nested_type_count(); ++n) add(type->nested_type(n));
  };
  for (const google::protobuf::FileDescriptor* file : files) {
    if (file->package() != "docket.v1") continue;
    for (int t = 0; t < file->message_type_count(); ++t) add(file->message_type(t));
  }
  return types;
}

}  // namespace docket::testing
