// Tenant file validation: every kind of error names the file, the exact line and the key.
#include <mailverdict/policy/tenant.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>

using namespace mailverdict::policy;

namespace {

std::optional<TenantError> error_of(std::string_view text, std::string_view name = "t.yaml") {
    try {
        (void)Tenant::parse(text, name);
    } catch (const TenantError& error) {
        return error;
    }
    return std::nullopt;
}

// The parse fails at `line` on `key` with a message containing `fragment`.
void expect_error(std::string_view text, int line, std::string_view key,
                  std::string_view fragment) {
    const auto error = error_of(text);
    REQUIRE_MESSAGE(error.has_value(), "no error for:\n" << text);
    INFO("what(): " << std::string{error->what()});
    CHECK(error->file() == "t.yaml");
    CHECK(error->line() == line);
    CHECK(error->key() == key);
    CHECK(error->message().find(fragment) != std::string::npos);
}

// A tenant header: 4 lines, so a following section starts on line 5.
constexpr std::string_view head =
    "tenant: {name: Contoso}\n"
    "accepted_domains: [contoso.com]\n"
    "groups:\n"
    "  Pilot: [a@contoso.com, b@contoso.com]\n";

std::string with_head(std::string_view rest) {
    return std::string{head} + std::string{rest};
}

std::string repeated(std::string_view prefix, std::size_t count, std::string_view item_begin,
                     std::string_view item_end) {
    std::string text{prefix};
    for (std::size_t i = 0; i < count; ++i) {
        text += std::string{item_begin} + std::to_string(i) + std::string{item_end};
    }
    return text;
}

}  // namespace

TEST_CASE("tenant errors: what() is file:line: key: message, as in the brief's example") {
    const std::string text = with_head(
        "anti_phishing:\n"                              // 5
        "  custom:\n"                                   // 6
        "    - name: A\n"                               // 7
        "      priority: 0\n"                           // 8
        "      conditions: {groups: [Pilot]}\n"         // 9
        "    - name: B\n"                               // 10
        "      priority: 1\n"                           // 11
        "      conditions: {users: [a@contoso.com]}\n"  // 12
        "      impersonation:\n"                        // 13
        "        user_action: Quarentine\n");           // 14
    const auto error = error_of(text, "pilot.yaml");
    REQUIRE(error.has_value());
    CHECK(std::string{error->what()} ==
          "pilot.yaml:14: anti_phishing.custom[1].impersonation.user_action: unknown value "
          "'Quarentine' (expected one of: NoAction, MoveToJmf, Quarantine, Redirect, BccMessage, "
          "Delete)");
    CHECK(error->file() == "pilot.yaml");
    CHECK(error->line() == 14);
}

TEST_CASE("tenant errors: YAML syntax, empty file, version, missing tenant") {
    expect_error("tenant: {name: x}\ngroups: [a, b\n", 3, "", "YAML syntax error");
    const auto empty = error_of("");
    REQUIRE(empty.has_value());
    CHECK(empty->line() == 0);
    CHECK(std::string{empty->what()} ==
          "t.yaml: empty tenant file (expected a mapping of sections)");
    expect_error("- a\n- b\n", 1, "", "must be a mapping");
    expect_error("version: 2\ntenant: {name: x}\n", 1, "version", "out of range");
    expect_error("accepted_domains: [contoso.com]\n", 1, "", "missing section 'tenant'");
    expect_error("tenant: {license: eop}\n", 1, "tenant", "missing key 'name'");
    expect_error("tenant:\n  name: x\n  license: e5\n", 3, "tenant.license",
                 "unknown value 'e5' (expected one of: eop, mdo_plan1, mdo_plan2)");
}

TEST_CASE("tenant errors: unknown keys are errors, at every level") {
    expect_error("tenant: {name: x}\nanti_phising: {}\n", 2, "anti_phising",
                 "unknown key 'anti_phising' (expected one of: version, tenant,");
    expect_error(with_head("inbound_connectors:\n"
                           "  - name: Gw\n"
                           "    sender_ip_addresses: [192.0.2.1]\n"
                           "    enhanced_filtering:\n"
                           "      skip_ip: [192.0.2.1]\n"),
                 9, "inbound_connectors[0].enhanced_filtering.skip_ip",
                 "unknown key 'skip_ip' (expected one of: skip_ips, skip_last_ip, users)");
    expect_error(with_head("anti_spam:\n"
                           "  custom:\n"
                           "    - name: A\n"
                           "      priority: 0\n"
                           "      conditions: {groups: [Pilot]}\n"
                           "      spam_actoin: Quarantine\n"),
                 10, "anti_spam.custom[0].spam_actoin", "unknown key 'spam_actoin'");
}

