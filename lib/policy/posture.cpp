// Configuration analyzer and cut-over readiness (include/mailverdict/policy/posture.hpp,
// docs/posture.md). Every check has a fixed id and severity; docs/posture.md lists them
// with their sources.
#include <mailverdict/auth/dmarc.hpp>
#include <mailverdict/auth/org_domain.hpp>
#include <mailverdict/auth/spf.hpp>
#include <mailverdict/policy/posture.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace mailverdict::policy {

std::string_view to_string(Severity severity) noexcept {
    switch (severity) {
        case Severity::high:
            return "high";
        case Severity::medium:
            return "medium";
        case Severity::low:
            return "low";
        case Severity::informational:
            return "informational";
    }
    return "informational";
}

int points_for(Severity severity) noexcept {
    switch (severity) {
        case Severity::high:
            return 10;
        case Severity::medium:
            return 5;
        case Severity::low:
            return 2;
        case Severity::informational:
            return 0;
    }
    return 0;
}

std::string_view to_string(CheckStatus status) noexcept {
    switch (status) {
        case CheckStatus::passed:
            return "pass";
        case CheckStatus::failed:
            return "fail";
        case CheckStatus::could_not_check:
            return "could_not_check";
    }
    return "fail";
}

std::string_view to_string(PostureArea area) noexcept {
    switch (area) {
        case PostureArea::anti_phishing:
            return "anti_phishing";
        case PostureArea::anti_spam:
            return "anti_spam";
        case PostureArea::connection_filter:
            return "connection_filter";
        case PostureArea::mail_flow_rules:
            return "mail_flow_rules";
        case PostureArea::inbound_connectors:
            return "inbound_connectors";
        case PostureArea::accepted_domains:
            return "accepted_domains";
        case PostureArea::mx:
            return "mx";
        case PostureArea::spf:
            return "spf";
        case PostureArea::dkim:
            return "dkim";
        case PostureArea::dmarc:
            return "dmarc";
    }
    return "anti_spam";
}

std::string_view to_string(Baseline baseline) noexcept {
    return baseline == Baseline::strict ? "strict" : "standard";
}

double PostureScore::percent() const noexcept {
    return possible == 0 ? 100.0 : 100.0 * earned / possible;
}

std::vector<const Finding*> PostureResult::findings() const {
    std::vector<const Finding*> out;
    for (const auto& check : checks) {
        if (check.status != CheckStatus::passed) {
            out.push_back(&check);
        }
    }
    return out;
}

namespace {

bool ends_with_label(std::string_view host, std::string_view suffix) {
    // "x.mail.protection.outlook.com" ends with ".mail.protection.outlook.com"; the suffix
    // itself is not a host of its own.
    return host.size() > suffix.size() + 1 && host.ends_with(suffix) &&
           host[host.size() - suffix.size() - 1] == '.';
}

}  // namespace

bool is_microsoft_mx(std::string_view host) noexcept {
    const std::string h = psl::normalize_domain(host);
    return ends_with_label(h, "mail.protection.outlook.com") || ends_with_label(h, "mx.microsoft");
}

bool is_microsoft_dkim_target(std::string_view target) noexcept {
    const std::string t = psl::normalize_domain(target);
    return ends_with_label(t, "onmicrosoft.com") || ends_with_label(t, "dkim.mail.microsoft");
}

