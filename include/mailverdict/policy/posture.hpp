// Posture and cut-over readiness of a tenant (docs/posture.md).
//
// Two parts, both producing Findings:
// - a configuration analyzer like the one in the Defender portal (configuration-analyzer-
//   for-security-policies.md): every setting of every custom and default anti-phishing and
//   anti-spam policy compared with Microsoft's Standard and Strict recommendations (the
//   values of recommended_anti_phish_settings() / recommended_anti_spam_settings(), brief
//   4.5-4.7), plus the connection filter;
// - the checks the migration guide asks for before the MX records are switched (brief 13,
//   migrate-to-defender-for-office-365-onboard.md step 8), tenant-wide (SCL=-1 rule,
//   inbound connector restrictions, Enhanced Filtering) and per accepted domain through
//   DNS (MX and its TTL, SPF, DKIM selector1/selector2, DMARC, domain type).
//
// The analyzer is pure given the Tenant and a dns::Resolver: no clock, no other I/O. A DNS
// failure is a finding with status could_not_check, never an exception.
//
// Score, in the spirit of Microsoft Secure Score (points achieved out of points possible):
// every check is worth the points of its severity (points_for()), earned in full when the
// check passes and not at all when it fails; checks that could not be run count in
// neither total (their points are reported as `unchecked`).
#pragma once

#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/policy/tenant.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::psl {
class PublicSuffixList;
}

namespace mailverdict::policy {

enum class Severity : std::uint8_t { high, medium, low, informational };
std::string_view to_string(Severity severity) noexcept;  // "high", "medium", ...
// Points a check of this severity is worth: high 10, medium 5, low 2, informational 0.
int points_for(Severity severity) noexcept;

enum class CheckStatus : std::uint8_t {
    passed,
    failed,
    could_not_check,  // a DNS failure (temperror) kept the check from running
};
std::string_view to_string(CheckStatus status) noexcept;  // "pass", "fail", "could_not_check"

enum class PostureArea : std::uint8_t {
    anti_phishing,
    anti_spam,
    connection_filter,
    mail_flow_rules,
    inbound_connectors,
    accepted_domains,
    mx,
    spf,
    dkim,
    dmarc,
};
std::string_view to_string(PostureArea area) noexcept;  // snake_case, as above

// One check and its outcome. Every check run is kept (passed ones too), so the score can
// be recomputed from the list; findings() are the ones to act on.
struct Finding {
    std::string id;  // the check ("anti_spam.SpamAction", "mx.ttl"), see docs/posture.md
    PostureArea area = PostureArea::anti_spam;
    std::string subject;  // policy, rule or connector name, or the accepted domain
    std::string setting;  // PowerShell parameter, or the DNS name and type looked at
    std::string current;  // the value found ("MoveToJmf", "TTL 86400", "missing")
    // Recommended values (configuration analyzer: the Standard and Strict columns; other
    // checks: the same text in both, or empty when there is no single value).
    std::string standard;
    std::string strict;
    bool meets_standard = false;  // configuration analyzer; other checks: == passed
    bool meets_strict = false;
    Severity severity = Severity::informational;
    CheckStatus status = CheckStatus::passed;
    std::string action;  // what to do, in words (with the cmdlet when there is one)
    std::string source;  // where the recommendation comes from (page, brief section)
    int points_possible = 0;
    int points_earned = 0;
};

struct PostureScore {
    int earned = 0;
    int possible = 0;   // checks that ran (passed or failed)
    int unchecked = 0;  // points of the checks that could not be run
    // earned / possible x 100; 100 when nothing was possible.
    [[nodiscard]] double percent() const noexcept;
};

struct PostureResult {
    std::vector<Finding> checks;  // in analysis order
    PostureScore score;
    // The checks that did not pass (failed or could not be checked), in analysis order.
    [[nodiscard]] std::vector<const Finding*> findings() const;
};

// Which column of the recommended values a configuration-analyzer check must meet to pass
// (the "Standard recommendations" and "Strict recommendations" tabs of the analyzer).
enum class Baseline : std::uint8_t { standard, strict };
std::string_view to_string(Baseline baseline) noexcept;

struct PostureOptions {
    Baseline baseline = Baseline::standard;
    // MX TTL above which lowering it before the switch is advised (onboard step 8 gives no
    // number; one hour is our choice, docs/posture.md).
    std::uint32_t max_mx_ttl = 3600;
    // With a list, a domain without its own _dmarc record is checked against its
    // organizational domain's record (RFC 7489 6.6.3); without one, only _dmarc.<domain>.
    const psl::PublicSuffixList* public_suffixes = nullptr;
};

class PostureAnalyzer {
public:
    PostureAnalyzer(const Tenant& tenant, dns::Resolver& resolver, PostureOptions options = {})
        : tenant_(tenant), resolver_(resolver), options_(options) {}

    [[nodiscard]] PostureResult analyze() const;

private:
    const Tenant& tenant_;
    dns::Resolver& resolver_;
    PostureOptions options_;
};

// True when `host` is an Exchange Online inbound host: *.mail.protection.outlook.com, or
// *.mx.microsoft (the DNSSEC-signed MX names Microsoft hands out for SMTP DANE).
bool is_microsoft_mx(std::string_view host) noexcept;
// True when `target` is where Microsoft 365 publishes DKIM keys of a custom domain:
// *.onmicrosoft.com, or *.dkim.mail.microsoft (newer tenants).
bool is_microsoft_dkim_target(std::string_view target) noexcept;

}  // namespace mailverdict::policy
