// The channel regulation's short flows (物流客服渠道管理办法 四): inquiries
// (四(一) 客户咨询流程) and suggestions (四(三) 客户建议收集与反馈流程). Each is a
// case kind of its own with its own clocks (policy.inquiry,
// policy.suggestion); complaints are the six steps elsewhere.

#include "absl/strings/str_cat.h"
#include "engine/case_kind.h"
#include "engine/decision_context.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/status_macros.h"

namespace docket::internal {

// 四(一)3: 给予客户准确、详细的解答 (at once, from the knowledge base), or
// 四(一)6: 客服人员收到处理结果后，及时回复客户 (after the department answered).
absl::StatusOr<Events> DecideAnswerInquiry(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(
      RequireStage(ctx, {v1::STAGE_OPENED, v1::STAGE_ROUTED}, "AnswerInquiry (the inquiry open)"));
  const v1::AnswerInquiry& cmd = ctx.command.answer_inquiry();
  DOCKET_RETURN_IF_ERROR(CheckRequiredFields(cmd, "answer_inquiry", ctx.Case()));
  v1::CaseEvent event;
  event.mutable_inquiry_answered()->set_answer(cmd.answer());
  return Single(std::move(event));
}

// 四(一)4: 对于无法立即解答的问题，客服人员应记录客户问题，并告知客户会在规定时间内给予回复。
// 同时，将问题及时流转给相关部门或专业人员进行处理。
// 四(三)3: 将客户建议定期汇总后反馈给相关部门.
absl::StatusOr<Events> DecideRouteToDepartment(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_OPENED}, "RouteToDepartment"));
  const v1::RouteToDepartment& cmd = ctx.command.route_to_department();
  DOCKET_RETURN_IF_ERROR(CheckRequiredFields(cmd, "route_to_department", ctx.Case()));
  v1::CaseEvent event;
  v1::RoutedToDepartment* e = event.mutable_routed_to_department();
  e->set_department(cmd.department());
  e->set_note(cmd.note());
  // The department's clock; for an inquiry its due time is the reply time
  // the customer is promised.
  *e->add_deadlines() = ctx.clock.StartFlow(v1::DEADLINE_KIND_DEPARTMENT_REPLY, ctx.occurred,
                                            KindOf(ctx.state), v1::LINK_KIND_UNSPECIFIED);
  return Single(std::move(event));
}

// 四(三)3: 相关部门对建议进行评估和分析，对于具有可行性和价值的建议，纳入公司的改进计划.
absl::StatusOr<Events> DecideEvaluateSuggestion(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_ROUTED}, "EvaluateSuggestion"));
  const v1::EvaluateSuggestion& cmd = ctx.command.evaluate_suggestion();
  // The reason, adopted or not.
  DOCKET_RETURN_IF_ERROR(CheckRequiredFields(cmd, "evaluate_suggestion", ctx.Case()));
  v1::CaseEvent event;
  event.mutable_suggestion_evaluated()->set_adopted(cmd.adopted());
  event.mutable_suggestion_evaluated()->set_reason(cmd.reason());
  return Single(std::move(event));
}

// 四(三)4: 客服人员及时向客户反馈，感谢客户的建议，并告知客户公司对建议的重视和处理情况.
absl::StatusOr<Events> DecideFeedBackSuggestion(const DecisionContext& ctx) {
  DOCKET_RETURN_IF_ERROR(RequireStage(ctx, {v1::STAGE_EVALUATED}, "FeedBackSuggestion"));
  const v1::FeedBackSuggestion& cmd = ctx.command.feed_back_suggestion();
  DOCKET_RETURN_IF_ERROR(CheckRequiredFields(cmd, "feed_back_suggestion", ctx.Case()));
  v1::CaseEvent event;
  event.mutable_suggestion_fed_back()->set_message(cmd.message());
  return Single(std::move(event));
}

}  // namespace docket::internal