TEST_CASE("tenant errors: duplicate keys") {
    expect_error("tenant: {name: x}\nmail_routing:\n  mx: microsoft\n  mx: third_party\n", 4,
                 "mail_routing.mx", "duplicate key 'mx' (first on line 3)");
}

TEST_CASE("tenant errors: wrong types") {
    expect_error("tenant: {name: x}\naccepted_domains: contoso.com\n", 2, "accepted_domains",
                 "expected a list, got 'contoso.com'");
    expect_error("tenant: [x]\n", 1, "tenant", "expected a mapping of keys, got a list");
    expect_error("tenant:\n  name: [a, b]\n", 2, "tenant.name", "expected a value, got a list");
    expect_error(with_head("inbound_connectors:\n"
                           "  - name: Gw\n"
                           "    sender_ip_addresses: [192.0.2.1]\n"
                           "    require_tls: yes\n"),
                 8, "inbound_connectors[0].require_tls", "expected true or false, got 'yes'");
    expect_error(with_head("anti_phishing:\n"
                           "  default:\n"
                           "    phish_threshold_level: 5\n"),
                 7, "anti_phishing.default.phish_threshold_level",
                 "value 5 is out of range (1 to 4)");
    expect_error(with_head("anti_spam:\n"
                           "  default:\n"
                           "    bulk_threshold: 6.5\n"),
                 7, "anti_spam.default.bulk_threshold", "expected a whole number, got '6.5'");
    expect_error("tenant:\n  name:\n", 2, "tenant.name", "expected a value, got nothing");
}

TEST_CASE("tenant errors: bad IP addresses and ranges") {
    expect_error(
        "tenant: {name: x}\n"
        "mail_routing:\n"
        "  internal_hosts:\n"
        "    ip_ranges: [10.0.0.0/8, 10.0.0.0/33]\n",
        4, "mail_routing.internal_hosts.ip_ranges[1]",
        "'10.0.0.0/33' is not an IP address, CIDR range");
    expect_error(with_head("inbound_connectors:\n"
                           "  - name: Gw\n"
                           "    sender_ip_addresses:\n"
                           "      - 192.0.2.1\n"
                           "      - 192.0.2.9-192.0.2.3\n"),
                 9, "inbound_connectors[0].sender_ip_addresses[1]",
                 "the first address is after the last");
    expect_error(with_head("mail_flow_rules:\n"
                           "  - name: R\n"
                           "    priority: 0\n"
                           "    conditions:\n"
                           "      sender_ip_ranges: [192.0.2.1-2001:db8::1]\n"
                           "    actions: {set_scl: -1}\n"),
                 9, "mail_flow_rules[0].conditions.sender_ip_ranges[0]", "mixes IPv4 and IPv6");
    expect_error(
        "tenant: {name: x}\n"
        "connection_filter:\n"
        "  ip_allow_list: [192.0.2.0/24, 10.0.0.0/16]\n",
        3, "connection_filter.ip_allow_list[1]", "wider than /24");
    expect_error(
        "tenant: {name: x}\n"
        "connection_filter:\n"
        "  ip_block_list: [\"2001:db8::1\"]\n",
        3, "connection_filter.ip_block_list[0]", "only IPv4");
    expect_error(
        "tenant: {name: x}\n"
        "tenant_allow_block_list:\n"
        "  ip_blocks: [192.0.2.1]\n",
        3, "tenant_allow_block_list.ip_blocks[0]", "only IPv6");
    expect_error(
        "tenant: {name: x}\n"
        "advanced_delivery:\n"
        "  phishing_simulation:\n"
        "    domains: [sim.example]\n"
        "    sending_ips: [\"2001:db8::5\"]\n",
        5, "advanced_delivery.phishing_simulation.sending_ips[0]", "only IPv4");
}

