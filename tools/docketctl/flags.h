#ifndef DOCKET_TOOLS_DOCKETCTL_FLAGS_H_
#define DOCKET_TOOLS_DOCKETCTL_FLAGS_H_

#include <cstdint>
#include <string>

#include "absl/flags/declare.h"
#include "absl/time/time.h"

ABSL_DECLARE_FLAG(std::string, data_dir);
ABSL_DECLARE_FLAG(std::string, policy);
ABSL_DECLARE_FLAG(std::string, calendar_dir);
ABSL_DECLARE_FLAG(int32_t, batch);
ABSL_DECLARE_FLAG(std::string, as_of);
ABSL_DECLARE_FLAG(int64_t, revision);
ABSL_DECLARE_FLAG(std::string, status);
ABSL_DECLARE_FLAG(std::string, severity);
ABSL_DECLARE_FLAG(bool, overdue);
ABSL_DECLARE_FLAG(std::string, now);
ABSL_DECLARE_FLAG(std::string, clock);
ABSL_DECLARE_FLAG(std::string, by);
ABSL_DECLARE_FLAG(std::string, format);
ABSL_DECLARE_FLAG(std::string, from);
ABSL_DECLARE_FLAG(std::string, to);
ABSL_DECLARE_FLAG(absl::Duration, every);
ABSL_DECLARE_FLAG(std::string, kind);
ABSL_DECLARE_FLAG(std::string, brokers);
ABSL_DECLARE_FLAG(std::string, server);
ABSL_DECLARE_FLAG(std::string, token);
ABSL_DECLARE_FLAG(std::string, key_file);
ABSL_DECLARE_FLAG(std::vector<std::string>, kafka);
ABSL_DECLARE_FLAG(absl::Duration, timeout);
ABSL_DECLARE_FLAG(bool, follow);
ABSL_DECLARE_FLAG(std::string, media_type);
ABSL_DECLARE_FLAG(std::string, command_id);
ABSL_DECLARE_FLAG(std::string, actor_id);
ABSL_DECLARE_FLAG(std::string, admin);
ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(std::string, principal);
ABSL_DECLARE_FLAG(std::string, password);
ABSL_DECLARE_FLAG(std::string, as);
ABSL_DECLARE_FLAG(absl::Duration, expires);
ABSL_DECLARE_FLAG(std::string, actor_role);
ABSL_DECLARE_FLAG(std::string, actor_level);
ABSL_DECLARE_FLAG(std::string, actor_branch);

#endif  // DOCKET_TOOLS_DOCKETCTL_FLAGS_H_
