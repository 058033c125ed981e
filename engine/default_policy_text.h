#ifndef DOCKET_ENGINE_DEFAULT_POLICY_TEXT_H_
#define DOCKET_ENGINE_DEFAULT_POLICY_TEXT_H_

namespace docket {

// The text of engine/default_policy.textproto, embedded at build time.
extern const char kDefaultPolicyText[];

}  // namespace docket

#endif  // DOCKET_ENGINE_DEFAULT_POLICY_TEXT_H_
