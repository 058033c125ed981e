#ifndef DOCKET_TOOLS_DOCKETCTL_DOCKETCTL_H_
#define DOCKET_TOOLS_DOCKETCTL_DOCKETCTL_H_

// The subcommands of docketctl, one function each. Each returns the
// process's exit code: 0 ok, 1 a command was rejected or a check failed,
// 2 usage or I/O error. Arguments are the positionals after the
// subcommand's name; options come from the flags in flags.h.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "docket/v1/commands.pb.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/stored_event.pb.h"
#include "services/audit/auditor.h"
#include "services/runtime/clock.h"

namespace docket::ctl {

using Args = std::vector<std::string>;

inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;
inline constexpr int kUsage = 2;

int Submit(const Args& args);
int Attach(const Args& args);
int PutEvidence(const Args& args);
int Show(const Args& args);
int History(const Args& args);
// history's --format: json (readable events with hex hashes) or stored
// (each StoredEvent in canonical proto3 JSON, its bytes base64: the exact
// bytes the chain hashes, for auditors with their own tools).
enum class HistoryFormat { kJson, kStored };
// The --format asked for; nullopt, having said why, for another.
std::optional<HistoryFormat> HistoryFormatFlag();
// One event of a history as `history` prints it, in either format.
void PrintHistoryLine(const v1::StoredEvent& stored, const v1::CaseEvent& e, HistoryFormat format);
int List(const Args& args);
int Report(const Args& args);
// report's first day: --from, unless it is tail's default ("beginning").
std::string ReportFrom();
int Verify(const Args& args);
// An audit as verify prints it (its problems, then one line); kOk when
// it found none, else kFailed. verify --server prints the server's so.
int PrintAudit(const AuditReport& report);
int Replay(const Args& args);
int Compact(const Args& args);
int InitCommand(const Args& args);
int DirectoryCommandVerb(const Args& args);
int TokenCommand(const Args& args);
int KeyCommand(const Args& args);
int BackupCommand(const Args& args);
int RestoreCommand(const Args& args);
int Tail(const Args& args);

// docketctl --server=URL VERB: the case verbs through a docketd's API
// (server_client.cc).
int ServerCommand(const std::string& verb, const Args& args);
int Tick(const Args& args);
int Rejections(const Args& args);

// submit and tail over Kafka (--brokers).
int KafkaSubmit();
// Publishes `commands` to docket.commands (signed with --key_file) and
// prints their outcomes as docketd answers them.
int KafkaSubmitCommands(std::vector<absl::StatusOr<v1::Command>> commands);
int KafkaTail();

// The data directory: --data_dir, else $DOCKET_DATA_DIR, else
// "docket-data" in the caller's working directory.
std::string DataDir();

// The clock of this invocation: the system's, or the drill clock of
// --clock (announced on stderr when first used).
const Clock* InvocationClock();

// Parses an RFC 3339 flag value; kInvalidArgument naming the flag.
absl::StatusOr<absl::Time> ParseTimeFlag(const std::string& name, const std::string& value);

// The first log position of tail --from: 1 for "beginning", else the
// number; nullopt (said on stderr) for anything else.
std::optional<uint64_t> TailFromFlag();

// Prints "docketctl: <status>" on stderr and returns kUsage (I/O and usage
// errors) or kFailed (data loss and failed checks are reported as failures
// of the data, not of the call).
int Fail(const absl::Status& status);

}  // namespace docket::ctl

#endif  // DOCKET_TOOLS_DOCKETCTL_DOCKETCTL_H_
