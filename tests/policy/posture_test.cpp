// Posture analysis (docs/posture.md): which checks run, which pass, and the score, each
// worked out by hand from the recommended-values tables (brief 4.5-4.7), the migration
// guide's onboard step 8 and the points of docs/posture.md (high 10, medium 5, low 2,
// informational 0; could-not-check counts in neither total).
#include <mailverdict/auth/org_domain.hpp>
#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/policy/posture.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

using namespace mailverdict;
using namespace mailverdict::policy;

namespace {

std::shared_ptr<dns::Resolver> no_dns() {
    return dns::zone_text("$TTL 300\n", ".");
}

// Answers `timeout` for every name under `failing`, asks `inner` otherwise: a name server
// that does not answer for one domain.
class FailingFor final : public dns::Resolver {
public:
    FailingFor(std::shared_ptr<dns::Resolver> inner, std::string failing)
        : inner_(std::move(inner)), failing_(std::move(failing)) {}
    dns::Answer query(std::string_view name, dns::RecordType type) override {
        const std::string n = psl::normalize_domain(name);
        if (n == failing_ || n.ends_with("." + failing_)) {
            dns::Answer a;
            a.status = dns::DnsStatus::timeout;
            a.name = n;
            a.type = type;
            a.detail = "no answer";
            return a;
        }
        return inner_->query(name, type);
    }

private:
    std::shared_ptr<dns::Resolver> inner_;
    std::string failing_;
};

const Finding* find(const PostureResult& r, std::string_view id, std::string_view subject) {
    for (const auto& f : r.checks) {
        if (f.id == id && f.subject == subject) {
            return &f;
        }
    }
    return nullptr;
}

CheckStatus status(const PostureResult& r, std::string_view id, std::string_view subject) {
    const Finding* f = find(r, id, subject);
    const std::string what = std::string(id) + " / " + std::string(subject);
    REQUIRE_MESSAGE(f != nullptr, what);
    return f->status;
}

std::size_t count_id(const PostureResult& r, std::string_view id) {
    std::size_t n = 0;
    for (const auto& f : r.checks) {
        n += f.id == id ? 1 : 0;
    }
    return n;
}

PostureResult analyze(const Tenant& t, dns::Resolver& resolver, PostureOptions options = {}) {
    return PostureAnalyzer(t, resolver, options).analyze();
}

}  // namespace

TEST_CASE("posture: Microsoft host names") {
    CHECK(is_microsoft_mx("contoso-com.mail.protection.outlook.com"));
    CHECK(is_microsoft_mx("Contoso-com.MAIL.protection.outlook.com."));
    CHECK(is_microsoft_mx("contoso-com.o-v1.mx.microsoft"));
    CHECK_FALSE(is_microsoft_mx("mail.protection.outlook.com"));
    CHECK_FALSE(is_microsoft_mx("evilmail.protection.outlook.com.example"));
    CHECK_FALSE(is_microsoft_mx("filter.gateway.example.net"));
    CHECK(is_microsoft_dkim_target("selector1-contoso-com._domainkey.contoso.onmicrosoft.com"));
    CHECK(is_microsoft_dkim_target(
        "selector2-contoso-com._domainkey.contoso.n-v1.dkim.mail.microsoft"));
    CHECK_FALSE(is_microsoft_dkim_target("s1.domainkey.u123.wl.sendgrid.net"));
    CHECK_FALSE(is_microsoft_dkim_target("notonmicrosoft.com"));
}

