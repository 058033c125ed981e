#ifndef DOCKET_ENGINE_INPUT_GRAMMAR_H_
#define DOCKET_ENGINE_INPUT_GRAMMAR_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace docket {

// What a command may carry (DESIGN.md, "Bad input"). One grammar for every
// string that becomes a key or a report dimension, chosen so that every id
// docket derives from one stays within bounds.

// The directory's own stream of events: not a case id (case ids never
// hold '@'), stored, chained and audited like one.
inline constexpr char kDirectoryStream[] = "@directory";

// A case id: an ASCII letter or digit, then letters, digits, '.', '_' or
// '-', at most kMaxCaseIdLength characters. Bounded so that the deadline
// scanner's command ids for the case and for its "-APPEAL" case
// ("deadline:<case>-APPEAL:<kind>:<window>:breach") stay within
// kMaxCommandIdLength. '@' is not allowed: "@directory" names the
// directory's stream.
// A regulator appeal's case is its case's id and kAppealSuffix, which may
// pass the bound by the suffix's length.
inline constexpr size_t kMaxCaseIdLength = 48;
inline constexpr absl::string_view kAppealSuffix = "-APPEAL";
bool IsValidCaseId(absl::string_view id);

// A command id: printable ASCII without spaces or '/', at most
// kMaxCommandIdLength characters.
inline constexpr size_t kMaxCommandIdLength = 128;
bool IsValidCommandId(absl::string_view id);

// The prefixes of docket's own command ids (the deadline scanner's,
// docketd's sessions'), reserved for the system principal.
bool IsReservedCommandId(absl::string_view id);

// Any other id or dimension (actor, customer, waybill, branch, penalty,
// principal...): valid UTF-8 of 1 to kMaxKeyCodePoints printable code
// points (letters of any script allowed), no whitespace, no control,
// format or bidirectional characters, no '/'.
inline constexpr size_t kMaxKeyCodePoints = 64;
bool IsValidKey(absl::string_view key);

// A reference to evidence outside docket (an IRI: letters of any script):
// valid UTF-8 of 1 to kMaxUriBytes bytes, no whitespace of any script, no
// control, format or bidirectional characters, so that what a handler
// reads is what opens.
inline constexpr size_t kMaxUriBytes = 2048;
bool IsValidUri(absl::string_view uri);

// A SHA-256 as docket writes it: 64 lowercase hex digits.
bool IsSha256Hex(absl::string_view text);

// Checks every field of `message`, recursively: each string is valid UTF-8
// without NUL or other control characters but tab and newline; each string
// that names something (a field called `id`, `*_id`, `*branch`, `waybill`,
// `investigator`, `*_employee`) follows IsValidKey; each enum holds a value
// the schema defines; no integer is negative; each Timestamp is between
// 1970 and 9999. kInvalidArgument with RULE_MALFORMED_COMMAND naming the
// field's path ("open_case.intake.customer.id"), never echoing the value.
absl::Status CheckInputGrammar(const google::protobuf::Message& message);

// The fields of a step's `body` the schema marks (docket.v1.required, see
// options.proto) are set: no empty string, zero enum or number, missing
// message or empty list; in the messages the body holds as well. A step
// calls it once the stage allows it (so a form at the wrong stage is
// refused for the stage); the console marks the same fields. Otherwise
// kInvalidArgument with RULE_MALFORMED_COMMAND: "<who>: <path>.<field> is
// required", the first one in field order.
absl::Status CheckRequiredFields(const google::protobuf::Message& body, absl::string_view path,
                                 absl::string_view who);

// `text` made safe to print in a message or a JSON document: invalid UTF-8
// replaced by U+FFFD, control and bidirectional characters escaped as
// \u{XXXX}, cut at `max_bytes`.
std::string SafeText(absl::string_view text, size_t max_bytes = 512);

}  // namespace docket

#endif  // DOCKET_ENGINE_INPUT_GRAMMAR_H_