namespace {

// Sources, cited in every finding (paths in MicrosoftDocs/defender-docs unless named).
constexpr std::string_view src_anti_phish =
    "recommended-settings-for-eop-and-office365.md (brief 4.5, 4.6)";
constexpr std::string_view src_anti_spam =
    "recommended-settings-for-eop-and-office365.md (brief 4.7)";
constexpr std::string_view src_presets = "preset-security-policies.md; brief 5.1";
constexpr std::string_view src_connection_filter =
    "connection-filter-policies-configure.md; migrate-to-defender-for-office-365-prepare.md "
    "step 2 (brief 12.1, 13.1)";
constexpr std::string_view src_scl_rule =
    "migrate-to-defender-for-office-365-onboard.md step 7 (brief 8, 13.3)";
constexpr std::string_view src_scl_scope =
    "migrate-to-defender-for-office-365-setup.md step 3; "
    "how-policies-and-protections-are-combined.md (brief 8)";
constexpr std::string_view src_connector_step8 =
    "migrate-to-defender-for-office-365-onboard.md step 8; Set-InboundConnector (brief 13.3)";
constexpr std::string_view src_enhanced_filtering =
    "migrate-to-defender-for-office-365-setup.md step 4; enhanced-filtering-for-connectors.md "
    "(brief 9)";
constexpr std::string_view src_step8 = "migrate-to-defender-for-office-365-onboard.md step 8";
constexpr std::string_view src_spf =
    "email-authentication-spf-configure.md; RFC 7208 4.6.4, 4.7, 5.1; "
    "migrate-to-defender-for-office-365-prepare.md step 3";
constexpr std::string_view src_dkim =
    "email-authentication-dkim-configure.md; configuration-analyzer-for-security-policies.md";
constexpr std::string_view src_dmarc =
    "email-authentication-dmarc-configure.md; RFC 7489 6.3, 6.6.3 (brief 2.1)";

constexpr std::string_view microsoft_spf_include = "spf.protection.outlook.com";
constexpr std::size_t spf_max_lookups = 10;  // RFC 7208 4.6.4
constexpr int spf_max_depth = 10;
// Terms counted before the walk stops: past 10 an evaluation permerrors anyway, but the
// walk goes on a little to report every broken include; the cap bounds records that
// include the same subtree many times.
constexpr std::size_t spf_walk_lookup_cap = 50;

// ---------------------------------------------------------------------------------------
// Value texts, as PowerShell shows them

std::string text(bool value) {
    return value ? "$true" : "$false";
}
std::string text(int value) {
    return std::to_string(value);
}
template <class Enum>
requires std::is_enum_v<Enum> std::string text(Enum value) {
    return std::string(to_string(value));
}
std::string text(const std::vector<std::string>& values) {
    if (values.empty()) {
        return "none";
    }
    std::string out;
    for (const auto& v : values) {
        out += out.empty() ? "" : ", ";
        out += v;
    }
    return out;
}

// How strongly an action keeps a message from the user's Inbox: 0 delivered to the Inbox,
// 1 delivered to Junk, 2 not delivered to the user (quarantined, redirected, deleted).
// Brief 4.2 (impersonation) and 4.8 (anti-spam: AddXHeader and ModifySubject also move
// spam and high confidence spam to Junk).
int strength(ImpersonationAction action) {
    switch (action) {
        case ImpersonationAction::no_action:
        case ImpersonationAction::bcc_message:
            return 0;
        case ImpersonationAction::move_to_jmf:
            return 1;
        case ImpersonationAction::quarantine:
        case ImpersonationAction::redirect:
        case ImpersonationAction::delete_message:
            return 2;
    }
    return 0;
}
enum class Verdict : std::uint8_t {
    spam,
    high_confidence_spam,
    phish,
    high_confidence_phish,
    bulk
};
int strength(SpamFilterAction action, Verdict verdict) {
    switch (action) {
        case SpamFilterAction::no_action:
            return 0;
        case SpamFilterAction::add_x_header:
            return verdict == Verdict::spam || verdict == Verdict::high_confidence_spam ? 1 : 0;
        case SpamFilterAction::modify_subject:
        case SpamFilterAction::move_to_jmf:
            return 1;
        case SpamFilterAction::redirect:
        case SpamFilterAction::delete_message:
        case SpamFilterAction::quarantine:
            return 2;
    }
    return 0;
}
int strength(SpoofAction action) {
    return action == SpoofAction::quarantine ? 2 : 1;
}
int strength(DmarcQuarantineAction action) {
    return action == DmarcQuarantineAction::quarantine ? 2 : 1;
}
int strength(DmarcRejectAction action) {
    return action == DmarcRejectAction::reject ? 3 : 2;
}

// A setting compared with the two recommended columns.
struct Compared {
    std::string current;
    std::string standard;
    std::string strict;
    bool meets_standard = false;
    bool meets_strict = false;
};

template <class T, class Rank>
Compared ranked(const T& current, const T& standard, const T& strict, Rank rank) {
    return {text(current), text(standard), text(strict), rank(current) >= rank(standard),
            rank(current) >= rank(strict)};
}
// A switch Microsoft recommends on: off is weaker only when the column wants it on.
Compared switched(bool current, bool standard, bool strict) {
    return {text(current), text(standard), text(strict), current || !standard, current || !strict};
}
// A number where higher is stronger (PhishThresholdLevel, QuarantineRetentionPeriod).
Compared at_least(int current, int standard, int strict) {
    return {text(current), text(standard), text(strict), current >= standard, current >= strict};
}
// A number where lower is stronger (BulkThreshold).
Compared at_most(int current, int standard, int strict) {
    return {text(current), text(standard), text(strict), current <= standard, current <= strict};
}
// Built-in quarantine policies by how much they tell or allow the user (brief 4.5-4.7):
// full access without notifications, then with notifications (NotificationEnabledPolicy is
// the same, footnote 1 of the tables), then admin-only. Custom policy names: unknown.
std::optional<int> quarantine_tag_rank(const std::string& tag) {
    if (tag == "DefaultFullAccessPolicy") {
        return 0;
    }
    if (tag == "DefaultFullAccessWithNotificationPolicy" || tag == "NotificationEnabledPolicy") {
        return 1;
    }
    if (tag == "AdminOnlyAccessPolicy") {
        return 2;
    }
    return std::nullopt;
}
// A quarantine policy meets a column when it is at least as restrictive or notifying as
// the recommended one; a custom quarantine policy cannot be judged and is not flagged.
Compared quarantine_tag(const std::string& current, const std::string& standard,
                        const std::string& strict) {
    const auto rank = quarantine_tag_rank(current);
    if (!rank) {
        return {current + " (custom quarantine policy, not compared)", standard, strict, true,
                true};
    }
    return {current, standard, strict, *rank >= quarantine_tag_rank(standard).value_or(0),
            *rank >= quarantine_tag_rank(strict).value_or(0)};
}
// Lists Microsoft recommends empty (allowed senders, trusted senders).
Compared empty_list(const std::vector<std::string>& current) {
    const bool empty = current.empty();
    return {text(current), "none", "none", empty, empty};
}

// ---------------------------------------------------------------------------------------
// DNS helpers

bool temporary(const dns::Answer& answer) {
    return dns::is_temporary_failure(answer.status) ||
           answer.status == dns::DnsStatus::budget_exceeded;
}

std::string failure_text(std::string_view name, dns::RecordType type, const dns::Answer& answer) {
    std::string out = std::string(name) + " " + std::string(dns::to_string(type)) + ": " +
                      std::string(dns::to_string(answer.status));
    if (!answer.detail.empty()) {
        out += " (" + answer.detail + ")";
    }
    return out;
}

// The v=spf1 TXT records of a domain (RFC 7208 4.4, 4.5: TXT only, exactly one).
struct SpfFetch {
    enum class Kind : std::uint8_t { found, none, multiple, temporary } kind = Kind::none;
    std::string text;    // the record, when found
    std::string detail;  // DNS failure text, when temporary
};

SpfFetch fetch_spf(dns::Resolver& resolver, const std::string& domain) {
    SpfFetch out;
    const dns::Answer answer = resolver.query(domain, dns::RecordType::TXT);
    if (temporary(answer)) {
        out.kind = SpfFetch::Kind::temporary;
        out.detail = failure_text(domain, dns::RecordType::TXT, answer);
        return out;
    }
    std::vector<std::string> records;
    if (answer.ok()) {
        for (const auto& txt : answer.txt) {
            std::string joined = txt.joined();
            if (spf::SpfRecord::is_spf1(joined)) {
                records.push_back(std::move(joined));
            }
        }
    }
    if (records.size() > 1) {
        out.kind = SpfFetch::Kind::multiple;
    } else if (records.size() == 1) {
        out.kind = SpfFetch::Kind::found;
        out.text = std::move(records.front());
    }
    return out;
}

// What the include/redirect tree of a record says, without evaluating it for an address:
// whether Exchange Online's include is reached, how many DNS-querying terms the whole tree
// holds (the RFC 7208 4.6.4 limit applies to an evaluation that walks all of them, which
// is what happens to mail from a host the record does not list), and the "all" that ends
// the top record's redirect chain.
struct SpfTree {
    bool includes_microsoft = false;
    std::size_t lookups = 0;
    std::optional<std::string> temporary;  // a DNS failure inside the tree
    std::vector<std::string> problems;     // permerrors met when the term is reached
    std::optional<spf::Qualifier> final_all;
    bool ends_without_all = false;  // neither all nor a usable redirect: neutral (4.7)
    // The records on the path being walked: a record included twice is counted twice
    // (RFC 7208 4.6.4 counts every term an evaluation reaches), a record that includes
    // itself again is a loop.
    std::set<std::string> path;
};

void walk_spf(dns::Resolver& resolver, const spf::SpfRecord& record, int depth, bool on_top_chain,
              SpfTree& tree);

void follow(dns::Resolver& resolver, std::string_view term, std::string_view target_spec, int depth,
            bool on_top_chain, SpfTree& tree) {
    const std::string target = psl::normalize_domain(target_spec);
    const bool microsoft = target == microsoft_spf_include;
    tree.includes_microsoft = tree.includes_microsoft || microsoft;
    if (depth >= spf_max_depth || tree.lookups > spf_walk_lookup_cap) {
        return;  // far past the limit: stop walking (a record included many times over)
    }
    if (tree.path.count(target) != 0) {
        tree.problems.push_back(std::string(term) + ": " + target +
                                " includes itself (a loop: permerror at the lookup limit, "
                                "RFC 7208 4.6.4)");
        tree.lookups = std::max(tree.lookups, spf_max_lookups + 1);
        return;
    }
    const SpfFetch fetched = fetch_spf(resolver, target);
    if (microsoft && fetched.kind != SpfFetch::Kind::found) {
        // Microsoft's own record: its nested lookups (spfd.protection.outlook.com) count
        // when it can be read; not being able to read it here is no problem of the tenant.
        return;
    }
    switch (fetched.kind) {
        case SpfFetch::Kind::temporary:
            if (!tree.temporary) {
                tree.temporary = fetched.detail;
            }
            return;
        case SpfFetch::Kind::none:
            tree.problems.push_back(std::string(term) + ": " + target +
                                    " has no SPF record (permerror when reached, RFC 7208 5.2)");
            if (on_top_chain) {
                tree.ends_without_all = true;
            }
            return;
        case SpfFetch::Kind::multiple:
            tree.problems.push_back(std::string(term) + ": " + target +
                                    " has several SPF records (permerror, RFC 7208 4.5)");
            return;
        case SpfFetch::Kind::found:
            break;
    }
    const auto parsed = spf::SpfRecord::parse(fetched.text);
    if (!parsed) {
        tree.problems.push_back(std::string(term) + ": " + target +
                                " has an invalid SPF record: " + parsed.error().to_string());
        return;
    }
    tree.path.insert(target);
    walk_spf(resolver, *parsed, depth + 1, on_top_chain, tree);
    tree.path.erase(target);
}

void walk_spf(dns::Resolver& resolver, const spf::SpfRecord& record, int depth, bool on_top_chain,
              SpfTree& tree) {
    for (const auto& m : record.mechanisms()) {
        if (m.kind == spf::MechanismKind::all) {
            if (on_top_chain && !tree.final_all) {
                tree.final_all = m.qualifier;
            }
            continue;
        }
        if (!spf::queries_dns(m.kind)) {
            continue;
        }
        ++tree.lookups;
        if (m.kind == spf::MechanismKind::include && !m.domain_has_macros) {
            follow(resolver, record.term(m), record.domain_spec(m), depth, false, tree);
        }
    }
    // RFC 7208 5.1 / 6.1: redirect= is used only when the record has no "all".
    if (!record.has_all()) {
        if (const auto redirect = record.redirect()) {
            ++tree.lookups;
            if (redirect->find('%') == std::string_view::npos) {
                follow(resolver, record.redirect_term(), *redirect, depth, on_top_chain, tree);
            }
        } else if (on_top_chain) {
            tree.ends_without_all = true;
        }
    }
}

// ---------------------------------------------------------------------------------------
// The analysis

class Analysis {
public:
    Analysis(const Tenant& tenant, dns::Resolver& resolver, const PostureOptions& options)
        : tenant_(tenant), resolver_(resolver), options_(options) {}

