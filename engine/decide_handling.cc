// Handling a complaint beyond the six steps, from the channel regulation
// and the course's 服务事故 rules: progress notices to the customer, the
// task group of a MAJOR or multi-department complaint, and closing a case
// the customer never accepts by referring it to litigation or the insurer.

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/case_kind.h"
#include "engine/decision_context.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/status_macros.h"
#include "engine/time_util.h"

namespace docket::internal {
namespace {

// Ids that are present and named once each.
absl::Status CheckNames(const DecisionContext& ctx, absl::string_view field,
                        const google::protobuf::RepeatedPtrField<std::string>& names,
                        std::set<std::string>* seen) {
  for (const std::string& name : names) {
    if (name.empty()) return RefuseMalformed(absl::StrCat(ctx.Case(), ": ", field, " has a blank"));
    if (!seen->insert(name).second) {
      return RefuseMalformed(absl::StrCat(ctx.Case(), ": ", field, " names ", name, " twice"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

// 三(一)2: 对于复杂问题需要进一步沟通的，应在[X]个工作日内明确告知客户处理进度和预计完成时间;
// 三(一)3: 特殊情况需及时向客户说明原因并告知预计回复时间.
absl::StatusOr<Events> DecideSendProgressNotice(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_ACKNOWLEDGED, v1::STAGE_RESOLVING},
                                      "SendProgressNotice (while the complaint is worked)"));
  const v1::SendProgressNotice& cmd = ctx.command.send_progress_notice();
  DOCKET_RETURN_IF_ERROR(CheckRequiredFields(cmd, "send_progress_notice", ctx.Case()));
  if (!cmd.has_expected_completion_at()) {
    return Refuse(v1::RULE_PROGRESS_NOTICE, absl::StatusCode::kInvalidArgument,
                  absl::StrCat(ctx.Case(),
                               ": a progress notice tells the customer when the complaint should "
                               "be done: send_progress_notice.expected_completion_at is required"));
  }
  if (ToTime(cmd.expected_completion_at()) <= ctx.occurred) {
    return Refuse(v1::RULE_PROGRESS_NOTICE, absl::StatusCode::kInvalidArgument,
                  absl::StrCat(ctx.Case(),
                               ": a progress notice tells the customer when the complaint should "
                               "be done: expected_completion_at must be after the notice, ",
                               FormatUtc(ctx.occurred)));
  }
  v1::CaseEvent event;
  v1::ProgressNoticeSent* e = event.mutable_progress_notice_sent();
  e->set_progress(cmd.progress());
  *e->mutable_expected_completion_at() = cmd.expected_completion_at();
  *e->add_deadlines() = ctx.clock.NextProgressNotice(
      ctx.occurred, ToTime(cmd.expected_completion_at()), ctx.state.severity());
  return Single(std::move(event));
}

absl::Status RequireTaskGroup(const DecisionContext& ctx) {
  const v1::CaseState& s = ctx.state;
  const v1::TaskGroupPolicy& p = ctx.policy.task_group();
  if (KindOf(s) != v1::CASE_KIND_COMPLAINT || s.has_task_group()) return absl::OkStatus();
  const bool grave = s.severity() >= p.from_severity();
  const bool several = s.departments_size() >= p.min_departments();
  if (!grave && !several) return absl::OkStatus();
  return RefuseNotNow(
      v1::RULE_TASK_GROUP,
      absl::StrCat(
          ctx.Case(), " is ",
          grave ? v1::Severity_Name(s.severity())
                : absl::StrCat("a complaint involving ", s.departments_size(), " departments"),
          ": it is handled by a task group (专项投诉处理小组), formed before the resolution"));
}

// 四(二)3: 对于重大投诉或涉及多个部门的投诉，成立专项投诉处理小组进行处理.
absl::StatusOr<Events> DecideFormTaskGroup(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_RESOLVING, v1::STAGE_DISPUTED},
                                      "FormTaskGroup (after acceptance, before the resolution)"));
  DOCKET_RETURN_IF_ERROR(
      CheckRequiredFields(ctx.command.form_task_group(), "form_task_group", ctx.Case()));
  const v1::TaskGroup& g = ctx.command.form_task_group().task_group();
  std::set<std::string> people = {g.lead()};
  DOCKET_RETURN_IF_ERROR(CheckNames(ctx, "task_group.members", g.members(), &people));
  std::set<std::string> departments;
  DOCKET_RETURN_IF_ERROR(CheckNames(ctx, "task_group.departments", g.departments(), &departments));
  const v1::TaskGroupPolicy& p = ctx.policy.task_group();
  if (g.members_size() < p.min_members() || g.departments().empty()) {
    return RefuseNotNow(v1::RULE_TASK_GROUP,
                        absl::StrCat(ctx.Case(), ": a task group has a lead, at least ",
                                     p.min_members(), " other member(s) and its departments"));
  }
  std::vector<std::string> missing;
  for (const std::string& d : ctx.state.departments()) {
    if (!departments.contains(d)) missing.push_back(d);
  }
  if (!missing.empty()) {
    return RefuseNotNow(v1::RULE_TASK_GROUP,
                        absl::StrCat(ctx.Case(),
                                     ": the task group must bring together the "
                                     "departments the complaint involves; missing: ",
                                     absl::StrJoin(missing, ", ")));
  }
  v1::CaseEvent event;
  *event.mutable_task_group_formed()->mutable_task_group() = g;
  return Single(std::move(event));
}

// 服务事故的常用处理办法 5 诉讼, 3 保险理赔: a customer still dissatisfied
// after special handling (特事特办) does not keep the case open forever.
absl::StatusOr<Events> DecideCloseByReferral(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_RESOLVING, v1::STAGE_DISPUTED},
                                      "CloseByReferral (the customer still dissatisfied)"));
  const v1::CloseByReferral& cmd = ctx.command.close_by_referral();
  DOCKET_RETURN_IF_ERROR(CheckRequiredFields(cmd, "close_by_referral", ctx.Case()));
  if (cmd.referral() != v1::REFERRAL_LITIGATION && cmd.referral() != v1::REFERRAL_INSURER) {
    return RefuseMalformed(absl::StrCat(
        ctx.Case(),
        ": close_by_referral.referral must be REFERRAL_LITIGATION or REFERRAL_INSURER"));
  }
  const v1::ClosurePolicy& p = ctx.policy.closure();
  if (ctx.state.special_handling_count() < p.min_special_handlings()) {
    return RefuseNotNow(
        v1::RULE_CLOSURE,
        absl::StrCat(ctx.Case(), ": a case is referred only after ", p.min_special_handlings(),
                     " round(s) of special handling (特事特办); it has had ",
                     ctx.state.special_handling_count()));
  }
  // 确定处罚办法 → 执行 → 存档: the file closes with its penalties executed.
  if (const std::vector<std::string> pending = UnexecutedPenalties(ctx.state); !pending.empty()) {
    return RefuseNotNow(v1::RULE_CLOSURE,
                        absl::StrCat(ctx.Case(), ": penalty ", pending.front(),
                                     " was decided and is not executed; execute it before the "
                                     "case closes"));
  }
  DOCKET_RETURN_IF_ERROR(
      RequireLevel(ctx, p.referral_level(),
                   absl::StrCat("closing by referral to ", v1::Referral_Name(cmd.referral()))));
  v1::CaseEvent event;
  event.mutable_closed_by_referral()->set_referral(cmd.referral());
  event.mutable_closed_by_referral()->set_reason(cmd.reason());
  return Single(std::move(event));
}

}  // namespace docket::internal
