// Strict input (issue: "Enum numbers outside the schema are accepted...";
// DESIGN.md "Bad input"): each value an attacker or a careless adapter sent,
// refused by Decide with RULE_MALFORMED_COMMAND naming the field, without
// echoing the value; and what docket writes stays valid UTF-8.

#include "engine/input_grammar.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "docket/v1/commands.pb.h"
#include "engine/decider.h"
#include "engine/policy.h"
#include "engine/refusal.h"
#include "engine/testing/case_harness.h"
#include "gmock/gmock.h"
#include "google/protobuf/stubs/common.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::Command Open(const std::string& body) {
  v1::Command command = testing::CommandFromText(body);
  if (command.command_id().empty()) command.set_command_id("c-1");
  if (command.case_id().empty()) command.set_case_id("C-1");
  if (!command.has_actor()) *command.mutable_actor() = testing::Handler();
  return command;
}

constexpr char kIntake[] =
    R"pb(open_case {
           intake {
             channel: CHANNEL_PHONE
             category: CATEGORY_DAMAGE
             customer { id: "CU-1" }
             shipment { waybill: "W-1" weight_g: 1000 }
             handling_branch: "GZ"
           }
         })pb";

struct Bad {
  std::string name;
  std::function<void(v1::Command*)> spoil;
  std::string field;  // The path the refusal must name.
};

