// Impersonation detector: user, domain and mailbox-intelligence impersonation with the
// suppressions of brief 4.2 (trusted senders and domains, accepted domains, known contacts).
#include <mailverdict/detect/impersonation.hpp>

#include <doctest/doctest.h>

#include <memory>

using namespace mailverdict;
using namespace mailverdict::detect;
// check(): the detector for recipient alice@contoso.com under the test policy.

namespace {

std::shared_ptr<const LookalikeModel> model() {
    static const auto m =
        std::make_shared<const LookalikeModel>(*psl::PublicSuffixList::system().list);
    return m;
}

Mailbox mailbox(std::string_view text) {
    auto boxes = parse_address_list(text);
    REQUIRE(boxes.size() == 1);
    return boxes.front();
}

std::vector<policy::AcceptedDomain> accepted() {
    return {{"contoso.com", policy::AcceptedDomainType::authoritative},
            {"contoso-corp.com", policy::AcceptedDomainType::authoritative}};
}

// A Standard-like policy: protected users, the organization's domains and one custom domain.
policy::AntiPhishSettings settings(int level = 3) {
    policy::AntiPhishSettings s;
    s.phish_threshold_level = level;
    s.enable_targeted_user_protection = true;
    s.targeted_users_to_protect = {{"John Smith", "john.smith@contoso.com"},
                                   {"Maria Garcia", "maria.garcia@contoso.com"}};
    s.enable_organization_domains_protection = true;
    s.enable_targeted_domains_protection = true;
    s.targeted_domains_to_protect = {"fabrikam.com"};
    s.excluded_senders = {"jsmith.home@outlook.example"};
    s.excluded_domains = {"contoso.net"};
    return s;
}

ImpersonationProfile profile(const policy::AntiPhishSettings& s = settings()) {
    return ImpersonationProfile::build(s, accepted(), model(), "test policy");
}

ImpersonationFindings check(std::string_view from, std::string_view mail_from = "",
                            const ContactGraph* graph = nullptr,
                            const ImpersonationProfile& p = profile()) {
    return detect_impersonation(p, mailbox(from), mail_from, "alice@contoso.com", graph);
}

}  // namespace

TEST_CASE("user impersonation: a protected user's name from another address") {
    const auto f = check("John Smith <john.smith.ceo@mail.example>");
    const auto* top = f.top(ImpersonationKind::user);
    REQUIRE(top != nullptr);
    CHECK(top->technique == Technique::same_name);
    CHECK(top->impersonated_address == "john.smith@contoso.com");
    CHECK(top->impersonated_name == "John Smith");
    CHECK(top->part == SenderPart::display_name);
    CHECK(top->score == doctest::Approx(1.0));
    CHECK(top->flagged());
    CHECK_FALSE(top->summary.empty());
    CHECK_FALSE(f.flagged(ImpersonationKind::domain));
}

TEST_CASE("user impersonation: homoglyph and reordered names, address in the display name") {
    CHECK(check("\xD0\x88\xD0\xBEhn Smith <x@mail.example>")
              .top(ImpersonationKind::user)
              ->technique == Technique::homoglyph);
    CHECK(check("\"Garcia, Maria\" <x@mail.example>").top(ImpersonationKind::user)->technique ==
          Technique::reordered_name);
    const auto f = check("\"john.smith@contoso.com\" <x@mail.example>");
    REQUIRE(f.flagged(ImpersonationKind::user));
    CHECK(f.top(ImpersonationKind::user)->technique == Technique::address_in_display_name);
}

TEST_CASE("user impersonation: never the user's own address, not an unrelated name") {
    CHECK_FALSE(check("John Smith <john.smith@contoso.com>").flagged(ImpersonationKind::user));
    CHECK(check("John Miller <john.miller@mail.example>").findings.empty());
    CHECK(check("Maria Lopez <maria@mail.example>").findings.empty());
    CHECK(check("<noreply@mail.example>").findings.empty());
}

TEST_CASE("trusted sender: the real user writing from a listed personal address") {
    const auto f = check("John Smith <jsmith.home@outlook.example>");
    CHECK_FALSE(f.flagged(ImpersonationKind::user));
    CHECK(f.sender_trusted == Suppression::trusted_sender);
    // Still reported, for the insight's "Allowed to impersonate: Yes" (brief 11.5).
    REQUIRE(f.findings.size() == 1);
    CHECK(f.findings[0].suppression == Suppression::trusted_sender);
}