TEST_CASE("tenant errors: bad addresses and domains") {
    expect_error("tenant: {name: x}\naccepted_domains: [contoso.com, \"contoso com\"]\n", 2,
                 "accepted_domains[1]", "'contoso com' is not a valid domain name");
    expect_error("tenant: {name: x}\naccepted_domains: [localhost]\n", 2, "accepted_domains[0]",
                 "not a valid domain name");
    expect_error("tenant: {name: x}\ngroups:\n  G:\n    - a@contoso.com\n    - bob\n", 5,
                 "groups.G[1]", "'bob' is not a valid email address");
    expect_error("tenant: {name: x}\nadvanced_delivery:\n  secops_mailboxes: [\"a@@b.com\"]\n", 3,
                 "advanced_delivery.secops_mailboxes[0]", "not a valid email address");
    expect_error("tenant: {name: x}\ntrusted_arc_sealers: [-bad.example]\n", 2,
                 "trusted_arc_sealers[0]", "not a valid domain name");
    expect_error("tenant: {name: x}\nauthentication:\n  trusted_authserv_ids: [\"mx example\"]\n",
                 3, "authentication.trusted_authserv_ids[0]", "is not an authserv-id");
    expect_error(with_head("anti_phishing:\n"
                           "  custom:\n"
                           "    - name: A\n"
                           "      priority: 0\n"
                           "      conditions:\n"
                           "        domains: [fabrikam.com]\n"),
                 10, "anti_phishing.custom[0].conditions.domains[0]",
                 "'fabrikam.com' is not one of the tenant's accepted domains");
}

TEST_CASE("tenant errors: duplicate priorities and names") {
    expect_error(with_head("mail_flow_rules:\n"             // 5
                           "  - name: A\n"                  // 6
                           "    priority: 3\n"              // 7
                           "    actions: {set_scl: -1}\n"   // 8
                           "  - name: B\n"                  // 9
                           "    priority: 3\n"              // 10
                           "    actions: {set_scl: 0}\n"),  // 11
                 10, "mail_flow_rules[1].priority",
                 "priority 3 is already used by the rule on line 7");
    expect_error(with_head("mail_flow_rules:\n"
                           "  - name: A\n"
                           "    priority: 1\n"
                           "    actions: {set_scl: -1}\n"
                           "  - name: a\n"
                           "    priority: 2\n"
                           "    actions: {set_scl: 0}\n"),
                 9, "mail_flow_rules[1].name", "mail flow rule 'a' defined twice");
    expect_error(with_head("anti_phishing:\n"                       // 5
                           "  custom:\n"                            // 6
                           "    - name: A\n"                        // 7
                           "      priority: 0\n"                    // 8
                           "      conditions: {groups: [Pilot]}\n"  // 9
                           "    - name: B\n"                        // 10
                           "      priority: 0\n"                    // 11
                           "      conditions: {groups: [Pilot]}\n"),
                 11, "anti_phishing.custom[1].priority",
                 "priority 0 is already used by the policy on line 7");
    expect_error(with_head("anti_spam:\n"
                           "  custom:\n"
                           "    - name: A\n"
                           "      priority: 0\n"
                           "      conditions: {groups: [Pilot]}\n"
                           "    - name: A\n"
                           "      priority: 1\n"
                           "      conditions: {groups: [Pilot]}\n"),
                 10, "anti_spam.custom[1].name", "policy 'A' defined twice");
    expect_error("tenant: {name: x}\ngroups:\n  Sales: []\n  SALES: []\n", 4, "groups.SALES",
                 "group 'SALES' defined twice");
    expect_error("tenant: {name: x}\naccepted_domains: [contoso.com, Contoso.com.]\n", 2,
                 "accepted_domains[1]", "accepted domain 'contoso.com' listed twice");
    expect_error(
        "tenant: {name: x}\n"
        "inbound_connectors:\n"
        "  - {name: Gw, sender_ip_addresses: [192.0.2.1]}\n"
        "  - {name: gw, sender_ip_addresses: [192.0.2.2]}\n",
        4, "inbound_connectors[1].name", "connector 'gw' defined twice");
}