    PostureResult run();

private:
    struct Check {
        std::string_view id;
        PostureArea area;
        Severity severity;
        std::string_view source;
    };

    Finding& add(const Check& check, std::string subject, std::string setting, CheckStatus status,
                 std::string current, std::string recommended, std::string action);

    // Configuration analyzer
    template <class Settings>
    bool preset_covers_everyone(const PolicySet<Settings>& set, PostureArea area,
                                std::string_view noun);
    void setting(PostureArea area, std::string_view cmdlet, const std::string& policy,
                 std::string_view name, Severity severity, const Compared& c,
                 std::string_view source, std::string_view value_note = {});
    void anti_phish_policy(const AntiPhishPolicy& policy);
    void anti_spam_policy(const AntiSpamPolicy& policy);
    void connection_filter();

    // Cut-over
    void mail_flow_rules();
    void connectors(bool mx_elsewhere);
    struct MxState {
        bool known = false;
        bool all_microsoft = false;
    };
    MxState domain_mx(const AcceptedDomain& domain);
    void domain_type(const AcceptedDomain& domain);
    void domain_spf(const std::string& domain);
    void domain_dkim(const std::string& domain);
    void domain_dmarc(const std::string& domain);

    const Tenant& tenant_;
    dns::Resolver& resolver_;
    const PostureOptions& options_;
    std::vector<Finding> checks_;
};

Finding& Analysis::add(const Check& check, std::string subject, std::string setting,
                       CheckStatus status, std::string current, std::string recommended,
                       std::string action) {
    Finding f;
    f.id = std::string(check.id);
    f.area = check.area;
    f.subject = std::move(subject);
    f.setting = std::move(setting);
    f.current = std::move(current);
    f.standard = recommended;
    f.strict = std::move(recommended);
    f.meets_standard = f.meets_strict = status == CheckStatus::passed;
    f.severity = check.severity;
    f.status = status;
    f.action = status == CheckStatus::passed ? std::string() : std::move(action);
    f.source = std::string(check.source);
    checks_.push_back(std::move(f));
    return checks_.back();
}

void Analysis::setting(PostureArea area, std::string_view cmdlet, const std::string& policy,
                       std::string_view name, Severity severity, const Compared& c,
                       std::string_view source, std::string_view value_note) {
    const bool strict = options_.baseline == Baseline::strict;
    const bool passed = strict ? c.meets_strict : c.meets_standard;
    const std::string& target = strict ? c.strict : c.standard;
    Finding f;
    f.id = std::string(to_string(area)) + "." + std::string(name);
    f.area = area;
    f.subject = policy;
    f.setting = std::string(name);
    f.current = c.current;
    f.standard = c.standard;
    f.strict = c.strict;
    f.meets_standard = c.meets_standard;
    f.meets_strict = c.meets_strict;
    f.severity = severity;
    f.status = passed ? CheckStatus::passed : CheckStatus::failed;
    if (!passed) {
        const std::string value = target == "none" ? std::string("$null") : target;
        f.action = "Set " + std::string(name) + " to " + target + " (" + std::string(cmdlet) +
                   " -Identity \"" + policy + "\" -" + std::string(name) + " " + value + ")";
        if (!value_note.empty()) {
            f.action += "; " + std::string(value_note);
        }
    }
    f.source = std::string(source);
    checks_.push_back(std::move(f));
}

// Brief 5.1: presets come first; an enabled preset with no conditions or exceptions applies
// to every recipient, so no custom or default policy of that type is ever selected.
template <class Settings>
bool Analysis::preset_covers_everyone(const PolicySet<Settings>& set, PostureArea area,
                                      std::string_view noun) {
    const ThreatPolicy<Settings>* covering = nullptr;
    for (const auto* preset : {&set.strict, &set.standard}) {
        if (preset->enabled && preset->conditions.empty() && preset->exceptions.empty()) {
            covering = preset;
            break;
        }
    }
    if (!covering) {
        return false;
    }
    const Check check{"policy_not_applied", area, Severity::informational, src_presets};
    auto note = [&](const std::string& name) {
        Finding& f = add(check, name, std::string(noun), CheckStatus::failed,
                         "never applied: " + covering->name + " covers all recipients", "",
                         "Nothing to tune here: the preset's settings apply to everyone. "
                         "Remove the policy or scope the preset if this policy should apply.");
        f.id = std::string(to_string(area)) + ".policy_not_applied";
    };
    for (const auto& policy : set.custom) {
        note(policy.name);
    }
    note(set.default_policy.name);
    return true;
}

void Analysis::anti_phish_policy(const AntiPhishPolicy& policy) {
    constexpr auto area = PostureArea::anti_phishing;
    constexpr std::string_view cmdlet = "Set-AntiPhishPolicy";
    const AntiPhishSettings& s = policy.settings;
    const AntiPhishSettings std_ = recommended_anti_phish_settings(PolicyLevel::standard);
    const AntiPhishSettings str = recommended_anti_phish_settings(PolicyLevel::strict);
    const auto& name = policy.name;
    auto rank = [](auto v) { return strength(v); };
    // Spoof settings and first contact tip: every licence (brief 4.5).
    setting(area, cmdlet, name, "EnableSpoofIntelligence", Severity::high,
            switched(s.enable_spoof_intelligence, std_.enable_spoof_intelligence,
                     str.enable_spoof_intelligence),
            src_anti_phish);
    setting(area, cmdlet, name, "HonorDmarcPolicy", Severity::medium,
            switched(s.honor_dmarc_policy, std_.honor_dmarc_policy, str.honor_dmarc_policy),
            src_anti_phish);
    setting(area, cmdlet, name, "DmarcQuarantineAction", Severity::medium,
            ranked(s.dmarc_quarantine_action, std_.dmarc_quarantine_action,
                   str.dmarc_quarantine_action, rank),
            src_anti_phish);
    setting(area, cmdlet, name, "DmarcRejectAction", Severity::medium,
            ranked(s.dmarc_reject_action, std_.dmarc_reject_action, str.dmarc_reject_action, rank),
            src_anti_phish);
    setting(area, cmdlet, name, "AuthenticationFailAction", Severity::medium,
            ranked(s.authentication_fail_action, std_.authentication_fail_action,
                   str.authentication_fail_action, rank),
            src_anti_phish);
    setting(
        area, cmdlet, name, "SpoofQuarantineTag", Severity::informational,
        quarantine_tag(s.spoof_quarantine_tag, std_.spoof_quarantine_tag, str.spoof_quarantine_tag),
        src_anti_phish);
    setting(area, cmdlet, name, "EnableFirstContactSafetyTips", Severity::low,
            switched(s.enable_first_contact_safety_tips, std_.enable_first_contact_safety_tips,
                     str.enable_first_contact_safety_tips),
            src_anti_phish);
    setting(area, cmdlet, name, "EnableUnauthenticatedSender", Severity::low,
            switched(s.enable_unauthenticated_sender, std_.enable_unauthenticated_sender,
                     str.enable_unauthenticated_sender),
            src_anti_phish);
    setting(area, cmdlet, name, "EnableViaTag", Severity::low,
            switched(s.enable_via_tag, std_.enable_via_tag, str.enable_via_tag), src_anti_phish);
    if (tenant_.license() == License::eop) {
        return;  // impersonation, mailbox intelligence and thresholds are MDO only (4.6)
    }
    setting(
        area, cmdlet, name, "PhishThresholdLevel", Severity::medium,
        at_least(s.phish_threshold_level, std_.phish_threshold_level, str.phish_threshold_level),
        src_anti_phish);
    setting(area, cmdlet, name, "EnableTargetedUserProtection", Severity::medium,
            switched(s.enable_targeted_user_protection, std_.enable_targeted_user_protection,
                     str.enable_targeted_user_protection),
            src_anti_phish, "add the users to protect (TargetedUsersToProtect)");
    setting(area, cmdlet, name, "TargetedUserProtectionAction", Severity::medium,
            ranked(s.targeted_user_protection_action, std_.targeted_user_protection_action,
                   str.targeted_user_protection_action, rank),
            src_anti_phish, "the migration guide turns impersonation actions on one at a time");
    setting(area, cmdlet, name, "TargetedUserQuarantineTag", Severity::informational,
            quarantine_tag(s.targeted_user_quarantine_tag, std_.targeted_user_quarantine_tag,
                           str.targeted_user_quarantine_tag),
            src_anti_phish);
    setting(area, cmdlet, name, "EnableOrganizationDomainsProtection", Severity::medium,
            switched(s.enable_organization_domains_protection,
                     std_.enable_organization_domains_protection,
                     str.enable_organization_domains_protection),
            src_anti_phish);
    setting(area, cmdlet, name, "EnableTargetedDomainsProtection", Severity::low,
            switched(s.enable_targeted_domains_protection, std_.enable_targeted_domains_protection,
                     str.enable_targeted_domains_protection),
            src_anti_phish, "add the partner domains to protect (TargetedDomainsToProtect)");
    setting(area, cmdlet, name, "TargetedDomainProtectionAction", Severity::medium,
            ranked(s.targeted_domain_protection_action, std_.targeted_domain_protection_action,
                   str.targeted_domain_protection_action, rank),
            src_anti_phish, "the migration guide turns impersonation actions on one at a time");
    setting(area, cmdlet, name, "TargetedDomainQuarantineTag", Severity::informational,
            quarantine_tag(s.targeted_domain_quarantine_tag, std_.targeted_domain_quarantine_tag,
                           str.targeted_domain_quarantine_tag),
            src_anti_phish);
    setting(area, cmdlet, name, "EnableMailboxIntelligence", Severity::medium,
            switched(s.enable_mailbox_intelligence, std_.enable_mailbox_intelligence,
                     str.enable_mailbox_intelligence),
            src_anti_phish);
    setting(area, cmdlet, name, "EnableMailboxIntelligenceProtection", Severity::medium,
            switched(s.enable_mailbox_intelligence_protection,
                     std_.enable_mailbox_intelligence_protection,
                     str.enable_mailbox_intelligence_protection),
            src_anti_phish);
    setting(area, cmdlet, name, "MailboxIntelligenceProtectionAction", Severity::medium,
            ranked(s.mailbox_intelligence_protection_action,
                   std_.mailbox_intelligence_protection_action,
                   str.mailbox_intelligence_protection_action, rank),
            src_anti_phish, "the migration guide turns impersonation actions on one at a time");
    setting(area, cmdlet, name, "MailboxIntelligenceQuarantineTag", Severity::informational,
            quarantine_tag(s.mailbox_intelligence_quarantine_tag,
                           std_.mailbox_intelligence_quarantine_tag,
                           str.mailbox_intelligence_quarantine_tag),
            src_anti_phish);
    setting(area, cmdlet, name, "EnableSimilarUsersSafetyTips", Severity::low,
            switched(s.enable_similar_users_safety_tips, std_.enable_similar_users_safety_tips,
                     str.enable_similar_users_safety_tips),
            src_anti_phish);
    setting(area, cmdlet, name, "EnableSimilarDomainsSafetyTips", Severity::low,
            switched(s.enable_similar_domains_safety_tips, std_.enable_similar_domains_safety_tips,
                     str.enable_similar_domains_safety_tips),
            src_anti_phish);
    setting(area, cmdlet, name, "EnableUnusualCharactersSafetyTips", Severity::low,
            switched(s.enable_unusual_characters_safety_tips,
                     std_.enable_unusual_characters_safety_tips,
                     str.enable_unusual_characters_safety_tips),
            src_anti_phish);
    setting(area, cmdlet, name, "ExcludedSenders", Severity::low, empty_list(s.excluded_senders),
            src_anti_phish, "trusted senders are never checked for impersonation");
    setting(area, cmdlet, name, "ExcludedDomains", Severity::low, empty_list(s.excluded_domains),
            src_anti_phish, "trusted domains are never checked for impersonation");
}

void Analysis::anti_spam_policy(const AntiSpamPolicy& policy) {
    constexpr auto area = PostureArea::anti_spam;
    constexpr std::string_view cmdlet = "Set-HostedContentFilterPolicy";
    const AntiSpamSettings& s = policy.settings;
    const AntiSpamSettings std_ = recommended_anti_spam_settings(PolicyLevel::standard);
    const AntiSpamSettings str = recommended_anti_spam_settings(PolicyLevel::strict);
    const auto& name = policy.name;
    auto action = [](Verdict verdict) {
        return [verdict](SpamFilterAction a) { return strength(a, verdict); };
    };
    setting(area, cmdlet, name, "BulkThreshold", Severity::medium,
            at_most(s.bulk_threshold, std_.bulk_threshold, str.bulk_threshold), src_anti_spam);
    setting(
        area, cmdlet, name, "MarkAsSpamBulkMail", Severity::medium,
        switched(s.mark_as_spam_bulk_mail, std_.mark_as_spam_bulk_mail, str.mark_as_spam_bulk_mail),
        src_anti_spam);
    setting(area, cmdlet, name, "SpamAction", Severity::medium,
            ranked(s.spam_action, std_.spam_action, str.spam_action, action(Verdict::spam)),
            src_anti_spam);
    setting(
        area, cmdlet, name, "SpamQuarantineTag", Severity::informational,
        quarantine_tag(s.spam_quarantine_tag, std_.spam_quarantine_tag, str.spam_quarantine_tag),
        src_anti_spam);
    setting(area, cmdlet, name, "HighConfidenceSpamAction", Severity::medium,
            ranked(s.high_confidence_spam_action, std_.high_confidence_spam_action,
                   str.high_confidence_spam_action, action(Verdict::high_confidence_spam)),
            src_anti_spam);
    setting(area, cmdlet, name, "HighConfidenceSpamQuarantineTag", Severity::informational,
            quarantine_tag(s.high_confidence_spam_quarantine_tag,
                           std_.high_confidence_spam_quarantine_tag,
                           str.high_confidence_spam_quarantine_tag),
            src_anti_spam);
    setting(area, cmdlet, name, "PhishSpamAction", Severity::high,
            ranked(s.phish_spam_action, std_.phish_spam_action, str.phish_spam_action,
                   action(Verdict::phish)),
            src_anti_spam);
    setting(
        area, cmdlet, name, "PhishQuarantineTag", Severity::informational,
        quarantine_tag(s.phish_quarantine_tag, std_.phish_quarantine_tag, str.phish_quarantine_tag),
        src_anti_spam);
    setting(area, cmdlet, name, "HighConfidencePhishAction", Severity::high,
            ranked(s.high_confidence_phish_action, std_.high_confidence_phish_action,
                   str.high_confidence_phish_action, action(Verdict::high_confidence_phish)),
            src_anti_spam);
    setting(area, cmdlet, name, "HighConfidencePhishQuarantineTag", Severity::informational,
            quarantine_tag(s.high_confidence_phish_quarantine_tag,
                           std_.high_confidence_phish_quarantine_tag,
                           str.high_confidence_phish_quarantine_tag),
            src_anti_spam);
    setting(area, cmdlet, name, "BulkSpamAction", Severity::low,
            ranked(s.bulk_spam_action, std_.bulk_spam_action, str.bulk_spam_action,
                   action(Verdict::bulk)),
            src_anti_spam);
    setting(
        area, cmdlet, name, "BulkQuarantineTag", Severity::informational,
        quarantine_tag(s.bulk_quarantine_tag, std_.bulk_quarantine_tag, str.bulk_quarantine_tag),
        src_anti_spam);
    setting(area, cmdlet, name, "QuarantineRetentionPeriod", Severity::low,
            at_least(s.quarantine_retention_period, std_.quarantine_retention_period,
                     str.quarantine_retention_period),
            src_anti_spam);
    setting(area, cmdlet, name, "AllowedSenders", Severity::medium, empty_list(s.allowed_senders),
            src_anti_spam,
            "allowed senders skip spam, spoof and phishing filtering; use the Tenant "
            "Allow/Block List or spoof intelligence instead");
    setting(area, cmdlet, name, "AllowedSenderDomains", Severity::high,
            empty_list(s.allowed_sender_domains), src_anti_spam,
            "Microsoft: adding domains to the allowed domains list is a very bad idea");
}

void Analysis::connection_filter() {
    const ConnectionFilter& cf = tenant_.connection_filter();
    const std::string policy = "Default";  // the one connection filter policy (brief 12.1)
    std::vector<std::string> allowed;
    for (const auto& net : cf.ip_allow_list) {
        allowed.push_back(net.to_string());
    }
    const Compared allow = empty_list(allowed);
    setting(PostureArea::connection_filter, "Set-HostedConnectionFilterPolicy", policy,
            "IPAllowList", Severity::medium, allow, src_connection_filter,
            "mail from these addresses skips spam filtering; when it comes from the "
            "third-party service, use Enhanced Filtering and the SCL=-1 rule during the "
            "pilot instead (brief 8)");
    const bool off = !cf.enable_safe_list;
    setting(PostureArea::connection_filter, "Set-HostedConnectionFilterPolicy", policy,
            "EnableSafeList", Severity::low,
            Compared{text(cf.enable_safe_list), text(false), text(false), off, off},
            src_connection_filter, "the safe list skips spam filtering for third-party lists");
}

// ---------------------------------------------------------------------------------------
// Cut-over, tenant-wide

void Analysis::mail_flow_rules() {
    const Check rule_check{"mail_flow_rules.scl_bypass_rule", PostureArea::mail_flow_rules,
                           Severity::high, src_scl_rule};
    const Check scope_check{"mail_flow_rules.scl_bypass_scope", PostureArea::mail_flow_rules,
                            Severity::high, src_scl_scope};
    bool any = false;
    for (const auto& rule : tenant_.mail_flow_rules()) {
        // Audit modes only log (brief 8); a disabled rule does nothing.
        if (!rule.enabled || rule.mode != RuleMode::enforce || rule.actions.set_scl != -1) {
            continue;
        }
        any = true;
        add(rule_check, rule.name, "SetSCL", CheckStatus::failed,
            "enabled, sets SCL -1 (Bypass spam filtering)", "disabled",
            "Once Defender for Office 365 protects every recipient, turn the rule off "
            "(Disable-TransportRule -Identity \"" +
                rule.name + "\"; disable, don't delete) before switching MX");
        const RuleConditions& c = rule.conditions;
        const bool scoped =
            !c.sender_ip_ranges.empty() || !c.headers.empty() || !c.from_connectors.empty();
        std::string current = "conditions: ";
        if (scoped) {
            current += !c.sender_ip_ranges.empty() ? "sender IP ranges"
                       : !c.headers.empty()        ? "message header"
                                                   : "inbound connector";
        } else if (!c.sender_domain_is.empty()) {
            current += "sender domain only";
        } else {
            current += c.empty() ? "none (every message)" : "none that identifies the service";
        }
        add(scope_check, rule.name, "conditions",
            scoped ? CheckStatus::passed : CheckStatus::failed, current,
            "sender IP ranges of the service, or a header it stamps",
            "Restrict the rule to mail that passed through the third-party service (its "
            "sending IP ranges or a header unique to your organization that it adds); never "
            "a sender domain alone");
    }
    if (!any) {
        add(rule_check, "(tenant)", "SetSCL", CheckStatus::passed, "no enabled rule sets SCL -1",
            "disabled", "");
    }
}

void Analysis::connectors(bool mx_elsewhere) {
    const Check cert_check{"inbound_connectors.restrict_domains_to_certificate",
                           PostureArea::inbound_connectors, Severity::high, src_connector_step8};
    const Check ip_check{"inbound_connectors.restrict_domains_to_ip_addresses",
                         PostureArea::inbound_connectors, Severity::high, src_connector_step8};
    const Check ef_check{"inbound_connectors.enhanced_filtering", PostureArea::inbound_connectors,
                         Severity::high, src_enhanced_filtering};
    bool any_partner = false;
    for (const auto& c : tenant_.inbound_connectors()) {
        // Step 8: only Partner connectors matter; on-premises (hybrid) ones need no change.
        if (!c.enabled || c.type != ConnectorType::partner) {
            continue;
        }
        any_partner = true;
        add(cert_check, c.name, "RestrictDomainsToCertificate",
            c.restrict_domains_to_certificate ? CheckStatus::failed : CheckStatus::passed,
            text(c.restrict_domains_to_certificate), "$false",
            "Turn it off before switching MX, or all delivery to your domains fails after the "
            "switch (Set-InboundConnector -Identity \"" +
                c.name + "\" -RestrictDomainsToCertificate $false)");
        add(ip_check, c.name, "RestrictDomainsToIPAddresses",
            c.restrict_domains_to_ip_addresses ? CheckStatus::failed : CheckStatus::passed,
            text(c.restrict_domains_to_ip_addresses), "$false",
            "Turn it off before switching MX, or all delivery to your domains fails after the "
            "switch (Set-InboundConnector -Identity \"" +
                c.name + "\" -RestrictDomainsToIPAddresses $false)");
        if (!mx_elsewhere) {
            continue;
        }
        const EnhancedFiltering& ef = c.enhanced_filtering;
        std::string current;
        if (ef.skip_last_ip) {
            current = "EFSkipLastIP $true";
        } else if (!ef.skip_ips.empty()) {
            current = "EFSkipIPs";
            for (const auto& net : ef.skip_ips) {
                current += " " + net.to_string();
            }
        } else {
            current = "off";
        }
        if (ef.enabled() && !ef.users.empty()) {
            current += "; only for " + std::to_string(ef.users.size()) +
                       " EFUsers (every recipient of a message must be listed)";
        }
        add(ef_check, c.name, "EFSkipIPs / EFSkipLastIP",
            ef.enabled() ? CheckStatus::passed : CheckStatus::failed, current,
            "the public IPs of the service",
            "Turn on Enhanced Filtering for Connectors with all public IP addresses the "
            "service relays from (Set-InboundConnector -Identity \"" +
                c.name +
                "\" -EFSkipIPs ...): without it SPF, DMARC and spoof detection see the "
                "service's IP, and Honor DMARC does not apply");
    }
    if (mx_elsewhere && !any_partner) {
        add(ef_check, "(tenant)", "inbound connector", CheckStatus::failed,
            "no enabled Partner inbound connector", "a Partner connector from the service",
            "Create a Partner inbound connector for the third-party service (New-InboundConnector "
            "-ConnectorType Partner -SenderIPAddresses ...) and turn on Enhanced Filtering on it");
    }
}

// ---------------------------------------------------------------------------------------
// Cut-over, per accepted domain

void Analysis::domain_type(const AcceptedDomain& domain) {
    const Check check{"accepted_domains.type", PostureArea::accepted_domains, Severity::low,
                      src_step8};
    const bool authoritative = domain.type == AcceptedDomainType::authoritative;
    add(check, domain.name, "DomainType", authoritative ? CheckStatus::passed : CheckStatus::failed,
        text(domain.type), "Authoritative",
        "If the current gateway validates recipients, make the domain Authoritative "
        "(Set-AcceptedDomain -Identity " +
            domain.name + " -DomainType Authoritative) to avoid needless bounces");
}

Analysis::MxState Analysis::domain_mx(const AcceptedDomain& domain) {
    const Check present{"mx.present", PostureArea::mx, Severity::high, src_step8};
    const Check target{"mx.target", PostureArea::mx, Severity::informational, src_step8};
    const Check split{"mx.split", PostureArea::mx, Severity::medium, src_step8};
    const Check ttl{"mx.ttl", PostureArea::mx, Severity::medium, src_step8};
    const Check file{"mx.tenant_file", PostureArea::mx, Severity::low,
                     "docs/tenant-file.md mail_routing.mx (brief 2.3, 6.1, 10)"};
    const std::string& name = domain.name;
    const dns::Answer answer = resolver_.query(name, dns::RecordType::MX);
    const std::string setting = name + " MX";
    if (temporary(answer)) {
        add(present, name, setting, CheckStatus::could_not_check,
            failure_text(name, dns::RecordType::MX, answer), "MX records",
            "Check DNS again: the MX records could not be read");
        return {};
    }
    std::vector<std::string> hosts;
    bool null_mx = false;
    if (answer.ok()) {
        for (const auto& mx : answer.mx) {
            if (mx.exchange.empty() || mx.exchange == ".") {
                null_mx = true;  // RFC 7505 null MX: the domain accepts no mail
            } else {
                hosts.push_back(mx.exchange);
            }
        }
    }
    if (hosts.empty()) {
        add(present, name, setting, CheckStatus::failed,
            null_mx ? std::string("null MX (RFC 7505): no mail accepted")
                    : std::string(dns::to_string(answer.status)) + ": no MX records",
            "MX records", "Publish MX records for the domain");
        return {};
    }
    add(present, name, setting, CheckStatus::passed, std::to_string(hosts.size()) + " MX records",
        "MX records", "");
    std::size_t microsoft = 0;
    std::string listed;
    for (const auto& h : hosts) {
        microsoft += is_microsoft_mx(h) ? 1 : 0;
        listed += listed.empty() ? h : ", " + h;
    }
    const bool all_microsoft = microsoft == hosts.size();
    add(target, name, setting, all_microsoft ? CheckStatus::passed : CheckStatus::failed, listed,
        "*.mail.protection.outlook.com",
        "When the other cut-over checks pass, point MX at the host Microsoft 365 shows for the "
        "domain "
        "(usually <domain-with-dashes>.mail.protection.outlook.com); propagation takes up to "
        "48 hours");
    add(split, name, setting,
        microsoft == 0 || all_microsoft ? CheckStatus::passed : CheckStatus::failed,
        std::to_string(microsoft) + " of " + std::to_string(hosts.size()) +
            " MX hosts are Microsoft 365",
        "all MX hosts on one side",
        "Avoid split MX between the service and Microsoft 365: it works only when every "
        "recipient is covered by policies and the SCL=-1 rule is limited to the service's "
        "mail, and it makes troubleshooting much harder");
    if (!all_microsoft) {
        const bool low = answer.ttl <= options_.max_mx_ttl;
        add(ttl, name, setting, low ? CheckStatus::passed : CheckStatus::failed,
            "TTL " + std::to_string(answer.ttl) + " s",
            "<= " + std::to_string(options_.max_mx_ttl) + " s before the switch",
            "Lower the MX record's TTL (e.g. to 300 s) at least one old TTL before switching, "
            "for a fast switch and rollback; restore it once the switch is verified");
    }
    const MxTarget dns_side = all_microsoft ? MxTarget::microsoft : MxTarget::third_party;
    const MxTarget file_side = tenant_.mail_routing().mx;
    add(file, name, "mail_routing.mx",
        dns_side == file_side ? CheckStatus::passed : CheckStatus::failed,
        "tenant file: " + text(file_side) + ", DNS: " + text(dns_side), text(dns_side),
        "Set mail_routing.mx to " + text(dns_side) +
            " in the tenant file: Honor DMARC, the complex-routing exception and advanced "
            "delivery are simulated from it");
    return {true, all_microsoft};
}

void Analysis::domain_spf(const std::string& domain) {
    const Check record_check{"spf.record", PostureArea::spf, Severity::high, src_spf};
    const Check microsoft_check{"spf.includes_microsoft", PostureArea::spf, Severity::medium,
                                src_spf};
    const Check all_check{"spf.all", PostureArea::spf, Severity::medium, src_spf};
    const Check lookups_check{"spf.lookups", PostureArea::spf, Severity::medium, src_spf};
    const std::string setting = domain + " TXT v=spf1";
    const std::string include = "include:" + std::string(microsoft_spf_include);
    const SpfFetch fetched = fetch_spf(resolver_, domain);
    auto all_dependent = [&](CheckStatus status, const std::string& current) {
        add(microsoft_check, domain, setting, status, current, include,
            "Add include:spf.protection.outlook.com to the domain's SPF record");
        add(all_check, domain, setting, status, current, "-all or ~all",
            "End the SPF record with -all (or ~all)");
        add(lookups_check, domain, setting, status, current, "<= 10 DNS lookups",
            "Keep the SPF record within 10 DNS-querying terms");
    };
    if (fetched.kind == SpfFetch::Kind::temporary) {
        add(record_check, domain, setting, CheckStatus::could_not_check, fetched.detail,
            "one valid SPF record", "Check DNS again: the SPF record could not be read");
        return;
    }
    std::optional<spf::SpfRecord> record;
    std::string problem;
    if (fetched.kind == SpfFetch::Kind::none) {
        problem = "no SPF record";
    } else if (fetched.kind == SpfFetch::Kind::multiple) {
        problem = "several SPF records (permerror, RFC 7208 4.5)";
    } else if (auto parsed = spf::SpfRecord::parse(fetched.text); !parsed) {
        problem = "syntax error: " + parsed.error().to_string() + " (permerror)";
    } else {
        record = std::move(*parsed);
    }
    if (!record) {
        add(record_check, domain, setting, CheckStatus::failed, problem, "one valid SPF record",
            "Publish one SPF TXT record for the domain, e.g. \"v=spf1 include:"
            "spf.protection.outlook.com -all\" plus the other services that send as it");
        all_dependent(CheckStatus::failed, problem);
        return;
    }
    SpfTree tree;
    tree.path.insert(domain);
    walk_spf(resolver_, *record, 0, true, tree);
    if (tree.problems.empty()) {
        add(record_check, domain, setting, CheckStatus::passed, record->text(),
            "one valid SPF record", "");
    } else {
        add(record_check, domain, setting, CheckStatus::failed, tree.problems.front(),
            "one valid SPF record", "Fix the SPF record's include/redirect targets");
    }
    // Exchange Online's include, directly or through nested includes and redirects.
    if (tree.includes_microsoft) {
        add(microsoft_check, domain, setting, CheckStatus::passed, "included", include, "");
    } else if (tree.temporary) {
        add(microsoft_check, domain, setting, CheckStatus::could_not_check, *tree.temporary,
            include, "Check DNS again: a nested SPF record could not be read");
    } else {
        add(microsoft_check, domain, setting, CheckStatus::failed, "not included", include,
            "Add include:spf.protection.outlook.com to the domain's SPF record, so mail "
            "Microsoft 365 sends as the domain passes SPF");
    }
    // RFC 7208 4.7: no "all" and no redirect means neutral for unlisted hosts.
    if (tree.final_all) {
        const auto q = *tree.final_all;
        const bool strong = q == spf::Qualifier::fail || q == spf::Qualifier::softfail;
        const std::string shown = q == spf::Qualifier::fail       ? "-all"
                                  : q == spf::Qualifier::softfail ? "~all"
                                  : q == spf::Qualifier::neutral  ? "?all"
                                                                  : "+all";
        add(all_check, domain, setting, strong ? CheckStatus::passed : CheckStatus::failed, shown,
            "-all or ~all",
            q == spf::Qualifier::pass
                ? "Remove +all: it lets every host on the internet pass SPF for the domain"
                : "End the record with -all (or ~all): ?all tells receivers nothing about "
                  "unlisted hosts (neutral, RFC 7208 8.2). Brief 1.8 counts both ?all and "
                  "~all as weak records (reason 001) for unlisted senders; ~all passes here "
                  "because mail from the listed sources is then treated as authenticated "
                  "(brief 2.2)");
    } else if (tree.temporary && !tree.ends_without_all) {
        add(all_check, domain, setting, CheckStatus::could_not_check, *tree.temporary,
            "-all or ~all", "Check DNS again: a redirected SPF record could not be read");
    } else {
        add(all_check, domain, setting, CheckStatus::failed, "no all term (default neutral)",
            "-all or ~all", "End the record with -all (or ~all)");
    }
    if (tree.temporary) {
        add(lookups_check, domain, setting, CheckStatus::could_not_check, *tree.temporary,
            "<= 10 DNS lookups", "Check DNS again: a nested SPF record could not be read");
    } else {
        const bool ok = tree.lookups <= spf_max_lookups;
        add(lookups_check, domain, setting, ok ? CheckStatus::passed : CheckStatus::failed,
            std::to_string(tree.lookups) + " DNS lookups", "<= 10 DNS lookups",
            "Reduce the include/a/mx/ptr/exists/redirect terms to 10 at most (RFC 7208 "
            "4.6.4: more is a permerror for hosts the record does not list)");
    }
}

void Analysis::domain_dkim(const std::string& domain) {
    for (const std::string_view selector : {"selector1", "selector2"}) {
        const Check check{selector == "selector1" ? "dkim.selector1" : "dkim.selector2",
                          PostureArea::dkim, Severity::medium, src_dkim};
        const std::string name = std::string(selector) + "._domainkey." + domain;
        const std::string wanted = "CNAME to *.onmicrosoft.com or *.dkim.mail.microsoft";
        const std::string action = fmt::format(
            "Publish {0} as a CNAME to the Selector1CNAME/Selector2CNAME value Microsoft 365 "
            "shows (Get-DkimSigningConfig -Identity {1}), then enable DKIM signing "
            "(Set-DkimSigningConfig -Identity {1} -Enabled $true)",
            name, domain);
        const dns::Answer cname = resolver_.query(name, dns::RecordType::CNAME);
        if (temporary(cname)) {
            add(check, domain, name + " CNAME", CheckStatus::could_not_check,
                failure_text(name, dns::RecordType::CNAME, cname), wanted,
                "Check DNS again: the selector could not be read");
            continue;
        }
        if (cname.ok() && !cname.names.empty()) {
            const std::string& to = cname.names.front();
            const bool microsoft = is_microsoft_dkim_target(to);
            add(check, domain, name + " CNAME",
                microsoft ? CheckStatus::passed : CheckStatus::failed,
                "CNAME to " + to + (microsoft ? "" : " (not Microsoft 365)"), wanted, action);
            continue;
        }
        std::string current = "missing";
        if (cname.status == dns::DnsStatus::nodata) {
            // The name exists: a key published as TXT (another signer), not Microsoft's.
            const dns::Answer txt = resolver_.query(name, dns::RecordType::TXT);
            if (temporary(txt)) {
                add(check, domain, name + " CNAME", CheckStatus::could_not_check,
                    failure_text(name, dns::RecordType::TXT, txt), wanted,
                    "Check DNS again: the selector could not be read");
                continue;
            }
            if (txt.ok() && !txt.txt.empty()) {
                current = "TXT record, no CNAME to Microsoft 365";
            }
        }
        add(check, domain, name + " CNAME", CheckStatus::failed, current, wanted, action);
    }
}

void Analysis::domain_dmarc(const std::string& domain) {
    const Check record_check{"dmarc.record", PostureArea::dmarc, Severity::high, src_dmarc};
    const Check policy_check{"dmarc.policy", PostureArea::dmarc, Severity::medium, src_dmarc};
    const std::string wanted_policy = "p=quarantine or p=reject, pct=100";
    auto lookup = [&](const std::string& at, std::vector<std::string>& records,
                      std::optional<std::string>& failure) {
        const std::string name = "_dmarc." + at;
        const dns::Answer answer = resolver_.query(name, dns::RecordType::TXT);
        if (temporary(answer)) {
            failure = failure_text(name, dns::RecordType::TXT, answer);
            return;
        }
        if (answer.ok()) {
            for (const auto& txt : answer.txt) {
                std::string joined = txt.joined();
                if (dmarc::DmarcRecord::is_dmarc1(joined)) {
                    records.push_back(std::move(joined));
                }
            }
        }
    };
    std::vector<std::string> records;
    std::optional<std::string> failure;
    std::string found_at = domain;
    lookup(domain, records, failure);
    // RFC 7489 6.6.3 step 3: no record for the domain -> the organizational domain's.
    if (!failure && records.empty() && options_.public_suffixes) {
        const std::string org = options_.public_suffixes->organizational_domain(domain);
        if (org != domain) {
            found_at = org;
            lookup(org, records, failure);
        }
    }
    const std::string setting = "_dmarc." + found_at + " TXT";
    if (failure) {
        add(record_check, domain, setting, CheckStatus::could_not_check, *failure,
            "one valid DMARC record", "Check DNS again: the DMARC record could not be read");
        return;
    }
    std::optional<dmarc::DmarcRecord> record;
    std::string problem;
    if (records.empty()) {
        problem = "no DMARC record";
    } else if (records.size() > 1) {
        problem = "several DMARC records (RFC 7489 6.6.3: none is used)";
    } else if (auto parsed = dmarc::DmarcRecord::parse(records.front()); !parsed) {
        problem = "invalid: " + parsed.error().to_string();
    } else {
        record = std::move(*parsed);
    }
    if (!record) {
        add(record_check, domain, setting, CheckStatus::failed, problem, "one valid DMARC record",
            "Publish a DMARC record at _dmarc." + domain +
                " (start with p=none and rua= reports, then move to quarantine and reject)");
        add(policy_check, domain, setting, CheckStatus::failed, problem, wanted_policy,
            "Publish a DMARC record with p=quarantine or p=reject");
        return;
    }
    add(record_check, domain, setting, CheckStatus::passed, record->text, "one valid DMARC record",
        "");
    // A subdomain covered by its organizational domain's record gets sp= (RFC 7489 6.3).
    const dmarc::Policy policy =
        found_at != domain && record->subdomain_policy ? *record->subdomain_policy : record->policy;
    std::string current = "p=" + std::string(dmarc::to_string(policy));
    if (found_at != domain) {
        current = (record->subdomain_policy ? "sp=" : "p=") +
                  std::string(dmarc::to_string(policy)) + " (from " + found_at + ")";
    }
    current += ", pct=" + std::to_string(record->percent);
    const bool enforcing = policy != dmarc::Policy::none && record->percent >= 100;
    add(policy_check, domain, setting, enforcing ? CheckStatus::passed : CheckStatus::failed,
        current, wanted_policy,
        policy == dmarc::Policy::none
            ? "Move the DMARC policy from p=none to p=quarantine, then p=reject, once the "
              "aggregate reports show every legitimate source aligned"
            : "Raise pct to 100 so the policy applies to every failing message");
}

PostureResult Analysis::run() {
    // Configuration analyzer: custom (enabled) and default policies; presets are the
    // recommended values themselves and cannot be edited (brief 5.1).
    const auto& phish = tenant_.anti_phishing();
    if (!preset_covers_everyone(phish, PostureArea::anti_phishing, "anti-phishing policy")) {
        for (const auto& p : phish.custom) {
            if (p.enabled) {
                anti_phish_policy(p);
            }
        }
        anti_phish_policy(phish.default_policy);
    }
    const auto& spam = tenant_.anti_spam();
    if (!preset_covers_everyone(spam, PostureArea::anti_spam, "anti-spam policy")) {
        for (const auto& p : spam.custom) {
            if (p.enabled) {
                anti_spam_policy(p);
            }
        }
        anti_spam_policy(spam.default_policy);
    }
    connection_filter();

    // Cut-over: the domains first (their MX decides whether MX points elsewhere), then
    // the tenant-wide checks, shown before the per-domain ones.
    std::vector<Finding> tenant_checks;
    std::swap(tenant_checks, checks_);
    bool any_elsewhere = false;
    bool any_known = false;
    for (const auto& domain : tenant_.accepted_domains()) {
        domain_type(domain);
        const MxState mx = domain_mx(domain);
        any_known = any_known || mx.known;
        any_elsewhere = any_elsewhere || (mx.known && !mx.all_microsoft);
        domain_spf(domain.name);
        domain_dkim(domain.name);
        domain_dmarc(domain.name);
    }
    std::vector<Finding> domain_checks;
    std::swap(domain_checks, checks_);
    checks_ = std::move(tenant_checks);
    // MX "elsewhere" when any domain's MX is not Microsoft 365; the tenant file decides
    // only when no domain's MX could be read.
    const bool mx_elsewhere =
        any_known ? any_elsewhere : tenant_.mail_routing().mx == MxTarget::third_party;
    mail_flow_rules();
    connectors(mx_elsewhere);
    for (auto& f : domain_checks) {
        checks_.push_back(std::move(f));
    }

    PostureResult result;
    for (auto& f : checks_) {
        const int points = points_for(f.severity);
        if (f.status == CheckStatus::could_not_check) {
            result.score.unchecked += points;
            continue;
        }
        f.points_possible = points;
        f.points_earned = f.status == CheckStatus::passed ? points : 0;
        result.score.possible += f.points_possible;
        result.score.earned += f.points_earned;
    }
    result.checks = std::move(checks_);
    return result;
}

}  // namespace

PostureResult PostureAnalyzer::analyze() const {
    Analysis analysis(tenant_, resolver_, options_);
    return analysis.run();
}

}  // namespace mailverdict::policy