TEST(InputGrammarTest, ValuesOutsideTheSchemaAreRefusedNamingTheField) {
  const std::vector<Bad> cases = {
      {"a level of 99",
       [](v1::Command* c) { c->mutable_actor()->set_level(static_cast<v1::Level>(99)); },
       "actor.level"},
      {"category 99",
       [](v1::Command* c) {
         c->mutable_open_case()->mutable_intake()->set_category(static_cast<v1::Category>(99));
       },
       "open_case.intake.category"},
      {"channel 42",
       [](v1::Command* c) {
         c->mutable_open_case()->mutable_intake()->set_channel(static_cast<v1::Channel>(42));
       },
       "open_case.intake.channel"},
      {"an unknown aggravating fact",
       [](v1::Command* c) {
         c->mutable_open_case()->mutable_intake()->add_facts(static_cast<v1::AggravatingFact>(17));
       },
       "open_case.intake.facts[0]"},
      {"a negative weight",
       [](v1::Command* c) {
         c->mutable_open_case()->mutable_intake()->mutable_shipment()->set_weight_g(-5);
       },
       "open_case.intake.shipment.weight_g"},
      {"a branch with NUL",
       [](v1::Command* c) {
         c->mutable_open_case()->mutable_intake()->set_handling_branch(std::string("GZ\0X", 4));
       },
       "open_case.intake.handling_branch"},
      {"a customer id with a newline",
       [](v1::Command* c) {
         c->mutable_open_case()->mutable_intake()->mutable_customer()->set_id("CU\n1");
       },
       "open_case.intake.customer.id"},
      {"a waybill with a right-to-left override",
       [](v1::Command* c) {
         c->mutable_open_case()->mutable_intake()->mutable_shipment()->set_waybill(
             "W\xE2\x80\xAE"
             "1");
       },
       "open_case.intake.shipment.waybill"},
      {"an actor id with a blank", [](v1::Command* c) { c->mutable_actor()->set_id("E 100"); },
       "actor.id"},
      {"a description of invalid UTF-8",
       [](v1::Command* c) {
         c->mutable_open_case()->mutable_intake()->set_description("broken \xC3\x28 text");
       },
       "open_case.intake.description"},
      {"a time before 1970", [](v1::Command* c) { c->mutable_occurred_at()->set_seconds(-86400); },
       "occurred_at"},
  };
  for (const Bad& bad : cases) {
    SCOPED_TRACE(bad.name);
    v1::Command command = Open(kIntake);
    bad.spoil(&command);
    absl::StatusOr<std::vector<v1::CaseEvent>> events =
        Decide(v1::CaseState(), command, DefaultPolicy(), testing::TestEpoch());
    ASSERT_FALSE(events.ok());
    EXPECT_EQ(RuleOf(events.status()), v1::RULE_MALFORMED_COMMAND);
    EXPECT_EQ(events.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(events.status().message(), HasSubstr(bad.field));
  }
}

TEST(InputGrammarTest, AnEscalationToLevelSevenIsRefused) {
  // Decided on an existing case: the envelope refuses it before any step.
  testing::CaseHarness harness("C-1");
  harness.MustSubmit(kIntake);
  v1::Command command = testing::CommandFromText("escalate { reason: \"up\" }");
  command.mutable_escalate()->set_to_level(static_cast<v1::Level>(7));
  command.set_command_id("c-2");
  command.set_case_id("C-1");
  *command.mutable_actor() = testing::HqSupervisor();
  absl::StatusOr<std::vector<v1::CaseEvent>> events = harness.Submit(command);
  ASSERT_FALSE(events.ok());
  EXPECT_EQ(RuleOf(events.status()), v1::RULE_MALFORMED_COMMAND);
  EXPECT_THAT(events.status().message(), HasSubstr("escalate.to_level"));
}

TEST(InputGrammarTest, CaseIdsAreBoundedSoDerivedIdsStayInBounds) {
  EXPECT_TRUE(IsValidCaseId("C-2026-000123"));
  EXPECT_TRUE(IsValidCaseId(std::string(kMaxCaseIdLength, 'C')));
  EXPECT_FALSE(IsValidCaseId(std::string(kMaxCaseIdLength + 1, 'C')));
  EXPECT_FALSE(IsValidCaseId("@directory"));
  EXPECT_FALSE(IsValidCaseId("C 1"));
  EXPECT_FALSE(IsValidCaseId("-C1"));
  EXPECT_FALSE(IsValidCaseId("C/1"));
  // The longest id the scanner derives from the longest case id fits.
  const std::string appeal = std::string(kMaxCaseIdLength, 'C') + "-APPEAL";
  const std::string scanner_id =
      "deadline:" + appeal + ":DEADLINE_KIND_REGULATORY_RESULT:2147483647:breach";
  EXPECT_TRUE(IsValidCommandId(scanner_id)) << scanner_id.size();
}

TEST(InputGrammarTest, TheScannersIdsAreReservedForIt) {
  testing::CaseHarness harness("C-1");
  harness.MustSubmit(kIntake);
  v1::Command command = testing::CommandFromText("acknowledge {}");
  command.set_command_id("deadline:C-1:DEADLINE_KIND_FIRST_RESPONSE:1:50");
  command.set_case_id("C-1");
  *command.mutable_actor() = testing::Handler();
  absl::StatusOr<std::vector<v1::CaseEvent>> events = harness.Submit(command);
  ASSERT_FALSE(events.ok());
  EXPECT_THAT(events.status().message(), HasSubstr("reserved"));
}

TEST(InputGrammarTest, KeysAllowAnyScriptButNoInvisibles) {
  EXPECT_TRUE(IsValidKey("ZHUHAI"));
  EXPECT_TRUE(IsValidKey("珠海"));
  EXPECT_TRUE(IsValidKey("E-100"));
  EXPECT_FALSE(IsValidKey(""));
  EXPECT_FALSE(IsValidKey("a b"));
  EXPECT_FALSE(
      IsValidKey("a\xE2\x80\x8B"
                 "b"));  // Zero-width space.
  EXPECT_FALSE(
      IsValidKey("a\xE2\x81\xA6"
                 "b"));  // Left-to-right isolate.
  EXPECT_FALSE(
      IsValidKey("a\xC2\x85"
                 "b"));  // NEL (C1).
  EXPECT_FALSE(IsValidKey("\xFF"));
  EXPECT_FALSE(IsValidKey(std::string(kMaxKeyCodePoints + 1, 'k')));
}

TEST(InputGrammarTest, RejectionsAreValidUtf8WhateverTheInput) {
  const std::string bad = "id\xC0\xAF\xFF\x01\xE2\x80\xAE";
  const std::string safe = SafeText(bad);
  EXPECT_TRUE(google::protobuf::internal::IsStructurallyValidUTF8(safe)) << safe;
  EXPECT_THAT(safe, Not(HasSubstr("\x01")));
  EXPECT_THAT(safe, HasSubstr("\\u{202E}"));

  v1::Command command = Open(kIntake);
  command.set_command_id(bad);
  command.set_case_id(bad);
  const v1::Rejection rejection =
      MakeRejection(command, RefuseMalformed(absl::StrCat("about ", bad)), testing::TestEpoch());
  EXPECT_TRUE(rejection.command_id().empty()) << "an invalid id is not echoed";
  EXPECT_TRUE(rejection.case_id().empty());
  EXPECT_TRUE(google::protobuf::internal::IsStructurallyValidUTF8(rejection.reason()));
}

TEST(InputGrammarTest, ASha256IsSixtyFourLowercaseHexDigits) {
  const std::string sha(64, 'a');
  EXPECT_TRUE(IsSha256Hex(sha));
  EXPECT_TRUE(IsSha256Hex(std::string(32, '0') + std::string(32, 'f')));
  EXPECT_FALSE(IsSha256Hex(sha.substr(1)));
  EXPECT_FALSE(IsSha256Hex(sha + "a"));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'A')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a') + "g"));
  EXPECT_FALSE(IsSha256Hex(""));
}

