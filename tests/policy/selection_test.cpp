// Policy selection per recipient: one scoping rule per test (brief 4.1, 5.1).
#include <mailverdict/policy/selection.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace mailverdict::policy;

namespace {

const char* const base =
    "tenant: {name: Contoso}\n"
    "accepted_domains: [contoso.com, fabrikam.com, sub.contoso.com]\n"
    "groups:\n"
    "  Sales: [ann@contoso.com, bob@contoso.com, eve@fabrikam.com]\n"
    "  Exec: [ceo@contoso.com, bob@contoso.com]\n";

Tenant tenant(const std::string& policies) {
    return Tenant::parse(std::string{base} + policies, "selection.yaml");
}

std::string selected(const Tenant& t, const char* recipient) {
    const auto s = select_anti_phish_policy(t, recipient);
    REQUIRE(s.policy != nullptr);
    return s.policy->name;
}

}  // namespace

TEST_CASE("selection: no policies -> the default policy for everyone") {
    const Tenant t = tenant("");
    const auto s = select_anti_phish_policy(t, "ann@contoso.com");
    REQUIRE(s.policy == &t.anti_phishing().default_policy);
    // Disabled presets are looked at and skipped, in order.
    REQUIRE(s.checks.size() == 3);
    CHECK(s.checks[0].kind == PolicyKind::strict_preset);
    CHECK(s.checks[0].outcome == ScopeOutcome::disabled);
    CHECK(s.checks[1].kind == PolicyKind::standard_preset);
    CHECK(s.checks[1].outcome == ScopeOutcome::disabled);
    CHECK(s.checks[2].outcome == ScopeOutcome::selected);
    CHECK(s.reason() ==
          "Office365 AntiPhish Default (default): the default policy applies to every "
          "recipient");
    const auto spam = select_anti_spam_policy(t, "ann@contoso.com");
    CHECK(spam.policy == &t.anti_spam().default_policy);
}

TEST_CASE("selection: users condition") {
    const Tenant t = tenant(
        "anti_phishing:\n  custom:\n"
        "    - {name: P, priority: 0, conditions: {users: [ann@contoso.com, zed@contoso.com]}}\n");
    CHECK(selected(t, "ANN@Contoso.com") == "P");
    CHECK(selected(t, "bob@contoso.com") == "Office365 AntiPhish Default");
    const auto s = select_anti_phish_policy(t, "bob@contoso.com");
    REQUIRE(s.checks.size() == 4);
    CHECK(s.checks[2].outcome == ScopeOutcome::out_of_scope);
    CHECK(s.checks[2].detail ==
          "recipient is not one of the users ann@contoso.com, zed@contoso.com");
}

TEST_CASE("selection: groups condition") {
    const Tenant t = tenant(
        "anti_phishing:\n  custom:\n"
        "    - {name: P, priority: 0, conditions: {groups: [Exec, Sales]}}\n");
    CHECK(selected(t, "ceo@contoso.com") == "P");
    CHECK(selected(t, "eve@fabrikam.com") == "P");
    CHECK(selected(t, "zed@contoso.com") == "Office365 AntiPhish Default");
    CHECK(select_anti_phish_policy(t, "ceo@contoso.com").reason() ==
          "P (custom): recipient is in group Exec");
}

TEST_CASE("selection: domains condition (custom: exact domain only)") {
    const Tenant t = tenant(
        "anti_phishing:\n  custom:\n"
        "    - {name: P, priority: 0, conditions: {domains: [contoso.com]}}\n");
    CHECK(selected(t, "zed@contoso.com") == "P");
    CHECK(selected(t, "zed@fabrikam.com") == "Office365 AntiPhish Default");
    CHECK(selected(t, "zed@sub.contoso.com") == "Office365 AntiPhish Default");
}

TEST_CASE("selection: preset domain conditions include subdomains") {
    const Tenant t =
        tenant("anti_phishing:\n  standard:\n    conditions: {domains: [contoso.com]}\n");
    CHECK(selected(t, "zed@contoso.com") == "Standard Preset Security Policy");
    CHECK(selected(t, "zed@sub.contoso.com") == "Standard Preset Security Policy");
    CHECK(selected(t, "zed@notcontoso.com") == "Office365 AntiPhish Default");
    CHECK(select_anti_phish_policy(t, "zed@sub.contoso.com").reason() ==
          "Standard Preset Security Policy (standard preset): recipient domain sub.contoso.com "
          "is a subdomain of contoso.com");
}

TEST_CASE("selection: different condition kinds AND together") {
    const Tenant t = tenant(
        "anti_phishing:\n  custom:\n"
        "    - {name: P, priority: 0, conditions: {groups: [Sales], domains: [fabrikam.com]}}\n");
    CHECK(selected(t, "eve@fabrikam.com") == "P");                            // both
    CHECK(selected(t, "ann@contoso.com") == "Office365 AntiPhish Default");   // group only
    CHECK(selected(t, "zed@fabrikam.com") == "Office365 AntiPhish Default");  // domain only
    const auto s = select_anti_phish_policy(t, "ann@contoso.com");
    CHECK(s.checks[2].detail == "recipient domain contoso.com is not one of fabrikam.com");
    CHECK(select_anti_phish_policy(t, "eve@fabrikam.com").reason() ==
          "P (custom): recipient is in group Sales and recipient domain is fabrikam.com");
}