TEST_CASE("posture: default policies of an EOP tenant against Standard") {
    // license eop: only the spoof part of anti-phishing is analyzed (brief 4.6 is MDO).
    const Tenant t = Tenant::parse("tenant: {name: T, license: eop}\n", "t.yaml");
    auto dns = no_dns();
    const PostureResult r = analyze(t, *dns);

    // Anti-phishing default vs Standard (4.5): only first contact safety tips is weaker.
    CHECK(status(r, "anti_phishing.EnableSpoofIntelligence", "Office365 AntiPhish Default") ==
          CheckStatus::passed);
    const Finding* fc =
        find(r, "anti_phishing.EnableFirstContactSafetyTips", "Office365 AntiPhish Default");
    REQUIRE(fc != nullptr);
    CHECK(fc->status == CheckStatus::failed);
    CHECK(fc->severity == Severity::low);
    CHECK(fc->current == "$false");
    CHECK(fc->standard == "$true");
    CHECK(fc->points_possible == 2);
    CHECK(fc->points_earned == 0);
    // AuthenticationFailAction MoveToJmf meets Standard (MoveToJmf), not Strict (Quarantine).
    const Finding* afa =
        find(r, "anti_phishing.AuthenticationFailAction", "Office365 AntiPhish Default");
    REQUIRE(afa != nullptr);
    CHECK(afa->status == CheckStatus::passed);
    CHECK(afa->meets_standard);
    CHECK_FALSE(afa->meets_strict);
    CHECK(afa->strict == "Quarantine");
    // MDO-only settings are not looked at under an EOP licence.
    CHECK(count_id(r, "anti_phishing.PhishThresholdLevel") == 0);
    CHECK(count_id(r, "anti_phishing.TargetedUserProtectionAction") == 0);

    // Anti-spam default vs Standard (4.7): BulkThreshold 7 > 6, HighConfidenceSpamAction
    // MoveToJmf < Quarantine, PhishSpamAction MoveToJmf < Quarantine, retention 15 < 30.
    const std::string as = "Default";
    CHECK(status(r, "anti_spam.BulkThreshold", as) == CheckStatus::failed);
    CHECK(status(r, "anti_spam.MarkAsSpamBulkMail", as) == CheckStatus::passed);
    CHECK(status(r, "anti_spam.SpamAction", as) == CheckStatus::passed);
    CHECK(status(r, "anti_spam.HighConfidenceSpamAction", as) == CheckStatus::failed);
    const Finding* phish = find(r, "anti_spam.PhishSpamAction", as);
    REQUIRE(phish != nullptr);
    CHECK(phish->status == CheckStatus::failed);
    CHECK(phish->severity == Severity::high);
    CHECK(phish->action.find("Set-HostedContentFilterPolicy -Identity \"Default\" "
                             "-PhishSpamAction Quarantine") != std::string::npos);
    CHECK(status(r, "anti_spam.HighConfidencePhishAction", as) == CheckStatus::passed);
    CHECK(status(r, "anti_spam.BulkSpamAction", as) == CheckStatus::passed);
    CHECK(status(r, "anti_spam.QuarantineRetentionPeriod", as) == CheckStatus::failed);
    CHECK(status(r, "anti_spam.AllowedSenderDomains", as) == CheckStatus::passed);
    // Quarantine tags: DefaultFullAccessPolicy is below DefaultFullAccessWithNotification-
    // Policy (Standard for HC spam and phish), informational, worth nothing.
    const Finding* tag = find(r, "anti_spam.PhishQuarantineTag", as);
    REQUIRE(tag != nullptr);
    CHECK(tag->status == CheckStatus::failed);
    CHECK(tag->severity == Severity::informational);
    CHECK(tag->points_possible == 0);
    CHECK(status(r, "anti_spam.HighConfidencePhishQuarantineTag", as) == CheckStatus::passed);

    // Nothing else is weaker: 7 findings in all.
    CHECK(r.findings().size() == 7);

    // Score by hand.
    // anti-phishing: possible 10 (spoof intelligence) + 4 x 5 (HonorDmarc, DMARC quarantine,
    //   DMARC reject, AuthenticationFailAction) + 3 x 2 (first contact, unauthenticated
    //   sender, via tag) = 36; earned 36 - 2 = 34.
    // anti-spam: possible 5+5+5+5 (bulk threshold, bulk mail, spam, HC spam) + 10+10 (phish,
    //   HC phish) + 2+2 (bulk action, retention) + 5 (allowed senders) + 10 (allowed
    //   domains) = 59; earned 59 - 5 - 5 - 10 - 2 = 37.
    // connection filter: 5 (IP allow list empty) + 2 (safe list off) = 7, all earned.
    // mail flow rules: no SCL -1 rule: 10 earned.
    // No connectors, no domains.
    CHECK(r.score.possible == 36 + 59 + 7 + 10);
    CHECK(r.score.earned == 34 + 37 + 7 + 10);
    CHECK(r.score.unchecked == 0);
    CHECK(r.score.percent() == doctest::Approx(100.0 * 88 / 112));
}

TEST_CASE("posture: the same tenant against Strict") {
    const Tenant t = Tenant::parse("tenant: {name: T, license: eop}\n", "t.yaml");
    auto dns = no_dns();
    PostureOptions o;
    o.baseline = Baseline::strict;
    const PostureResult r = analyze(t, *dns, o);
    // Standard and Strict differ in AuthenticationFailAction, SpamAction, BulkSpamAction,
    // BulkThreshold (already failing) and the quarantine tags (brief 4.7 last paragraph).
    CHECK(status(r, "anti_phishing.AuthenticationFailAction", "Office365 AntiPhish Default") ==
          CheckStatus::failed);
    const Finding* spam = find(r, "anti_spam.SpamAction", "Default");
    REQUIRE(spam != nullptr);
    CHECK(spam->status == CheckStatus::failed);
    CHECK(spam->action.find("-SpamAction Quarantine") != std::string::npos);
    CHECK(status(r, "anti_spam.BulkSpamAction", "Default") == CheckStatus::failed);
    CHECK(status(r, "anti_spam.SpamQuarantineTag", "Default") == CheckStatus::failed);
    // 88 earned against Standard, minus 5 (AuthenticationFailAction) + 5 (SpamAction) +
    // 2 (BulkSpamAction); the possible points do not change.
    CHECK(r.score.possible == 112);
    CHECK(r.score.earned == 88 - 5 - 5 - 2);
}