TEST_CASE("tenant errors: references to undefined groups and connectors") {
    expect_error(with_head("mail_flow_rules:\n"
                           "  - name: R\n"
                           "    priority: 0\n"
                           "    exceptions:\n"
                           "      sent_to_member_of: [Pilot, Pilots]\n"
                           "    actions: {set_scl: -1}\n"),
                 9, "mail_flow_rules[0].exceptions.sent_to_member_of[1]",
                 "group 'Pilots' is not defined in 'groups'");
    expect_error(with_head("mail_flow_rules:\n"
                           "  - name: R\n"
                           "    priority: 0\n"
                           "    conditions:\n"
                           "      from_connectors: [Gateway]\n"
                           "    actions: {set_scl: -1}\n"),
                 9, "mail_flow_rules[0].conditions.from_connectors[0]",
                 "connector 'Gateway' is not defined in 'inbound_connectors'");
    expect_error(with_head("anti_spam:\n"
                           "  strict:\n"
                           "    exceptions:\n"
                           "      groups: [Nobody]\n"),
                 8, "anti_spam.strict.exceptions.groups[0]", "group 'Nobody' is not defined");
    expect_error("tenant: {name: x}\ngroups:\n  A: [a@contoso.com]\n  B: [A]\n", 4, "groups.B[0]",
                 "groups cannot contain groups ('A')");
}

TEST_CASE("tenant errors: presets cannot be edited, as in the service") {
    expect_error(with_head("anti_phishing:\n"
                           "  strict:\n"
                           "    conditions: {groups: [Pilot]}\n"
                           "    spoof:\n"
                           "      authentication_fail_action: MoveToJmf\n"),
                 8, "anti_phishing.strict.spoof", "preset policies cannot be edited");
    expect_error(with_head("anti_phishing:\n"
                           "  standard:\n"
                           "    phish_threshold_level: 1\n"),
                 7, "anti_phishing.standard.phish_threshold_level",
                 "preset policies cannot be edited");
    expect_error(with_head("anti_phishing:\n"
                           "  standard:\n"
                           "    impersonation:\n"
                           "      users_to_protect: [\"Boss;boss@contoso.com\"]\n"
                           "      user_action: NoAction\n"),
                 9, "anti_phishing.standard.impersonation.user_action",
                 "preset policies cannot be edited: only users_to_protect");
    expect_error(with_head("anti_spam:\n"
                           "  strict:\n"
                           "    bulk_threshold: 7\n"),
                 7, "anti_spam.strict.bulk_threshold", "preset policies cannot be edited");
    expect_error(with_head("anti_spam:\n"
                           "  standard:\n"
                           "    based_on: default\n"),
                 7, "anti_spam.standard.based_on", "preset policies cannot be edited");
    // A key that is no setting at all is still reported as unknown.
    expect_error(with_head("anti_spam:\n"
                           "  standard:\n"
                           "    colour: blue\n"),
                 7, "anti_spam.standard.colour", "unknown key 'colour'");
}

TEST_CASE("tenant errors: policy scoping rules") {
    expect_error(with_head("anti_phishing:\n"
                           "  custom:\n"
                           "    - name: A\n"
                           "      priority: 0\n"
                           "      exceptions: {groups: [Pilot]}\n"),
                 7, "anti_phishing.custom[0]", "needs at least one recipient condition");
    expect_error(with_head("anti_phishing:\n"
                           "  custom:\n"
                           "    - name: A\n"
                           "      priority: 0\n"
                           "      conditions: {}\n"),
                 9, "anti_phishing.custom[0].conditions", "needs at least one recipient condition");
    expect_error(with_head("anti_spam:\n"
                           "  default:\n"
                           "    conditions: {groups: [Pilot]}\n"),
                 7, "anti_spam.default.conditions", "takes no conditions");
    expect_error(with_head("anti_phishing:\n"
                           "  default:\n"
                           "    enabled: false\n"),
                 7, "anti_phishing.default.enabled", "cannot be turned off");
    expect_error(with_head("anti_phishing:\n"
                           "  custom:\n"
                           "    - name: A\n"
                           "      conditions: {groups: [Pilot]}\n"),
                 7, "anti_phishing.custom[0]", "missing key 'priority'");
}

