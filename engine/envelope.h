#ifndef DOCKET_ENGINE_ENVELOPE_H_
#define DOCKET_ENGINE_ENVELOPE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/policy.pb.h"
#include "engine/input_grammar.h"  // kDirectoryStream.

namespace docket {

// docket's own principal: the deadline scanner's commands, and the
// bootstrap of a new directory. Nothing from outside docket acts as it.
inline constexpr char kSystemPrincipal[] = "docket-scanner";

// What every command passes before its step is decided, whatever stream it
// is for (a case, the directory), and how its events are stamped.

// The envelope: a valid command id; a valid case id (kDirectoryStream for
// a directory change); every field within the input grammar
// (input_grammar.h); an actor with an id, a role and a level; a step; the
// scanner's reserved ids only for the system principal.
// RULE_MALFORMED_COMMAND otherwise.
absl::Status CheckEnvelope(const v1::Command& command);

// Time cannot be forged (DESIGN.md, "Bad input"): a step happens no later
// than docket decides it (`now`), not before `opened_at` (the complaint),
// never before `latest_event` (a stream's events never go back in time),
// and is backdated at most the policy's tolerance (an adapter's intake
// more). The deadline scanner's records occur at their marks, whenever it
// runs. RULE_TIME otherwise.
absl::Status CheckTime(const v1::Command& command, std::optional<absl::Time> opened_at,
                       std::optional<absl::Time> latest_event, const v1::Policy& policy,
                       absl::Time now);

// Stamps `events` (bodies only) with the envelope: revisions after
// `after_revision`, event ids "<stream>/<revision>", the command's id and
// actor, `occurred`, recorded at `now`, the policy's version.
void StampEvents(const v1::Command& command, int64_t after_revision, absl::Time occurred,
                 absl::Time now, const v1::Policy& policy, std::vector<v1::CaseEvent>* events);

}  // namespace docket

#endif  // DOCKET_ENGINE_ENVELOPE_H_