TEST_CASE("posture: custom policies, licence MDO, weaker and stronger settings") {
    const Tenant t = Tenant::parse(
        "tenant: {name: T}\n"
        "accepted_domains: [contoso.example]\n"
        "anti_phishing:\n"
        "  custom:\n"
        "    - name: Pilot Strict\n"
        "      priority: 0\n"
        "      based_on: strict\n"
        "      conditions: {domains: [contoso.example]}\n"
        "      impersonation: {user_action: NoAction, domain_action: Delete,\n"
        "                      mailbox_intelligence_action: MoveToJmf,\n"
        "                      trusted_domains: [partner.example]}\n"
        "    - name: Off\n"
        "      priority: 1\n"
        "      enabled: false\n"
        "      conditions: {domains: [contoso.example]}\n"
        "anti_spam:\n"
        "  custom:\n"
        "    - name: Lenient\n"
        "      priority: 0\n"
        "      conditions: {domains: [contoso.example]}\n"
        "      bulk_action: NoAction\n"
        "      phish_action: AddXHeader\n"
        "      add_x_header_value: X-Phish\n"
        "      spam_action: ModifySubject\n"
        "      modify_subject_value: '[SPAM]'\n"
        "      allowed_sender_domains: [partner.example]\n"
        "      quarantine_tags: {spam: MyQuarantinePolicy}\n",
        "t.yaml");
    auto dns = no_dns();
    const PostureResult r = analyze(t, *dns);
    const std::string p = "Pilot Strict";
    // NoAction delivers to the Inbox: weaker than Quarantine (brief 4.6).
    CHECK(status(r, "anti_phishing.TargetedUserProtectionAction", p) == CheckStatus::failed);
    // Delete keeps the message from the user at least as well as Quarantine.
    CHECK(status(r, "anti_phishing.TargetedDomainProtectionAction", p) == CheckStatus::passed);
    // MoveToJmf is Standard's value, below Strict's Quarantine.
    const Finding* mi = find(r, "anti_phishing.MailboxIntelligenceProtectionAction", p);
    REQUIRE(mi != nullptr);
    CHECK(mi->status == CheckStatus::passed);
    CHECK_FALSE(mi->meets_strict);
    // Strict's threshold 4 meets Standard's 3; Strict's spoof tag meets Standard's.
    CHECK(status(r, "anti_phishing.PhishThresholdLevel", p) == CheckStatus::passed);
    CHECK(status(r, "anti_phishing.SpoofQuarantineTag", p) == CheckStatus::passed);
    const Finding* trusted = find(r, "anti_phishing.ExcludedDomains", p);
    REQUIRE(trusted != nullptr);
    CHECK(trusted->status == CheckStatus::failed);
    CHECK(trusted->current == "partner.example");
    // A disabled custom policy applies to no one and is not analyzed.
    CHECK(find(r, "anti_phishing.EnableSpoofIntelligence", "Off") == nullptr);
    // The default anti-phishing policy still is.
    CHECK(find(r, "anti_phishing.EnableSpoofIntelligence", "Office365 AntiPhish Default") !=
          nullptr);

    const std::string s = "Lenient";
    // AddXHeader on phishing only adds a header: Inbox (brief 4.8).
    CHECK(status(r, "anti_spam.PhishSpamAction", s) == CheckStatus::failed);
    // ModifySubject on spam also moves it to Junk: as strong as MoveToJmf.
    CHECK(status(r, "anti_spam.SpamAction", s) == CheckStatus::passed);
    CHECK(status(r, "anti_spam.BulkSpamAction", s) == CheckStatus::failed);
    const Finding* domains = find(r, "anti_spam.AllowedSenderDomains", s);
    REQUIRE(domains != nullptr);
    CHECK(domains->status == CheckStatus::failed);
    CHECK(domains->severity == Severity::high);
    // A quarantine policy of the tenant's own cannot be ranked: not flagged.
    const Finding* tag = find(r, "anti_spam.SpamQuarantineTag", s);
    REQUIRE(tag != nullptr);
    CHECK(tag->status == CheckStatus::passed);
    CHECK(tag->current.find("custom quarantine policy") != std::string::npos);
}