TEST_CASE("selection: any exception excludes") {
    const Tenant t = tenant(
        "anti_phishing:\n  custom:\n"
        "    - name: P\n      priority: 0\n"
        "      conditions: {domains: [contoso.com]}\n"
        "      exceptions: {users: [ann@contoso.com], groups: [Exec], domains: [fabrikam.com]}\n");
    CHECK(selected(t, "zed@contoso.com") == "P");
    CHECK(selected(t, "ann@contoso.com") == "Office365 AntiPhish Default");  // user exception
    CHECK(selected(t, "ceo@contoso.com") == "Office365 AntiPhish Default");  // group exception
    const auto s = select_anti_phish_policy(t, "ceo@contoso.com");
    CHECK(s.checks[2].outcome == ScopeOutcome::excepted);
    CHECK(s.checks[2].detail == "excepted: recipient is in group Exec");
}

TEST_CASE("selection: custom policies in priority order, whatever the file order") {
    const Tenant t = tenant(
        "anti_phishing:\n  custom:\n"
        "    - {name: Low, priority: 5, conditions: {domains: [contoso.com]}}\n"
        "    - {name: High, priority: 1, conditions: {groups: [Exec]}}\n");
    CHECK(selected(t, "ceo@contoso.com") == "High");
    CHECK(selected(t, "ann@contoso.com") == "Low");
}

TEST_CASE("selection: a disabled custom policy is skipped") {
    const Tenant t = tenant(
        "anti_phishing:\n  custom:\n"
        "    - {name: Off, priority: 0, enabled: false, conditions: {groups: [Exec]}}\n"
        "    - {name: On, priority: 1, conditions: {groups: [Exec]}}\n");
    const auto s = select_anti_phish_policy(t, "ceo@contoso.com");
    REQUIRE(s.policy != nullptr);
    CHECK(s.policy->name == "On");
    CHECK(s.checks[2].outcome == ScopeOutcome::disabled);
}

TEST_CASE("selection: Strict preset, then Standard, then custom, then default") {
    const std::string policies =
        "anti_phishing:\n"
        "  strict:\n    conditions: {groups: [Exec]}\n"
        "  standard:\n    conditions: {groups: [Sales]}\n"
        "  custom:\n"
        "    - {name: Custom, priority: 0, conditions: {domains: [contoso.com]}}\n";
    const Tenant t = tenant(policies);
    CHECK(selected(t, "bob@contoso.com") == "Strict Preset Security Policy");  // Exec and Sales
    CHECK(selected(t, "ann@contoso.com") == "Standard Preset Security Policy");
    CHECK(selected(t, "zed@contoso.com") == "Custom");
    CHECK(selected(t, "zed@fabrikam.com") == "Office365 AntiPhish Default");
    // The selected preset carries the recommended values.
    CHECK(select_anti_phish_policy(t, "bob@contoso.com").policy->settings.phish_threshold_level ==
          4);
}

TEST_CASE("selection: a turned-off preset is skipped") {
    const Tenant t = tenant(
        "anti_phishing:\n  strict:\n    enabled: false\n"
        "  standard: {}\n");
    const auto s = select_anti_phish_policy(t, "ann@contoso.com");
    CHECK(s.checks[0].outcome == ScopeOutcome::disabled);
    REQUIRE(s.policy != nullptr);
    CHECK(s.policy->kind == PolicyKind::standard_preset);
    CHECK(s.reason() ==
          "Standard Preset Security Policy (standard preset): the preset applies to all "
          "recipients");
}

TEST_CASE("selection: preset exceptions fall through to the next policy") {
    const Tenant t = tenant(
        "anti_phishing:\n  strict:\n    exceptions: {users: [ann@contoso.com]}\n"
        "  standard: {}\n");
    CHECK(selected(t, "ann@contoso.com") == "Standard Preset Security Policy");
    CHECK(selected(t, "bob@contoso.com") == "Strict Preset Security Policy");
}

TEST_CASE("selection: anti-spam selection is independent of anti-phishing") {
    const Tenant t = tenant(
        "anti_phishing:\n  strict:\n    conditions: {groups: [Exec]}\n"
        "anti_spam:\n  custom:\n"
        "    - {name: Spam Exec, priority: 0, based_on: strict, conditions: {groups: [Exec]}}\n");
    const auto phish = select_anti_phish_policy(t, "ceo@contoso.com");
    const auto spam = select_anti_spam_policy(t, "ceo@contoso.com");
    REQUIRE(phish.policy != nullptr);
    REQUIRE(spam.policy != nullptr);
    CHECK(phish.policy->kind == PolicyKind::strict_preset);
    CHECK(spam.policy->name == "Spam Exec");
    CHECK(spam.policy->settings.bulk_threshold == 5);
    CHECK(select_anti_spam_policy(t, "ann@contoso.com").policy == &t.anti_spam().default_policy);
}

TEST_CASE("selection: the pilot tenant of the corpus") {
    const Tenant t = Tenant::load(std::string{MV_SOURCE_DIR} + "/corpus/tenants/pilot.yaml");
    CHECK(select_anti_phish_policy(t, "megan.bowen@contoso.com").policy->name ==
          "MDOPilot AntiPhish Strict");
    CHECK(select_anti_phish_policy(t, "adele.vance@contoso.com").policy->name ==
          "MDOPilot AntiPhish Standard");
    CHECK(select_anti_phish_policy(t, "patti.fernandez@contoso.com").policy->kind ==
          PolicyKind::default_policy);
    CHECK(select_anti_spam_policy(t, "nestor.wilke@contoso.com").policy->settings.spam_action ==
          SpamFilterAction::quarantine);
}