TEST_CASE("tenant errors: limits") {
    // TargetedUsersToProtect: 350 (brief 4.2).
    const std::string ok_users = repeated(
        "tenant: {name: x}\nanti_phishing:\n  default:\n    impersonation:\n"
        "      users_to_protect:\n",
        350, "        - \"User;u", "@contoso.com\"\n");
    CHECK(Tenant::parse(ok_users)
              .anti_phishing()
              .default_policy.settings.targeted_users_to_protect.size() == 350);
    const std::string many_users = repeated(
        "tenant: {name: x}\nanti_phishing:\n  default:\n    impersonation:\n"
        "      users_to_protect:\n",
        351, "        - \"User;u", "@contoso.com\"\n");
    expect_error(many_users, 5, "anti_phishing.default.impersonation.users_to_protect",
                 "351 protected users (Microsoft's limit is 350)");
    // TargetedDomainsToProtect: 50.
    const std::string many_domains = repeated(
        "tenant: {name: x}\nanti_phishing:\n  default:\n    impersonation:\n"
        "      domains_to_protect:\n",
        51, "        - d", ".example\n");
    expect_error(many_domains, 5, "anti_phishing.default.impersonation.domains_to_protect",
                 "51 protected domains (Microsoft's limit is 50)");
    // Tenant Allow/Block List, by licence (brief 7.3): EOP 500 allow.
    const std::string allows =
        repeated("tenant: {name: x, license: eop}\ntenant_allow_block_list:\n  senders:\n", 501,
                 "    - {action: Allow, value: s", "@partner.example}\n");
    expect_error(allows, 3, "tenant_allow_block_list.senders",
                 "501 allow entries for eop (Microsoft's limit is 500)");
    const std::string allows_p2 =
        repeated("tenant: {name: x}\ntenant_allow_block_list:\n  senders:\n", 501,
                 "    - {action: Allow, value: s", "@partner.example}\n");
    CHECK(Tenant::parse(allows_p2).allow_block_list().senders.size() == 501);
    // Spoofed senders: 1,024.
    const std::string spoofed =
        repeated("tenant: {name: x}\ntenant_allow_block_list:\n  spoofed_senders:\n", 1025,
                 "    - {action: Block, sending_infrastructure: bad.example, spoofed_user: d",
                 ".example}\n");
    expect_error(spoofed, 3, "tenant_allow_block_list.spoofed_senders",
                 "1025 spoofed sender entries (Microsoft's limit is 1024)");
    // Advanced delivery: 10 sending IPs (brief 10).
    const std::string ips = repeated(
        "tenant: {name: x}\nadvanced_delivery:\n  phishing_simulation:\n"
        "    domains: [sim.example]\n    sending_ips:\n",
        11, "      - 192.0.2.", "\n");
    expect_error(ips, 5, "advanced_delivery.phishing_simulation.sending_ips",
                 "11 simulation sending IPs (Microsoft's limit is 10)");
    // Input size is bounded before YAML parsing.
    const std::string huge(Tenant::max_file_bytes + 1, '#');
    const auto error = error_of(huge);
    REQUIRE(error.has_value());
    CHECK(error->line() == 0);
    CHECK(error->message().find("file larger than") != std::string::npos);
}