TEST_CASE("posture: a preset for all recipients makes the other policies unreachable") {
    const Tenant t = Tenant::parse(
        "tenant: {name: T}\n"
        "accepted_domains: [contoso.example]\n"
        "anti_phishing:\n"
        "  standard: {enabled: true}\n"
        "  custom:\n"
        "    - {name: Old, priority: 0, conditions: {domains: [contoso.example]}}\n"
        "anti_spam:\n"
        "  strict: {enabled: true, conditions: {domains: [contoso.example]}}\n",
        "t.yaml");
    auto dns = no_dns();
    const PostureResult r = analyze(t, *dns);
    // Brief 5.1: the Standard preset with no conditions is selected for everyone first.
    CHECK(status(r, "anti_phishing.policy_not_applied", "Old") == CheckStatus::failed);
    CHECK(status(r, "anti_phishing.policy_not_applied", "Office365 AntiPhish Default") ==
          CheckStatus::failed);
    CHECK(find(r, "anti_phishing.PhishThresholdLevel", "Old") == nullptr);
    CHECK(find(r, "anti_phishing.PhishThresholdLevel", "Office365 AntiPhish Default") == nullptr);
    // A preset scoped by a condition leaves the default anti-spam policy reachable.
    CHECK(count_id(r, "anti_spam.policy_not_applied") == 0);
    CHECK(find(r, "anti_spam.BulkThreshold", "Default") != nullptr);
}

namespace {

// Three domains in the state of a tenant half-way through the migration.
const char* const cutover_zone = R"(
$ORIGIN contoso.example.
$TTL 86400
@                     IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@                     IN MX 10 filter.gateway.example.net.
@               3600  IN TXT "v=spf1 include:_spf.contoso.example ~all"
_spf            3600  IN TXT "v=spf1 include:spf.protection.outlook.com ip4:192.0.2.0/24 -all"
selector1._domainkey 3600 IN CNAME selector1-contoso-example._domainkey.contoso.onmicrosoft.com.
_dmarc          3600  IN TXT "v=DMARC1; p=none; rua=mailto:d@contoso.example"
$ORIGIN fabrikam.example.
$TTL 3600
@                     IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@                     IN MX 0 fabrikam-example.mail.protection.outlook.com.
@                     IN TXT "v=spf1 mx a ?all"
selector1._domainkey  IN CNAME selector1-fabrikam-example._domainkey.fabrikam.n-v1.dkim.mail.microsoft.
selector2._domainkey  IN CNAME selector2-fabrikam-example._domainkey.fabrikam.n-v1.dkim.mail.microsoft.
_dmarc                IN TXT "v=DMARC1; p=reject; pct=50"
)";

const char* const cutover_tenant =
    "tenant: {name: Cutover, license: mdo_plan2}\n"
    "accepted_domains:\n"
    "  - contoso.example\n"
    "  - {name: fabrikam.example, type: InternalRelay}\n"
    "  - broken.example\n"
    "mail_routing: {mx: third_party}\n"
    "inbound_connectors:\n"
    "  - name: From gateway\n"
    "    type: Partner\n"
    "    sender_ip_addresses: [203.0.113.0/24]\n"
    "    tls_sender_certificate_name: gateway.example.net\n"
    "    restrict_domains_to_certificate: true\n"
    "  - name: From on-premises\n"
    "    type: OnPremises\n"
    "    sender_ip_addresses: [198.51.100.0/24]\n"
    "    restrict_domains_to_ip_addresses: true\n"
    "mail_flow_rules:\n"
    "  - name: Bypass by sender domain\n"
    "    priority: 0\n"
    "    conditions: {sender_domain_is: [partner.example]}\n"
    "    actions: {bypass_spam_filtering: true}\n"
    "  - name: Old bypass\n"
    "    priority: 1\n"
    "    enabled: false\n"
    "    conditions: {sender_ip_ranges: [203.0.113.0/24]}\n"
    "    actions: {bypass_spam_filtering: true}\n"
    "  - name: Audit bypass\n"
    "    priority: 2\n"
    "    mode: Audit\n"
    "    actions: {bypass_spam_filtering: true}\n"
    "anti_phishing: {standard: {enabled: true}}\n"
    "anti_spam: {standard: {enabled: true}}\n";

}  // namespace

