// Safety tips (brief 4.3, SFTY codes of 1.4).
#include <mailverdict/detect/safety_tips.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>

using namespace mailverdict;
using namespace mailverdict::detect;

namespace {

const LookalikeModel& model() {
    static const LookalikeModel m{*psl::PublicSuffixList::system().list};
    return m;
}

Mailbox mailbox(std::string_view text) {
    auto boxes = parse_address_list(text);
    REQUIRE(boxes.size() == 1);
    return boxes.front();
}

const SafetyTip* find(const std::vector<SafetyTip>& tips, SafetyTipKind kind) {
    const auto it = std::find_if(tips.begin(), tips.end(),
                                 [kind](const SafetyTip& t) { return t.kind == kind; });
    return it == tips.end() ? nullptr : &*it;
}

ContactGraph graph() {
    ContactGraph g;
    g.record("alice@contoso.com", "bob@fabrikam.com", "Bob", ContactDirection::received,
             std::nullopt);
    g.record("dan@contoso.com", "bob@fabrikam.com", "Bob", ContactDirection::received,
             std::nullopt);
    g.record("erin@contoso.com", "x@example.org", "", ContactDirection::received, std::nullopt);
    return g;
}

}  // namespace

TEST_CASE("SFTY codes of brief 1.4") {
    CHECK(sfty_code(SafetyTipKind::first_contact) == "9.25");
    CHECK(sfty_code(SafetyTipKind::user_impersonation) == "9.20");
    CHECK(sfty_code(SafetyTipKind::domain_impersonation) == "9.19");
    CHECK(sfty_code(SafetyTipKind::unusual_characters).empty());
}

TEST_CASE("first contact: fires when the recipient never corresponded with the sender") {
    const auto g = graph();
    policy::AntiPhishSettings s;
    s.enable_first_contact_safety_tips = true;
    const Mailbox eve = mailbox("Eve <eve@example.net>");
    const Mailbox bob = mailbox("Bob <bob@fabrikam.com>");
    SafetyTipInput in;
    in.settings = &s;
    in.model = &model();
    in.contacts = &g;
    in.recipients = {"alice@contoso.com"};
    in.from = &eve;
    const auto tips = safety_tips(in);
    const auto* tip = find(tips, SafetyTipKind::first_contact);
    REQUIRE(tip != nullptr);
    CHECK(tip->enabled);
    CHECK(tip->text.find("You don't often get email from eve@example.net") != std::string::npos);

    in.from = &bob;
    CHECK(find(safety_tips(in), SafetyTipKind::first_contact) == nullptr);

    // A recipient the graph knows nothing about: no tip (nothing can be said).
    in.from = &eve;
    in.recipients = {"zoe@contoso.com"};
    CHECK(find(safety_tips(in), SafetyTipKind::first_contact) == nullptr);

    // Off in the policy (default policy, brief 4.5): computed, not enabled.
    s.enable_first_contact_safety_tips = false;
    in.recipients = {"alice@contoso.com"};
    const auto off = safety_tips(in);
    REQUIRE(find(off, SafetyTipKind::first_contact) != nullptr);
    CHECK_FALSE(find(off, SafetyTipKind::first_contact)->enabled);

    // No tips on S/MIME-signed mail (brief 4.3).
    in.smime_signed = true;
    CHECK(safety_tips(in).empty());
}

TEST_CASE("first contact: majority model over several recipients") {
    const auto g = graph();
    // Bob is known to alice and dan, new to erin: 1 of 3 -> no tip.
    const auto one = first_contact(g, "bob@fabrikam.com",
                                   {"alice@contoso.com", "dan@contoso.com", "erin@contoso.com"});
    CHECK(one.known == 3);
    CHECK(one.first_contact == 1);
    CHECK_FALSE(one.fires);
    // x@example.org is known to erin only: 2 of 3 first contacts -> tip, majority wording.
    const auto two = first_contact(g, "x@example.org",
                                   {"alice@contoso.com", "dan@contoso.com", "erin@contoso.com"});
    CHECK(two.first_contact == 2);
    CHECK(two.fires);
    CHECK(two.majority_wording);
    // Unknown recipients do not count.
    const auto unknown =
        first_contact(g, "x@example.org", {"alice@contoso.com", "zoe@contoso.com"});
    CHECK(unknown.known == 1);
    CHECK(unknown.fires);
    CHECK_FALSE(unknown.majority_wording);
}

TEST_CASE("user and domain impersonation tips follow flagged findings") {
    policy::AntiPhishSettings s;
    s.enable_similar_users_safety_tips = true;
    s.enable_similar_domains_safety_tips = false;
    ImpersonationFindings f;
    ImpersonationFinding user;
    user.kind = ImpersonationKind::user;
    user.sender_value = "John Smith";
    user.impersonated = "John Smith <john.smith@contoso.com>";
    f.findings.push_back(user);
    ImpersonationFinding domain;
    domain.kind = ImpersonationKind::domain;
    domain.sender_value = "c0ntoso.com";
    domain.impersonated = "contoso.com";
    f.findings.push_back(domain);
    const Mailbox from = mailbox("John Smith <x@c0ntoso.com>");
    SafetyTipInput in;
    in.settings = &s;
    in.from = &from;
    in.findings = &f;
    auto tips = safety_tips(in);
    REQUIRE(find(tips, SafetyTipKind::user_impersonation) != nullptr);
    CHECK(find(tips, SafetyTipKind::user_impersonation)->enabled);
    REQUIRE(find(tips, SafetyTipKind::domain_impersonation) != nullptr);
    CHECK_FALSE(find(tips, SafetyTipKind::domain_impersonation)->enabled);
    // A suppressed finding (trusted sender) shows no tip.
    f.findings[0].suppression = Suppression::trusted_sender;
    tips = safety_tips(in);
    CHECK(find(tips, SafetyTipKind::user_impersonation) == nullptr);
}

TEST_CASE("unusual characters: mixed scripts, invisible characters, confusables") {
    policy::AntiPhishSettings s;
    s.enable_unusual_characters_safety_tips = true;
    SafetyTipInput in;
    in.settings = &s;
    in.model = &model();
    const Mailbox cyrillic = mailbox("=?UTF-8?B?SdC+aG4gU21pdGg=?= <john@example.org>");  // Iоhn
    in.from = &cyrillic;
    const auto tips = safety_tips(in);
    const auto* tip = find(tips, SafetyTipKind::unusual_characters);
    REQUIRE(tip != nullptr);
    CHECK(tip->enabled);
    CHECK_FALSE(tip->evidence.empty());

    const Mailbox zero_width = mailbox("=?UTF-8?Q?Pay=E2=80=8BPal?= <service@example.org>");
    in.from = &zero_width;
    CHECK(find(safety_tips(in), SafetyTipKind::unusual_characters) != nullptr);

    const Mailbox idn = mailbox("Apple <id@xn--80ak6aa92e.com>");  // аррӏе.com
    in.from = &idn;
    CHECK(find(safety_tips(in), SafetyTipKind::unusual_characters) != nullptr);

    const Mailbox plain = mailbox("=?UTF-8?Q?Jos=C3=A9_Garc=C3=ADa?= <jose@example.org>");
    in.from = &plain;
    CHECK(find(safety_tips(in), SafetyTipKind::unusual_characters) == nullptr);
}
