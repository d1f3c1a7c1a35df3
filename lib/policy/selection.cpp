// Policy selection per recipient (brief 4.1, 5.1).
#include <mailverdict/policy/selection.hpp>

#include "policy/values.hpp"

#include <algorithm>

namespace mailverdict::policy {

namespace {

std::string join(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) {
        out += out.empty() ? "" : ", ";
        out += v;
    }
    return out;
}

std::string domain_of(const std::string& address) {
    const auto at = address.rfind('@');
    return at == std::string::npos ? address : address.substr(at + 1);
}

bool domain_matches(const std::string& domain, const std::string& condition, bool subdomains) {
    if (domain == condition) {
        return true;
    }
    return subdomains && domain.size() > condition.size() && domain.ends_with(condition) &&
           domain[domain.size() - condition.size() - 1] == '.';
}

// One condition kind: which value matched, if any.
struct KindMatch {
    bool set = false;      // the kind has values
    bool matched = false;  // one of them matched
    std::string why;       // "user x", "group G", "domain d"
};

struct ScopeMatch {
    KindMatch users;
    KindMatch groups;
    KindMatch domains;
};

ScopeMatch match_scope(const Tenant& tenant, const RecipientScope& scope,
                       const std::string& recipient, bool subdomains) {
    ScopeMatch m;
    m.users.set = !scope.users.empty();
    for (const auto& user : scope.users) {
        if (user == recipient) {
            m.users.matched = true;
            m.users.why = "recipient is user " + user;
            break;
        }
    }
    m.groups.set = !scope.groups.empty();
    for (const auto& group : scope.groups) {
        if (tenant.is_group_member(group, recipient)) {
            m.groups.matched = true;
            m.groups.why = "recipient is in group " + group;
            break;
        }
    }
    m.domains.set = !scope.domains.empty();
    const std::string domain = domain_of(recipient);
    for (const auto& d : scope.domains) {
        if (domain_matches(domain, d, subdomains)) {
            m.domains.matched = true;
            m.domains.why = domain == d ? "recipient domain is " + d
                                        : "recipient domain " + domain + " is a subdomain of " + d;
            break;
        }
    }
    return m;
}

template <class Settings>
ScopeCheck check_policy(const Tenant& tenant, const ThreatPolicy<Settings>& policy,
                        const std::string& recipient) {
    ScopeCheck check;
    check.policy = policy.name;
    check.kind = policy.kind;
    if (!policy.enabled) {
        check.outcome = ScopeOutcome::disabled;
        check.detail = "the policy is turned off";
        return check;
    }
    // Preset domain conditions include subdomains (brief 4.1, preset-security-policies.md).
    const bool subdomains =
        policy.kind == PolicyKind::strict_preset || policy.kind == PolicyKind::standard_preset;
    std::vector<std::string> reasons;
    if (policy.kind == PolicyKind::default_policy) {
        reasons.emplace_back("the default policy applies to every recipient");
    } else if (policy.conditions.empty()) {
        reasons.emplace_back("the preset applies to all recipients");
    } else {
        const ScopeMatch m = match_scope(tenant, policy.conditions, recipient, subdomains);
        // Kinds AND, values within a kind OR (brief 4.1).
        for (const KindMatch* kind : {&m.users, &m.groups, &m.domains}) {
            if (!kind->set) {
                continue;
            }
            if (!kind->matched) {
                check.outcome = ScopeOutcome::out_of_scope;
                if (kind == &m.users) {
                    check.detail =
                        "recipient is not one of the users " + join(policy.conditions.users);
                } else if (kind == &m.groups) {
                    check.detail =
                        "recipient is in none of the groups " + join(policy.conditions.groups);
                } else {
                    check.detail = "recipient domain " + domain_of(recipient) + " is not one of " +
                                   join(policy.conditions.domains);
                }
                return check;
            }
            reasons.push_back(kind->why);
        }
    }
    // Any exception excludes (brief 4.1).
    const ScopeMatch e = match_scope(tenant, policy.exceptions, recipient, subdomains);
    for (const KindMatch* kind : {&e.users, &e.groups, &e.domains}) {
        if (kind->matched) {
            check.outcome = ScopeOutcome::excepted;
            check.detail = "excepted: " + kind->why;
            return check;
        }
    }
    check.outcome = ScopeOutcome::selected;
    std::string detail;
    for (const auto& r : reasons) {
        detail += detail.empty() ? "" : " and ";
        detail += r;
    }
    check.detail = detail;
    return check;
}

template <class Settings>
PolicySelection<Settings> select(const Tenant& tenant, const PolicySet<Settings>& set,
                                 std::string_view recipient) {
    const std::string address = detail::lower(recipient);
    PolicySelection<Settings> selection;
    std::vector<const ThreatPolicy<Settings>*> order;
    order.push_back(&set.strict);
    order.push_back(&set.standard);
    for (const auto& p : set.custom) {
        order.push_back(&p);
    }
    order.push_back(&set.default_policy);
    for (const auto* policy : order) {
        selection.checks.push_back(check_policy(tenant, *policy, address));
        if (selection.checks.back().outcome == ScopeOutcome::selected) {
            selection.policy = policy;
            break;
        }
    }
    return selection;
}

}  // namespace

std::string_view to_string(ScopeOutcome outcome) noexcept {
    switch (outcome) {
        case ScopeOutcome::disabled:
            return "disabled";
        case ScopeOutcome::out_of_scope:
            return "out_of_scope";
        case ScopeOutcome::excepted:
            return "excepted";
        case ScopeOutcome::selected:
            return "selected";
    }
    return "";
}

template <class Settings>
std::string PolicySelection<Settings>::reason() const {
    if (policy == nullptr || checks.empty()) {
        return "";
    }
    const ScopeCheck& last = checks.back();
    return last.policy + " (" + std::string{to_string(last.kind)} + "): " + last.detail;
}

template struct PolicySelection<AntiPhishSettings>;
template struct PolicySelection<AntiSpamSettings>;

AntiPhishSelection select_anti_phish_policy(const Tenant& tenant, std::string_view recipient) {
    return select(tenant, tenant.anti_phishing(), recipient);
}

AntiSpamSelection select_anti_spam_policy(const Tenant& tenant, std::string_view recipient) {
    return select(tenant, tenant.anti_spam(), recipient);
}

}  // namespace mailverdict::policy