TEST_CASE("posture: cut-over readiness of three domains, one whose DNS does not answer") {
    const Tenant t = Tenant::parse(cutover_tenant, "cutover.yaml");
    FailingFor dns(dns::zone_text(cutover_zone, "."), "broken.example");
    const PostureResult r = analyze(t, dns);

    // Tenant-wide. The enabled SCL -1 rule must go before the switch (onboard step 7) and
    // is conditioned on a sender domain alone (setup step 3, brief 8). The disabled rule
    // and the Audit-mode rule act on nothing and are not reported.
    CHECK(status(r, "mail_flow_rules.scl_bypass_rule", "Bypass by sender domain") ==
          CheckStatus::failed);
    const Finding* scope = find(r, "mail_flow_rules.scl_bypass_scope", "Bypass by sender domain");
    REQUIRE(scope != nullptr);
    CHECK(scope->status == CheckStatus::failed);
    CHECK(scope->current == "conditions: sender domain only");
    CHECK(find(r, "mail_flow_rules.scl_bypass_rule", "Old bypass") == nullptr);
    CHECK(find(r, "mail_flow_rules.scl_bypass_rule", "Audit bypass") == nullptr);
    // The Partner connector: certificate restriction on (breaks delivery after the switch),
    // IP restriction off, and no Enhanced Filtering while contoso.example's MX points to
    // the gateway. The OnPremises connector is left alone (step 8).
    CHECK(status(r, "inbound_connectors.restrict_domains_to_certificate", "From gateway") ==
          CheckStatus::failed);
    CHECK(status(r, "inbound_connectors.restrict_domains_to_ip_addresses", "From gateway") ==
          CheckStatus::passed);
    CHECK(status(r, "inbound_connectors.enhanced_filtering", "From gateway") ==
          CheckStatus::failed);
    CHECK(find(r, "inbound_connectors.restrict_domains_to_ip_addresses", "From on-premises") ==
          nullptr);
    // Presets for everyone: the default policies are never applied.
    CHECK(status(r, "anti_spam.policy_not_applied", "Default") == CheckStatus::failed);

    // contoso.example: MX at the gateway with TTL 86400 (> 3600), SPF through a nested
    // include, selector2 missing, DMARC p=none.
    const std::string c = "contoso.example";
    CHECK(status(r, "accepted_domains.type", c) == CheckStatus::passed);
    CHECK(status(r, "mx.present", c) == CheckStatus::passed);
    const Finding* target = find(r, "mx.target", c);
    REQUIRE(target != nullptr);
    CHECK(target->status == CheckStatus::failed);
    CHECK(target->severity == Severity::informational);
    CHECK(target->current == "filter.gateway.example.net");
    CHECK(status(r, "mx.split", c) == CheckStatus::passed);
    const Finding* ttl = find(r, "mx.ttl", c);
    REQUIRE(ttl != nullptr);
    CHECK(ttl->status == CheckStatus::failed);
    CHECK(ttl->current == "TTL 86400 s");
    CHECK(status(r, "mx.tenant_file", c) == CheckStatus::passed);
    CHECK(status(r, "spf.record", c) == CheckStatus::passed);
    CHECK(status(r, "spf.includes_microsoft", c) == CheckStatus::passed);
    CHECK(status(r, "spf.all", c) == CheckStatus::passed);
    const Finding* lookups = find(r, "spf.lookups", c);
    REQUIRE(lookups != nullptr);
    CHECK(lookups->current == "2 DNS lookups");  // include:_spf, include:spf.protection...
    CHECK(status(r, "dkim.selector1", c) == CheckStatus::passed);
    const Finding* s2 = find(r, "dkim.selector2", c);
    REQUIRE(s2 != nullptr);
    CHECK(s2->status == CheckStatus::failed);
    CHECK(s2->current == "missing");
    CHECK(status(r, "dmarc.record", c) == CheckStatus::passed);
    const Finding* dp = find(r, "dmarc.policy", c);
    REQUIRE(dp != nullptr);
    CHECK(dp->status == CheckStatus::failed);
    CHECK(dp->current == "p=none, pct=100");

    // fabrikam.example: InternalRelay, MX already at Microsoft (no TTL advice; the tenant
    // file still says third_party), SPF "mx a ?all" without Exchange Online, both DKIM
    // selectors at *.dkim.mail.microsoft, DMARC p=reject but pct=50.
    const std::string f = "fabrikam.example";
    CHECK(status(r, "accepted_domains.type", f) == CheckStatus::failed);
    CHECK(status(r, "mx.target", f) == CheckStatus::passed);
    CHECK(find(r, "mx.ttl", f) == nullptr);
    CHECK(status(r, "mx.tenant_file", f) == CheckStatus::failed);
    CHECK(status(r, "spf.includes_microsoft", f) == CheckStatus::failed);
    const Finding* all = find(r, "spf.all", f);
    REQUIRE(all != nullptr);
    CHECK(all->status == CheckStatus::failed);
    CHECK(all->current == "?all");
    CHECK(find(r, "spf.lookups", f)->current == "2 DNS lookups");  // mx, a
    CHECK(status(r, "dkim.selector1", f) == CheckStatus::passed);
    CHECK(status(r, "dkim.selector2", f) == CheckStatus::passed);
    CHECK(find(r, "dmarc.policy", f)->current == "p=reject, pct=50");
    CHECK(status(r, "dmarc.policy", f) == CheckStatus::failed);

    // broken.example: every DNS question times out -> could not check, never a crash.
    const std::string b = "broken.example";
    CHECK(status(r, "accepted_domains.type", b) == CheckStatus::passed);
    CHECK(status(r, "mx.present", b) == CheckStatus::could_not_check);
    CHECK(find(r, "mx.ttl", b) == nullptr);
    CHECK(status(r, "spf.record", b) == CheckStatus::could_not_check);
    CHECK(status(r, "dkim.selector1", b) == CheckStatus::could_not_check);
    CHECK(status(r, "dkim.selector2", b) == CheckStatus::could_not_check);
    CHECK(status(r, "dmarc.record", b) == CheckStatus::could_not_check);
    CHECK(find(r, "mx.present", b)->current.find("timeout") != std::string::npos);

    // Score by hand (high 10, medium 5, low 2, informational 0):
    // connection filter 5 + 2 = 7 earned of 7; policy_not_applied x2: 0.
    // mail flow: scl_bypass_rule 10 + scl_bypass_scope 10, both lost: 0 of 20.
    // connector "From gateway": certificate 10 lost, IP 10 earned, EF 10 lost: 10 of 30.
    // contoso.example: type 2, mx.present 10, target 0, split 5, ttl 5 (lost),
    //   tenant_file 2, spf 10 + 5 + 5 + 5, dkim 5 + 5 (selector2 lost), dmarc 10 + 5 (policy
    //   lost): possible 74, earned 74 - 15 = 59.
    // fabrikam.example: type 2 (lost), mx.present 10, target 0, split 5, tenant_file 2
    //   (lost), spf 10 + 5 (lost) + 5 (lost) + 5, dkim 5 + 5, dmarc 10 + 5 (lost):
    //   possible 69, earned 69 - 2 - 2 - 5 - 5 - 5 = 50.
    // broken.example: type 2 earned; mx.present 10, spf.record 10, dkim 5 + 5, dmarc 10
    //   could not be checked: 40 unchecked.
    CHECK(r.score.possible == 7 + 20 + 30 + 74 + 69 + 2);
    CHECK(r.score.earned == 7 + 0 + 10 + 59 + 50 + 2);
    CHECK(r.score.unchecked == 40);
}