// Evidence of `kind` and sha256 "aa…a" named by `uri`, attached to an
// accepted case.
absl::StatusOr<std::vector<v1::CaseEvent>> Attach(const std::string& uri, const std::string& kind,
                                                  const std::string& media_type) {
  testing::CaseHarness harness("C-1");
  harness.MustSubmit(kIntake);
  harness.MustSubmit("acknowledge {}");
  harness.MustSubmit("accept {}");
  return harness.Submit(absl::StrCat("attach_evidence { evidence { kind: ", kind, " media_type: \"",
                                     media_type, "\" size_bytes: 10 sha256_hex: \"",
                                     std::string(64, 'a'), "\" uri: \"", uri, "\" } }"));
}
absl::StatusOr<std::vector<v1::CaseEvent>> AttachPhoto(const std::string& uri) {
  return Attach(uri, "EVIDENCE_KIND_PHOTO", "image/png");
}
absl::StatusOr<std::vector<v1::CaseEvent>> AttachDocument(const std::string& uri) {
  return Attach(uri, "EVIDENCE_KIND_DOCUMENT", "application/pdf");
}

// Evidence in the content store is named by its hash, "cas://<sha256_hex>":
// "CAS://…" or " cas://…" passed for an outside reference before, which the
// runtime does not look for in the store (an attack found it), so a case
// claimed a file its sender never held.
TEST(InputGrammarTest, EvidenceInTheStoreIsNamedExactlyByItsHash) {
  const std::string sha(64, 'a');
  EXPECT_TRUE(AttachPhoto("cas://" + sha).ok());
  EXPECT_TRUE(AttachDocument("https://docs.example.com/W-1.pdf").ok()) << "outside the store";
  for (const std::string& uri :
       {"CAS://" + sha, "Cas://" + sha, " cas://" + sha, "cas://" + sha + " ",
        "cas://" + std::string(64, 'b'), "cas:" + sha, std::string("https://x.example/a b.pdf")}) {
    absl::StatusOr<std::vector<v1::CaseEvent>> refused = AttachDocument(uri);
    ASSERT_FALSE(refused.ok()) << uri;
    EXPECT_EQ(RuleOf(refused.status()), v1::RULE_MALFORMED_COMMAND) << uri;
  }
}

