// Which threat policy applies to a recipient (brief 4.1 and 5.1): the first match in
// precedence order (Strict preset, Standard preset, custom policies by priority, the
// default policy), exactly one per policy type, settings never merged. A pure function of
// the tenant and the recipient address.
#pragma once

#include <mailverdict/policy/tenant.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::policy {

// What a policy's scope said about the recipient.
enum class ScopeOutcome : std::uint8_t {
    disabled,      // the policy (preset or custom) is turned off
    out_of_scope,  // a condition kind did not match
    excepted,      // the conditions matched but an exception did too
    selected,      // this policy applies
};
std::string_view to_string(ScopeOutcome outcome) noexcept;

// One policy looked at, in precedence order, with the reason in words.
struct ScopeCheck {
    std::string policy;  // policy name
    PolicyKind kind = PolicyKind::default_policy;
    ScopeOutcome outcome = ScopeOutcome::out_of_scope;
    std::string detail;  // "recipient is in group MDOPilot_SpamPhish_Strict"
};

template <class Settings>
struct PolicySelection {
    const ThreatPolicy<Settings>* policy = nullptr;  // never null: the default always applies
    std::vector<ScopeCheck> checks;                  // every policy looked at, the last selected

    // "<name> (<kind>): <detail>" of the selected policy.
    [[nodiscard]] std::string reason() const;
};
using AntiPhishSelection = PolicySelection<AntiPhishSettings>;
using AntiSpamSelection = PolicySelection<AntiSpamSettings>;

// Scoping per brief 4.1: values within one condition kind OR, kinds AND, exceptions OR.
// Users compare whole addresses; groups by membership; domains by the recipient address's
// domain (presets also match subdomains, brief 4.1). The recipient is taken as its primary
// address, compared case-insensitively.
AntiPhishSelection select_anti_phish_policy(const Tenant& tenant, std::string_view recipient);
AntiSpamSelection select_anti_spam_policy(const Tenant& tenant, std::string_view recipient);

}  // namespace mailverdict::policy