TEST_CASE("posture: MX elsewhere falls back on the tenant file when no MX could be read") {
    const std::string base =
        "tenant: {name: T}\n"
        "accepted_domains: [broken.example]\n"
        "inbound_connectors:\n"
        "  - {name: GW, type: Partner, sender_ip_addresses: [203.0.113.0/24],\n"
        "     enhanced_filtering: {skip_ips: [203.0.113.0/24], users: [a@broken.example]}}\n";
    FailingFor dns(no_dns(), "broken.example");
    {
        const Tenant t = Tenant::parse(base + "mail_routing: {mx: microsoft}\n", "t.yaml");
        const PostureResult r = analyze(t, dns);
        CHECK(count_id(r, "inbound_connectors.enhanced_filtering") == 0);
    }
    {
        const Tenant t = Tenant::parse(base + "mail_routing: {mx: third_party}\n", "t.yaml");
        const PostureResult r = analyze(t, dns);
        const Finding* ef = find(r, "inbound_connectors.enhanced_filtering", "GW");
        REQUIRE(ef != nullptr);
        CHECK(ef->status == CheckStatus::passed);
        // EF scoped to EFUsers is on, but the scope is shown (brief 9).
        CHECK(ef->current.find("only for 1 EFUsers") != std::string::npos);
    }
    {
        // MX elsewhere and no Partner connector at all.
        const Tenant t = Tenant::parse(
            "tenant: {name: T}\naccepted_domains: [broken.example]\n"
            "mail_routing: {mx: third_party}\n",
            "t.yaml");
        const PostureResult r = analyze(t, dns);
        CHECK(status(r, "inbound_connectors.enhanced_filtering", "(tenant)") ==
              CheckStatus::failed);
    }
}