TEST_CASE("tenant errors: mail flow rules") {
    expect_error(with_head("mail_flow_rules:\n"
                           "  - name: R\n"
                           "    priority: 0\n"
                           "    conditions:\n"
                           "      headers:\n"
                           "        - name: X-Scan\n"
                           "          matches: \"([a-z]+\"\n"
                           "    actions: {set_scl: -1}\n"),
                 11, "mail_flow_rules[0].conditions.headers[0].matches",
                 "invalid regular expression '([a-z]+'");
    expect_error(with_head("mail_flow_rules:\n"
                           "  - name: R\n"
                           "    priority: 0\n"
                           "    conditions:\n"
                           "      headers:\n"
                           "        - name: X-Scan\n"
                           "          matches: [ok, \"" +
                           std::string(40, '(') + "a" + std::string(40, ')') +
                           "\"]\n"
                           "    actions: {set_scl: -1}\n"),
                 11, "mail_flow_rules[0].conditions.headers[0].matches[1]",
                 "nests groups deeper than 32");
    expect_error(with_head("mail_flow_rules:\n"
                           "  - name: R\n"
                           "    priority: 0\n"
                           "    conditions:\n"
                           "      headers:\n"
                           "        - name: X-Scan\n"
                           "          contains: ok\n"
                           "          exists: true\n"
                           "    actions: {set_scl: -1}\n"),
                 10, "mail_flow_rules[0].conditions.headers[0]",
                 "exactly one of contains, matches, exists");
    expect_error(with_head("mail_flow_rules:\n"
                           "  - name: R\n"
                           "    priority: 0\n"
                           "    conditions:\n"
                           "      headers:\n"
                           "        - name: \"X Scan:\"\n"
                           "          exists: true\n"
                           "    actions: {set_scl: -1}\n"),
                 10, "mail_flow_rules[0].conditions.headers[0].name",
                 "not a valid header field name");
    expect_error(with_head("mail_flow_rules:\n"
                           "  - name: R\n"
                           "    priority: 0\n"
                           "    actions: {}\n"),
                 8, "mail_flow_rules[0].actions", "needs an action");
    expect_error(with_head("mail_flow_rules:\n"
                           "  - name: R\n"
                           "    priority: 0\n"
                           "    actions:\n"
                           "      set_scl: 10\n"),
                 9, "mail_flow_rules[0].actions.set_scl", "out of range (-1 to 9)");
    expect_error(with_head("mail_flow_rules:\n"
                           "  - name: R\n"
                           "    priority: 0\n"
                           "    actions:\n"
                           "      set_scl: 5\n"
                           "      bypass_spam_filtering: true\n"),
                 10, "mail_flow_rules[0].actions.bypass_spam_filtering",
                 "conflicts with set_scl: 5");
    expect_error(with_head("mail_flow_rules:\n"
                           "  - name: R\n"
                           "    priority: 0\n"
                           "    mode: Test\n"
                           "    actions: {set_scl: 1}\n"),
                 8, "mail_flow_rules[0].mode",
                 "unknown value 'Test' (expected one of: Enforce, Audit, AuditAndNotify)");
    expect_error(with_head("mail_flow_rules:\n"
                           "  - name: R\n"
                           "    priority: 0\n"
                           "    conditions: {from_scope: Outside}\n"
                           "    actions: {set_scl: 1}\n"),
                 8, "mail_flow_rules[0].conditions.from_scope",
                 "(expected one of: InOrganization, NotInOrganization)");
}

TEST_CASE("tenant errors: connectors") {
    expect_error(
        "tenant: {name: x}\n"
        "inbound_connectors:\n"
        "  - name: Gw\n"
        "    type: Partner\n",
        3, "inbound_connectors[0]", "needs sender_ip_addresses or tls_sender_certificate_name");
    expect_error(
        "tenant: {name: x}\n"
        "inbound_connectors:\n"
        "  - name: Gw\n"
        "    sender_ip_addresses: [192.0.2.1]\n"
        "    treat_messages_as_internal: true\n",
        5, "inbound_connectors[0].treat_messages_as_internal",
        "only valid on OnPremises connectors");
    expect_error(
        "tenant: {name: x}\n"
        "inbound_connectors:\n"
        "  - name: Gw\n"
        "    sender_ip_addresses: [192.0.2.1]\n"
        "    restrict_domains_to_certificate: true\n",
        5, "inbound_connectors[0].restrict_domains_to_certificate",
        "needs tls_sender_certificate_name");
    expect_error(
        "tenant: {name: x}\n"
        "inbound_connectors:\n"
        "  - name: Gw\n"
        "    tls_sender_certificate_name: gw.example.net\n"
        "    restrict_domains_to_ip_addresses: true\n",
        5, "inbound_connectors[0].restrict_domains_to_ip_addresses", "needs sender_ip_addresses");
    expect_error(
        "tenant: {name: x}\n"
        "inbound_connectors:\n"
        "  - name: Gw\n"
        "    type: Parnter\n"
        "    sender_ip_addresses: [192.0.2.1]\n",
        4, "inbound_connectors[0].type",
        "unknown value 'Parnter' (expected one of: Partner, OnPremises)");
}