TEST_CASE("domain impersonation: company and custom domains, From and MAIL FROM") {
    const auto f = check("Support <help@c0ntoso.com>");
    const auto* top = f.top(ImpersonationKind::domain);
    REQUIRE(top != nullptr);
    CHECK(top->impersonated_domain == "contoso.com");
    CHECK(top->company_domain);
    CHECK(top->technique == Technique::character_substitution);
    CHECK(top->part == SenderPart::from_domain);

    const auto custom = check("News <news@fabrikam-news.com>");
    REQUIRE(custom.flagged(ImpersonationKind::domain));
    CHECK_FALSE(custom.top(ImpersonationKind::domain)->company_domain);
    CHECK(custom.top(ImpersonationKind::domain)->technique == Technique::hyphenated_affix);

    // A clean From with a lookalike envelope sender.
    const auto envelope = check("Mailer <mailer@mail.example>", "bounces.fabrikarn.com");
    REQUIRE(envelope.flagged(ImpersonationKind::domain));
    CHECK(envelope.top(ImpersonationKind::domain)->part == SenderPart::mail_from_domain);
    CHECK(envelope.top(ImpersonationKind::domain)->impersonated_domain == "fabrikam.com");
}

TEST_CASE("domain impersonation: not the protected domain, its sub-domains, accepted domains") {
    CHECK(check("News <news@mail.contoso.com>").findings.empty());
    CHECK(check("News <news@eu.fabrikam.com>").findings.empty());
    // contoso-corp.com would be a hyphenated lookalike of contoso.com, but it is accepted.
    CHECK(check("Team <team@contoso-corp.com>").findings.empty());
    CHECK(check("Team <team@mail.example>", "mail.example").findings.empty());
}

TEST_CASE("trusted domains are exact: sub-domains of a trusted domain are not trusted") {
    const auto trusted = check("Ops <ops@contoso.net>");
    CHECK_FALSE(trusted.flagged(ImpersonationKind::domain));
    CHECK(trusted.sender_trusted == Suppression::trusted_domain);
    REQUIRE_FALSE(trusted.findings.empty());
    CHECK(trusted.findings[0].technique == Technique::tld_swap);
    CHECK(check("Ops <ops@mail.contoso.net>").flagged(ImpersonationKind::domain));
}

TEST_CASE("protection switches: nothing is compared when a protection is off") {
    auto s = settings();
    s.enable_targeted_user_protection = false;
    s.enable_organization_domains_protection = false;
    const auto p = profile(s);
    CHECK(p.protected_user_count() == 0);
    CHECK(p.protected_domain_count() == 1);  // the custom domain only
    CHECK_FALSE(
        check("John Smith <x@mail.example>", "", nullptr, p).flagged(ImpersonationKind::user));
    CHECK_FALSE(
        check("Support <help@c0ntoso.com>", "", nullptr, p).flagged(ImpersonationKind::domain));
    CHECK(check("News <x@fabrikarn.com>", "", nullptr, p).flagged(ImpersonationKind::domain));
}

TEST_CASE("threshold levels: two edits in a name only from level 3") {
    CHECK_FALSE(check("Jon Smyth <x@mail.example>", "", nullptr, profile(settings(1)))
                    .flagged(ImpersonationKind::user));
    CHECK(check("Jon Smyth <x@mail.example>", "", nullptr, profile(settings(3)))
              .flagged(ImpersonationKind::user));
    CHECK_FALSE(check("News <x@contosososo.com>", "", nullptr, profile(settings(1)))
                    .flagged(ImpersonationKind::domain));
    CHECK(check("News <x@contosososo.com>", "", nullptr, profile(settings(4)))
              .flagged(ImpersonationKind::domain));
}

TEST_CASE("Microsoft's limits per policy are configuration errors (brief 4.2)") {
    auto s = settings();
    s.targeted_users_to_protect.assign(351, {"Someone", "someone@contoso.com"});
    CHECK_THROWS_AS(profile(s), ImpersonationConfigError);
    s = settings();
    s.targeted_domains_to_protect.assign(51, "fabrikam.com");
    CHECK_THROWS_AS(profile(s), ImpersonationConfigError);
    s = settings();
    s.phish_threshold_level = 5;
    CHECK_THROWS_WITH_AS(profile(s), doctest::Contains("test policy"), ImpersonationConfigError);
    s = settings();
    s.targeted_users_to_protect.assign(350, {"Someone", "someone@contoso.com"});
    CHECK_NOTHROW(profile(s));
}

TEST_CASE("mailbox intelligence: a known contact is not flagged") {
    ContactGraph graph;
    graph.record("alice@contoso.com", "john.smith.ceo@mail.example", "John Smith",
                 ContactDirection::received, std::nullopt);
    const auto f = check("John Smith <john.smith.ceo@mail.example>", "", &graph);
    CHECK(f.known_contact);
    CHECK_FALSE(f.flagged(ImpersonationKind::user));
    REQUIRE_FALSE(f.findings.empty());
    CHECK(f.findings[0].suppression == Suppression::known_contact);
    // With mailbox intelligence off the history is not used.
    auto s = settings();
    s.enable_mailbox_intelligence = false;
    CHECK(check("John Smith <john.smith.ceo@mail.example>", "", &graph, profile(s))
              .flagged(ImpersonationKind::user));
    // Another recipient has no such history.
    CHECK(detect_impersonation(profile(), mailbox("John Smith <john.smith.ceo@mail.example>"), "",
                               "bob@contoso.com", &graph)
              .flagged(ImpersonationKind::user));
}

