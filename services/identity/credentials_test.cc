// Credentials (DESIGN.md, "Identity"): passwords stored only as scrypt
// hashes, salted per principal; API tokens whose secret the directory never
// holds; record signatures (HMAC-SHA256) that fail on any change.

#include "services/identity/credentials.h"

#include <set>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace docket {
namespace {

TEST(CredentialsTest, PasswordsAreStoredAsSaltedScryptHashesOnly) {
  const std::string salt_a = PasswordSalt("pw-1", "E-100");
  const std::string salt_b = PasswordSalt("pw-2", "E-101");
  EXPECT_NE(salt_a, salt_b);
  absl::StatusOr<v1::PasswordHash> a = HashPassword("docket-demo", salt_a);
  absl::StatusOr<v1::PasswordHash> b = HashPassword("docket-demo", salt_b);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->SerializeAsString().find("docket-demo"), std::string::npos);
  EXPECT_NE(a->SerializeAsString(), b->SerializeAsString());  // Same password, other salt.
  EXPECT_TRUE(PasswordMatches("docket-demo", *a));
  EXPECT_FALSE(PasswordMatches("docket-demO", *a));
  EXPECT_FALSE(PasswordMatches("", *a));
  v1::PasswordHash tampered = *a;
  tampered.set_salt(b->salt());
  EXPECT_FALSE(PasswordMatches("docket-demo", tampered));
}

TEST(CredentialsTest, TokensParseOnlyInTheirOwnShapeAndMatchOnlyTheirSecret) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<Token> t = NewToken();
    ASSERT_TRUE(t.ok());
    EXPECT_TRUE(seen.insert(t->text()).second) << "a token repeated";
    std::optional<Token> parsed = ParseToken(t->text());
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->token_id, t->token_id);
    const std::string sha = SecretSha256(t->secret);
    EXPECT_TRUE(SecretMatches(parsed->secret, sha));
    std::string other = t->secret;
    other[0] = other[0] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(SecretMatches(other, sha));
  }
  for (const char* bad : {"", "dkt_", "dkt_0123456789abcdef", "xyz_0123456789abcdef_abc",
                          "dkt_0123456789ABCDEF_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                          "dkt_0123456789abcdef_short",
                          "dkt_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/"}) {
    EXPECT_FALSE(ParseToken(bad).has_value()) << bad;
  }
}

TEST(CredentialsTest, ASignatureFailsOnAnyChange) {
  const std::string key(32, '\x07');
  const std::string value = R"({"commandId":"c-1","caseId":"C-1","acknowledge":{}})";
  const std::string sig = HmacSha256Hex(key, value);
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_TRUE(SignatureMatches(key, value, sig));
  EXPECT_FALSE(SignatureMatches(key, value + " ", sig));
  EXPECT_FALSE(SignatureMatches(std::string(32, '\x08'), value, sig));
  EXPECT_FALSE(SignatureMatches(key, value, std::string(64, '0')));
  EXPECT_FALSE(SignatureMatches(key, value, sig.substr(0, 63)));
  EXPECT_FALSE(SignatureMatches(key, value, ""));
}

}  // namespace
// A page token names a position the caller may not read: sealed, it tells
// nothing, and what was not sealed here, or was altered, does not open.
TEST(CredentialsTest, ASealedTokenTellsNothingAndCannotBeForged) {
  const std::string key = std::string("C-2026-0008\0", 12) + "flood-1";
  const std::string sealed = SealForThisProcess(key);
  EXPECT_EQ(sealed.find(absl::BytesToHexString("C-2026")), std::string::npos);
  EXPECT_NE(SealForThisProcess(key), sealed) << "a new nonce each time";
  EXPECT_EQ(UnsealFromThisProcess(sealed), key);
  std::string altered = sealed;
  altered[30] = altered[30] == '0' ? '1' : '0';
  EXPECT_EQ(UnsealFromThisProcess(altered), std::nullopt);
  EXPECT_EQ(UnsealFromThisProcess(absl::BytesToHexString(key)), std::nullopt);
  EXPECT_EQ(UnsealFromThisProcess("zz"), std::nullopt);
  EXPECT_EQ(UnsealFromThisProcess(""), std::nullopt);
  EXPECT_EQ(UnsealFromThisProcess(SealForThisProcess("")), "");
}

}  // namespace docket