TEST_CASE("tenant errors: actions allowed per setting") {
    // High confidence phishing: Quarantine or Redirect only (brief 4.8).
    expect_error(with_head("anti_spam:\n"
                           "  default:\n"
                           "    high_confidence_phish_action: MoveToJmf\n"),
                 7, "anti_spam.default.high_confidence_phish_action",
                 "unknown value 'MoveToJmf' (expected one of: Quarantine, Redirect)");
    // NoAction only for bulk.
    expect_error(with_head("anti_spam:\n"
                           "  default:\n"
                           "    spam_action: NoAction\n"),
                 7, "anti_spam.default.spam_action", "unknown value 'NoAction'");
    CHECK(Tenant::parse(with_head("anti_spam:\n  default:\n    bulk_action: noaction\n"))
              .anti_spam()
              .default_policy.settings.bulk_spam_action == SpamFilterAction::no_action);
    expect_error(with_head("anti_spam:\n"
                           "  default:\n"
                           "    phish_action: AddXHeader\n"),
                 7, "anti_spam.default.phish_action", "AddXHeader needs add_x_header_value");
    expect_error(with_head("anti_spam:\n"
                           "  default:\n"
                           "    bulk_action: Redirect\n"),
                 7, "anti_spam.default.bulk_action", "Redirect needs redirect_to");
    expect_error(with_head("anti_spam:\n"
                           "  default:\n"
                           "    spam_action: ModifySubject\n"),
                 7, "anti_spam.default.spam_action", "ModifySubject needs modify_subject_value");
    expect_error(with_head("anti_phishing:\n"
                           "  default:\n"
                           "    impersonation:\n"
                           "      domain_action: BccMessage\n"),
                 8, "anti_phishing.default.impersonation.domain_action",
                 "BccMessage needs domain_action_recipients");
    expect_error(with_head("anti_phishing:\n"
                           "  default:\n"
                           "    spoof:\n"
                           "      dmarc_reject_action: MoveToJmf\n"),
                 8, "anti_phishing.default.spoof.dmarc_reject_action",
                 "(expected one of: Reject, Quarantine)");
    expect_error(with_head("anti_phishing:\n"
                           "  default:\n"
                           "    spoof:\n"
                           "      authentication_fail_action: Delete\n"),
                 8, "anti_phishing.default.spoof.authentication_fail_action",
                 "(expected one of: MoveToJmf, Quarantine)");
    expect_error(with_head("anti_phishing:\n"
                           "  default:\n"
                           "    impersonation:\n"
                           "      users_to_protect: [boss@contoso.com]\n"),
                 8, "anti_phishing.default.impersonation.users_to_protect[0]",
                 "expected \"Display Name;address\"");
}

TEST_CASE("tenant errors: allow/block list and spoof intelligence entries") {
    expect_error(
        "tenant: {name: x}\n"
        "tenant_allow_block_list:\n"
        "  spoofed_senders:\n"
        "    - spoofed_user: \"*\"\n"
        "      sending_infrastructure: \"*\"\n"
        "      action: Allow\n",
        5, "tenant_allow_block_list.spoofed_senders[0].sending_infrastructure",
        "cannot both be '*'");
    expect_error(
        "tenant: {name: x}\n"
        "tenant_allow_block_list:\n"
        "  spoofed_senders:\n"
        "    - spoofed_user: contoso.com\n"
        "      sending_infrastructure: 192.0.2.0/23\n"
        "      action: Allow\n",
        5, "tenant_allow_block_list.spoofed_senders[0].sending_infrastructure",
        "must be an IPv4 address with /24");
    expect_error(
        "tenant: {name: x}\n"
        "tenant_allow_block_list:\n"
        "  spoofed_senders:\n"
        "    - spoofed_user: contoso.com\n"
        "      sending_infrastructure: 192.0.2.1\n"
        "      action: Allow\n",
        5, "tenant_allow_block_list.spoofed_senders[0].sending_infrastructure",
        "must be an IPv4 address with /24");
    expect_error(
        "tenant: {name: x}\n"
        "tenant_allow_block_list:\n"
        "  senders:\n"
        "    - value: bad.example\n"
        "      action: Block\n"
        "      expires: 2025-02-30\n",
        6, "tenant_allow_block_list.senders[0].expires",
        "'2025-02-30' is not a date (YYYY-MM-DD) or never");
    expect_error(
        "tenant: {name: x}\n"
        "tenant_allow_block_list:\n"
        "  senders:\n"
        "    - value: bad.example\n"
        "      action: Deny\n",
        5, "tenant_allow_block_list.senders[0].action",
        "unknown value 'Deny' (expected one of: Allow, Block)");
    expect_error(
        "tenant: {name: x}\n"
        "spoof_intelligence:\n"
        "  - spoofed_user: \"*\"\n"
        "    sending_infrastructure: bad.example\n"
        "    action: Block\n",
        3, "spoof_intelligence[0].spoofed_user", "name a domain, not '*'");
    expect_error(
        "tenant: {name: x}\n"
        "spoof_intelligence:\n"
        "  - spoofed_user: contoso.com\n"
        "    sending_infrastructure: bad.example\n"
        "    spoof_type: Foreign\n"
        "    action: Block\n",
        5, "spoof_intelligence[0].spoof_type", "(expected one of: External, Internal)");
    expect_error(
        "tenant: {name: x}\n"
        "spoof_intelligence:\n"
        "  - spoofed_user: contoso.com\n"
        "    action: Block\n",
        3, "spoof_intelligence[0]", "missing key 'sending_infrastructure'");
}