TEST_CASE("mailbox-intelligence impersonation: imitating a frequent contact") {
    ContactGraph graph;
    graph.record("alice@contoso.com", "bob@tailspintoys.com", "Bob Jones", ContactDirection::sent,
                 std::nullopt);
    graph.record("alice@contoso.com", "news@fabrikam.com", "Fabrikam News",
                 ContactDirection::received, std::nullopt);  // once: not frequent

    const auto name = check("Bob Jones <bob.jones@freemail.example>", "", &graph);
    const auto* top = name.top(ImpersonationKind::mailbox_intelligence);
    REQUIRE(top != nullptr);
    CHECK(top->impersonated_address == "bob@tailspintoys.com");
    CHECK(top->part == SenderPart::display_name);

    const auto domain = check("Billing <billing@tai1spintoys.com>", "", &graph);
    REQUIRE(domain.flagged(ImpersonationKind::mailbox_intelligence));
    CHECK(domain.top(ImpersonationKind::mailbox_intelligence)->technique ==
          Technique::character_substitution);
    CHECK(domain.top(ImpersonationKind::mailbox_intelligence)->part == SenderPart::from_domain);
    // Another TLD imitates the contact only with the contact's own mailbox name: a stranger
    // at outlook.fr does not imitate a friend at outlook.com.
    const auto tld = check("Mr B <bob@tailspintoys.co>", "", &graph);
    REQUIRE(tld.flagged(ImpersonationKind::mailbox_intelligence));
    CHECK(tld.top(ImpersonationKind::mailbox_intelligence)->technique == Technique::tld_swap);
    CHECK_FALSE(check("Billing <billing@tailspintoys.co>", "", &graph)
                    .flagged(ImpersonationKind::mailbox_intelligence));

    // A colleague of the contact at the same organization is not an imitation.
    CHECK_FALSE(check("Bob Jones <b.jones@tailspintoys.com>", "", &graph)
                    .flagged(ImpersonationKind::mailbox_intelligence));
    // The contact itself, and senders resembling nobody, are not flagged.
    CHECK(check("Bob Jones <bob@tailspintoys.com>", "", &graph).findings.empty());
    CHECK(check("Carol White <carol@mail.example>", "", &graph).findings.empty());
    // A contact heard from once is not frequent.
    CHECK_FALSE(check("Fabrikam News <news@mail.example>", "", &graph)
                    .flagged(ImpersonationKind::mailbox_intelligence));
    // Without a graph, or for a recipient the graph does not know, nothing is said.
    CHECK_FALSE(check("Bob Jones <bob.jones@freemail.example>")
                    .flagged(ImpersonationKind::mailbox_intelligence));
    CHECK_FALSE(detect_impersonation(profile(), mailbox("Bob Jones <bob.jones@freemail.example>"),
                                     "", "nobody@contoso.com", &graph)
                    .flagged(ImpersonationKind::mailbox_intelligence));
}

TEST_CASE("mailbox-intelligence impersonation: the index gives the same answer") {
    ContactGraph graph;
    graph.record("alice@contoso.com", "bob@tailspintoys.com", "Bob Jones", ContactDirection::sent,
                 std::nullopt);
    const auto before = check("Bob Jones <bob.jones@freemail.example>", "", &graph);
    graph.index(*model());
    REQUIRE(graph.indexed_contacts("alice@contoso.com") != nullptr);
    const auto after = check("Bob Jones <bob.jones@freemail.example>", "", &graph);
    REQUIRE(before.flagged(ImpersonationKind::mailbox_intelligence));
    REQUIRE(after.flagged(ImpersonationKind::mailbox_intelligence));
    CHECK(before.top(ImpersonationKind::mailbox_intelligence)->summary ==
          after.top(ImpersonationKind::mailbox_intelligence)->summary);
}

TEST_CASE("profiles of a tenant: one per anti-phishing policy") {
    const auto tenant = policy::Tenant::parse(R"(
tenant: { name: Contoso }
accepted_domains: [contoso.com]
)");
    const auto profiles =
        ImpersonationProfiles::build(tenant, *psl::PublicSuffixList::system().list);
    CHECK(profiles.find(tenant.anti_phishing().default_policy) != nullptr);
    CHECK(profiles.find(tenant.anti_phishing().strict) != nullptr);
    const policy::AntiPhishPolicy other;
    CHECK(profiles.find(other) == nullptr);
}
