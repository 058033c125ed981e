#ifndef DOCKET_SERVICES_IDENTITY_BOOTSTRAP_H_
#define DOCKET_SERVICES_IDENTITY_BOOTSTRAP_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "docket/v1/commands.pb.h"

namespace docket {

// The directory commands that bootstrap a new directory (docketctl init):
// docket's own principal, then the first administrator `admin`, with
// `password` when it is not empty (hashed here). docket decides them
// itself: submit them as internal commands.
absl::StatusOr<std::vector<v1::Command>> BootstrapCommands(const std::string& admin,
                                                           const std::string& password);

// Replaces the password of a set_password change with its scrypt hash, at
// the edge, so that the password never enters the log. Other commands are
// left as they are.
absl::Status HashPasswordAtTheEdge(v1::Command* command);

}  // namespace docket

#endif  // DOCKET_SERVICES_IDENTITY_BOOTSTRAP_H_