TEST_CASE("posture: SPF, DKIM and DMARC problems") {
    const char* const zone = R"(
$ORIGIN a.example.
$TTL 300
@      IN MX 10 a-example.mail.protection.outlook.com.
@      IN TXT "v=spf1 +all"
@      IN TXT "unrelated verification text"
selector1._domainkey IN TXT "v=DKIM1; k=rsa; p=MIGfMA0"
selector2._domainkey IN CNAME s2.domainkey.esp.example.net.
_dmarc IN TXT "v=DMARC1; p=quarantine"
_dmarc IN TXT "v=DMARC1; p=reject"
$ORIGIN b.example.
@      IN MX 10 b-example.mail.protection.outlook.com.
@      IN TXT "v=spf1 include:spf.protection.outlook.com -all"
@      IN TXT "v=spf1 -all"
$ORIGIN c.example.
@      IN MX 10 c-example.mail.protection.outlook.com.
@      IN TXT "v=spf1 foo:bar -all"
_dmarc IN TXT "v=DMARC1; p=reject; pct=500"
$ORIGIN d.example.
@      IN MX 10 d-example.mail.protection.outlook.com.
@      IN TXT "v=spf1 include:i1.d.example include:i2.d.example include:gone.d.example"
i1     IN TXT "v=spf1 a mx exists:x.d.example include:spf.protection.outlook.com ~all"
i2     IN TXT "v=spf1 a mx ptr a:x.d.example mx:y.d.example ~all"
$ORIGIN e.example.
@      IN MX 10 e-example.mail.protection.outlook.com.
@      IN TXT "v=spf1 redirect=_spf.e.example"
_spf   IN TXT "v=spf1 include:spf.protection.outlook.com -all"
_dmarc IN TXT "v=DMARC1; p=reject; sp=none"
)";
    const Tenant t = Tenant::parse(
        "tenant: {name: T}\n"
        "accepted_domains: [a.example, b.example, c.example, d.example, e.example,\n"
        "                   mail.e.example]\n",
        "t.yaml");
    auto dns = dns::zone_text(zone, ".");
    auto loaded = psl::PublicSuffixList::system();
    REQUIRE(loaded);
    PostureOptions o;
    o.public_suffixes = &*loaded.list;
    const PostureResult r = analyze(t, *dns, o);

    // a.example: +all lets every host pass; the non-SPF TXT record is ignored (RFC 7208
    // 4.5); a DKIM key published as TXT and a CNAME to another signer are not Microsoft's;
    // two DMARC records mean none is used (RFC 7489 6.6.3).
    CHECK(status(r, "spf.record", "a.example") == CheckStatus::passed);
    CHECK(find(r, "spf.all", "a.example")->current == "+all");
    CHECK(status(r, "spf.all", "a.example") == CheckStatus::failed);
    CHECK(find(r, "dkim.selector1", "a.example")->current ==
          "TXT record, no CNAME to Microsoft 365");
    CHECK(find(r, "dkim.selector2", "a.example")->current ==
          "CNAME to s2.domainkey.esp.example.net (not Microsoft 365)");
    CHECK(status(r, "dkim.selector2", "a.example") == CheckStatus::failed);
    CHECK(status(r, "dmarc.record", "a.example") == CheckStatus::failed);
    CHECK(find(r, "dmarc.record", "a.example")->current.find("several DMARC records") == 0);
    CHECK(status(r, "dmarc.policy", "a.example") == CheckStatus::failed);

    // b.example: two v=spf1 records is a permerror (RFC 7208 4.5); the dependent SPF
    // checks fail with it.
    CHECK(find(r, "spf.record", "b.example")->current ==
          "several SPF records (permerror, RFC 7208 4.5)");
    CHECK(status(r, "spf.includes_microsoft", "b.example") == CheckStatus::failed);
    // No DMARC record, and b.example is its own organizational domain.
    CHECK(find(r, "dmarc.record", "b.example")->current == "no DMARC record");

    // c.example: unknown mechanism "foo" (RFC 7208 4.6.1 permerror); pct=500 is invalid.
    CHECK(find(r, "spf.record", "c.example")->current.find("syntax error") == 0);
    CHECK(status(r, "dmarc.record", "c.example") == CheckStatus::failed);
    CHECK(find(r, "dmarc.record", "c.example")->current.find("invalid") == 0);

    // d.example: 3 includes; i1: a, mx, exists, include (4); i2: a, mx, ptr, a, mx (5):
    // 12 DNS-querying terms > 10 (RFC 7208 4.6.4). gone.d.example has no record: a
    // permerror when reached. Microsoft is included through i1. No "all" on top and no
    // redirect: neutral for unlisted hosts (RFC 7208 4.7).
    CHECK(find(r, "spf.lookups", "d.example")->current == "12 DNS lookups");
    CHECK(status(r, "spf.lookups", "d.example") == CheckStatus::failed);
    CHECK(status(r, "spf.record", "d.example") == CheckStatus::failed);
    CHECK(find(r, "spf.record", "d.example")->current.find("gone.d.example has no SPF record") !=
          std::string::npos);
    CHECK(status(r, "spf.includes_microsoft", "d.example") == CheckStatus::passed);
    CHECK(find(r, "spf.all", "d.example")->current == "no all term (default neutral)");

    // e.example: the redirect's record gives Microsoft and -all (RFC 7208 6.1).
    CHECK(status(r, "spf.includes_microsoft", "e.example") == CheckStatus::passed);
    CHECK(find(r, "spf.all", "e.example")->current == "-all");
    CHECK(find(r, "spf.lookups", "e.example")->current == "2 DNS lookups");
    CHECK(status(r, "dmarc.policy", "e.example") == CheckStatus::passed);
    // mail.e.example has no _dmarc record of its own: e.example's applies with its
    // sp=none (RFC 7489 6.3, 6.6.3).
    const Finding* sub = find(r, "dmarc.policy", "mail.e.example");
    REQUIRE(sub != nullptr);
    CHECK(sub->current == "sp=none (from e.example), pct=100");
    CHECK(sub->status == CheckStatus::failed);
    CHECK(find(r, "dmarc.record", "mail.e.example")->setting == "_dmarc.e.example TXT");
}