TEST_CASE("tenant errors: advanced delivery, upstream signals, simulator") {
    expect_error(
        "tenant: {name: x}\n"
        "advanced_delivery:\n"
        "  phishing_simulation:\n"
        "    domains: [sim.example]\n",
        3, "advanced_delivery.phishing_simulation", "needs both domains and sending_ips");
    expect_error(
        "tenant: {name: x}\n"
        "upstream_signals:\n"
        "  - header: X-Bulk\n"
        "    contains: bulk\n"
        "    verdict: bulk\n",
        3, "upstream_signals[0]", "verdict bulk needs bcl");
    expect_error(
        "tenant: {name: x}\n"
        "upstream_signals:\n"
        "  - header: X-Spam-Flag\n"
        "    equals: \"YES\"\n"
        "    verdict: spam\n"
        "    bcl: 5\n",
        6, "upstream_signals[0].bcl", "only meaningful with verdict: bulk");
    expect_error(
        "tenant: {name: x}\n"
        "upstream_signals:\n"
        "  - header: X-Spam-Score\n"
        "    at_least: five\n"
        "    verdict: spam\n",
        4, "upstream_signals[0].at_least", "expected a number, got 'five'");
    expect_error(
        "tenant: {name: x}\n"
        "upstream_signals:\n"
        "  - header: X-Spam-Score\n"
        "    at_least: 5\n"
        "    equals: \"5\"\n"
        "    verdict: spam\n",
        3, "upstream_signals[0]", "exactly one of equals, contains, at_least");
    expect_error(
        "tenant: {name: x}\n"
        "upstream_signals:\n"
        "  - header: X-Spam-Score\n"
        "    at_least: 5\n"
        "    verdict: spammy\n",
        5, "upstream_signals[0].verdict",
        "(expected one of: clean, bulk, spam, high_confidence_spam, phish, "
        "high_confidence_phish, malware)");
    expect_error("tenant: {name: x}\nsimulator:\n  bypass_scl: 5\n", 3, "simulator.bypass_scl",
                 "out of range (-1 to 1)");
    expect_error("tenant: {name: x}\nsimulator:\n  compauth_codes:\n    bypass: 500\n", 4,
                 "simulator.compauth_codes.bypass", "4xx or 9xx");
    expect_error("tenant: {name: x}\nsimulator:\n  compauth_codes:\n    softpass: 101\n", 4,
                 "simulator.compauth_codes.softpass", "out of range (200 to 299)");
    expect_error("tenant: {name: x}\nsimulator:\n  dmarc_pct: {mode: random}\n", 3,
                 "simulator.dmarc_pct.mode",
                 "(expected one of: message_hash, always_apply, never_apply)");
}

TEST_CASE("tenant errors: load() names the path") {
    const auto path = std::string{MV_SOURCE_DIR} + "/tests/policy/data/no-such-file.yaml";
    try {
        (void)Tenant::load(path);
        FAIL("expected a TenantError");
    } catch (const TenantError& error) {
        CHECK(error.file() == path);
        CHECK(error.line() == 0);
        CHECK(std::string{error.what()}.find("cannot open") != std::string::npos);
    }
    try {
        (void)Tenant::load(std::string{MV_SOURCE_DIR} + "/tests/policy/data/bad-line.yaml");
        FAIL("expected a TenantError");
    } catch (const TenantError& error) {
        CHECK(error.line() == 8);
        CHECK(error.key() == "inbound_connectors[0].enhanced_filtering.skip_ips[1]");
        CHECK(std::string{error.what()}.find("bad-line.yaml:8: ") != std::string::npos);
    }
}