// Photo evidence is stored by content hash (DESIGN.md): the runtime checks
// a stored photo's bytes and the audit re-hashes them. A photo at an
// outside address, which nobody checks, passed before and counted towards
// DAMAGE's photo before a resolution.
TEST(InputGrammarTest, APhotoIsInTheStore) {
  for (const std::string& uri :
       {std::string("https://photos.example.com/W-1.png"), std::string("file:///tmp/W-1.png")}) {
    absl::StatusOr<std::vector<v1::CaseEvent>> refused = AttachPhoto(uri);
    ASSERT_FALSE(refused.ok()) << uri;
    EXPECT_EQ(RuleOf(refused.status()), v1::RULE_EVIDENCE) << uri;
    EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("cas://"));
  }
}

// An outside reference is one a person can read and follow: letters of any
// script, but no space of any script, nor an invisible or bidirectional
// character that would show a handler one address and open another
// ("photo\u202Egnp.exe" shows as "photoexe.png"), and bounded.
TEST(InputGrammarTest, AnOutsideReferenceShowsWhatItOpens) {
  EXPECT_TRUE(AttachDocument("https://单据.example/投诉-W-1.pdf").ok()) << "an IRI, in Chinese";
  EXPECT_TRUE(AttachDocument("https://x.example/" + std::string(2000, 'a')).ok());
  for (const std::string& uri : {
           std::string("https://x.example/photo\u202Egnp.exe"),  // Right-to-left override.
           std::string("https://x.example/a\u3000b.png"),        // Ideographic space.
           std::string("https://x.example/a\u00A0b.png"),        // No-break space.
           std::string("https://x.example/a\u200Bb.png"),        // Zero-width space.
           std::string("https://x.example/a\u2066b\u2069.png"),  // Isolates.
           "https://x.example/" + std::string(2100, 'a'),
       }) {
    absl::StatusOr<std::vector<v1::CaseEvent>> refused = AttachDocument(uri);
    ASSERT_FALSE(refused.ok()) << uri;
    EXPECT_EQ(RuleOf(refused.status()), v1::RULE_MALFORMED_COMMAND) << uri;
    EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("evidence.uri"));
  }
}

// What a refusal leaves behind: recorded and final, except where there is
// nothing to record it by, no proven sender, or an id that is not the
// sender's to take.
TEST(InputGrammarTest, ARefusalIsRecordedUnlessItsIdIsNotTheSendersToTake) {
  const auto refused = [](const std::string& id, v1::Rule rule) {
    v1::CommandOutcome o;
    o.set_command_id(id);
    o.mutable_rejection()->set_command_id(id);
    o.mutable_rejection()->set_rule(rule);
    return o;
  };
  EXPECT_TRUE(RecordsRefusal(refused("c-1", v1::RULE_STEP_ORDER), false));
  EXPECT_TRUE(RecordsRefusal(refused("c-1", v1::RULE_MALFORMED_COMMAND), false));
  EXPECT_FALSE(RecordsRefusal(refused("", v1::RULE_MALFORMED_COMMAND), false));
  EXPECT_FALSE(RecordsRefusal(refused("c-1", v1::RULE_UNAUTHENTICATED), false));
  EXPECT_FALSE(RecordsRefusal(refused("c-1", v1::RULE_DUPLICATE_COMMAND_ID), false));
  EXPECT_FALSE(RecordsRefusal(refused("deadline:C-1:x", v1::RULE_STEP_ORDER), false));
  EXPECT_TRUE(RecordsRefusal(refused("deadline:C-1:x", v1::RULE_STEP_ORDER), true));
  v1::CommandOutcome repeat = refused("c-1", v1::RULE_STEP_ORDER);
  repeat.set_duplicate(true);
  EXPECT_FALSE(RecordsRefusal(repeat, false));
  v1::CommandOutcome accepted;
  accepted.set_command_id("c-2");
  EXPECT_FALSE(RecordsRefusal(accepted, false));
}

}  // namespace
}  // namespace docket