TEST_CASE("posture: an SCL -1 rule limited to the service's mail, and the IP Allow List") {
    const Tenant t = Tenant::parse(
        "tenant: {name: T}\n"
        "mail_flow_rules:\n"
        "  - name: Bypass gateway\n"
        "    priority: 0\n"
        "    conditions:\n"
        "      headers: [{name: X-Gateway-Scanned, contains: contoso-7f3a}]\n"
        "    actions: {bypass_spam_filtering: true}\n"
        "connection_filter:\n"
        "  ip_allow_list: [203.0.113.0/24]\n"
        "  enable_safe_list: true\n",
        "t.yaml");
    auto dns = no_dns();
    const PostureResult r = analyze(t, *dns);
    CHECK(status(r, "mail_flow_rules.scl_bypass_rule", "Bypass gateway") == CheckStatus::failed);
    CHECK(status(r, "mail_flow_rules.scl_bypass_scope", "Bypass gateway") == CheckStatus::passed);
    const Finding* allow = find(r, "connection_filter.IPAllowList", "Default");
    REQUIRE(allow != nullptr);
    CHECK(allow->status == CheckStatus::failed);
    CHECK(allow->current == "203.0.113.0/24");
    CHECK(status(r, "connection_filter.EnableSafeList", "Default") == CheckStatus::failed);
}

TEST_CASE("posture: an include reached twice counts twice, a loop is a problem") {
    // RFC 7208 4.6.4: the limit counts every DNS-querying term an evaluation reaches. f's
    // record reaches shared twice (through i and directly): 2 includes at the top, 2 in i
    // (shared, Microsoft), shared's 3 terms (a, mx, exists) twice, and Microsoft's record,
    // walked like any other, 1 (its include of spfd): 2 + 2 + 3 + 3 + 1 = 11 > 10. Counting
    // shared once would give 8 and pass a record that permerrors.
    // g includes h, which includes g again: a loop (permerror at the limit).
    const char* const zone = R"(
$ORIGIN f.example.
$TTL 300
@      IN TXT "v=spf1 include:i.f.example include:shared.f.example -all"
i      IN TXT "v=spf1 include:shared.f.example include:spf.protection.outlook.com -all"
shared IN TXT "v=spf1 a mx exists:x.f.example -all"
$ORIGIN g.example.
@      IN TXT "v=spf1 include:h.g.example -all"
h      IN TXT "v=spf1 include:g.example -all"
$ORIGIN protection.outlook.com.
spf    IN TXT "v=spf1 ip4:40.92.0.0/15 include:spfd.protection.outlook.com -all"
spfd   IN TXT "v=spf1 ip4:52.100.0.0/15 -all"
)";
    const Tenant t =
        Tenant::parse("tenant: {name: T}\naccepted_domains: [f.example, g.example]\n", "t.yaml");
    auto dns = dns::zone_text(zone, ".");
    const PostureResult r = analyze(t, *dns);
    CHECK(find(r, "spf.lookups", "f.example")->current == "11 DNS lookups");
    CHECK(status(r, "spf.lookups", "f.example") == CheckStatus::failed);
    CHECK(status(r, "spf.includes_microsoft", "f.example") == CheckStatus::passed);
    CHECK(status(r, "spf.record", "g.example") == CheckStatus::failed);
    CHECK(find(r, "spf.record", "g.example")->current.find("includes itself") != std::string::npos);
    CHECK(status(r, "spf.lookups", "g.example") == CheckStatus::failed);
}
