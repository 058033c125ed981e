#ifndef DOCKET_ENGINE_STATUS_MACROS_H_
#define DOCKET_ENGINE_STATUS_MACROS_H_

// Abseil 20220623 (Debian 12) has no RETURN_IF_ERROR / ASSIGN_OR_RETURN;
// these are docket's.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define DOCKET_STATUS_CONCAT_INNER_(a, b) a##b
#define DOCKET_STATUS_CONCAT_(a, b) DOCKET_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function unless it is OK.
#define DOCKET_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::absl::Status docket_status_ = (expr);          \
    if (!docket_status_.ok()) return docket_status_; \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status,
// otherwise moves the value into `lhs`, which may be a declaration.
#define DOCKET_ASSIGN_OR_RETURN(lhs, rexpr) \
  DOCKET_ASSIGN_OR_RETURN_IMPL_(DOCKET_STATUS_CONCAT_(docket_statusor_, __LINE__), lhs, rexpr)

#define DOCKET_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()

#endif  // DOCKET_ENGINE_STATUS_MACROS_H_
