// Tenant file reading and validation (docs/tenant-file.md). Every check names the file,
// the line and the key path of the offending value.
#include <mailverdict/policy/tenant.hpp>

#include "policy/values.hpp"
#include "policy/yaml_reader.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <type_traits>

namespace mailverdict::policy {

using detail::Choice;
using detail::MapReader;
using detail::Value;

namespace {

constexpr std::size_t max_regex_length = 1024;
constexpr int max_regex_nesting = 32;

// Keys of an anti-phishing policy that carry settings (refused under a preset).
const std::vector<std::string_view> anti_phish_setting_keys = {
    "name", "priority", "based_on", "phish_threshold_level", "spoof", "safety_tips"};
// impersonation keys a preset may set (brief 5.1: presets can't be customized except the
// impersonation lists and trusted senders).
const std::vector<std::string_view> preset_impersonation_keys = {
    "users_to_protect", "domains_to_protect", "trusted_senders", "trusted_domains"};
const std::vector<std::string_view> anti_spam_setting_keys = {"name",
                                                              "priority",
                                                              "based_on",
                                                              "spam_action",
                                                              "high_confidence_spam_action",
                                                              "phish_action",
                                                              "high_confidence_phish_action",
                                                              "bulk_action",
                                                              "bulk_threshold",
                                                              "mark_as_spam_bulk_mail",
                                                              "add_x_header_value",
                                                              "modify_subject_value",
                                                              "redirect_to",
                                                              "quarantine_tags",
                                                              "quarantine_retention_period",
                                                              "allowed_senders",
                                                              "allowed_sender_domains",
                                                              "blocked_senders",
                                                              "blocked_sender_domains"};

bool contains(const std::vector<std::string_view>& keys, std::string_view key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// Nesting depth of groups in a regular expression (escapes and classes skipped). Bounds
// the recursion of std::regex's compiler.
int regex_nesting(std::string_view pattern) {
    int depth = 0;
    int deepest = 0;
    bool in_class = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\') {
            ++i;
        } else if (in_class) {
            in_class = c != ']';
        } else if (c == '[') {
            in_class = true;
        } else if (c == '(') {
            deepest = std::max(deepest, ++depth);
        } else if (c == ')') {
            --depth;
        }
    }
    return deepest;
}

const std::initializer_list<Choice<ImpersonationAction>> impersonation_actions = {
    {"NoAction", ImpersonationAction::no_action},
    {"MoveToJmf", ImpersonationAction::move_to_jmf},
    {"Quarantine", ImpersonationAction::quarantine},
    {"Redirect", ImpersonationAction::redirect},
    {"BccMessage", ImpersonationAction::bcc_message},
    {"Delete", ImpersonationAction::delete_message},
};

const std::initializer_list<Choice<PolicyLevel>> policy_levels = {
    {"default", PolicyLevel::default_policy},
    {"standard", PolicyLevel::standard},
    {"strict", PolicyLevel::strict},
};

const std::initializer_list<Choice<ListAction>> list_actions = {
    {"Allow", ListAction::allow},
    {"Block", ListAction::block},
};

const std::initializer_list<Choice<SpoofType>> spoof_types = {
    {"External", SpoofType::external},
    {"Internal", SpoofType::internal},
};

}  // namespace

// Fills a Tenant from the YAML tree. Friend of Tenant.
class TenantReader {
public:
    explicit TenantReader(std::string file) : yaml_(std::move(file)) {}

    Tenant read(std::string_view text) {
        const Value root_value = yaml_.load(text);
        MapReader root{yaml_, root_value};
        const auto version = root.take("version");
        const auto tenant = root.take("tenant");
        const auto accepted = root.take("accepted_domains");
        const auto routing = root.take("mail_routing");
        const auto groups = root.take("groups");
        const auto connectors = root.take("inbound_connectors");
        const auto rules = root.take("mail_flow_rules");
        const auto anti_phishing = root.take("anti_phishing");
        const auto anti_spam = root.take("anti_spam");
        const auto connection_filter = root.take("connection_filter");
        const auto tabl = root.take("tenant_allow_block_list");
        const auto spoof = root.take("spoof_intelligence");
        const auto sealers = root.take("trusted_arc_sealers");
        const auto advanced = root.take("advanced_delivery");
        const auto authentication = root.take("authentication");
        const auto upstream = root.take("upstream_signals");
        const auto simulator = root.take("simulator");
        root.finish();

        if (version) {
            (void)yaml_.integer(*version, 1, 1);
        }
        if (!tenant) {
            yaml_.fail(root.self(), "missing section 'tenant' (the tenant's name)");
        }
        read_tenant(*tenant);
        if (accepted) {
            read_accepted_domains(*accepted);
        }
        read_routing(routing);
        if (groups) {
            read_groups(*groups);
        }
        if (connectors) {
            read_connectors(*connectors);
        }
        if (rules) {
            read_rules(*rules);
        }
        read_anti_phishing(anti_phishing);
        read_anti_spam(anti_spam);
        if (connection_filter) {
            read_connection_filter(*connection_filter);
        }
        if (tabl) {
            read_tabl(*tabl);
        }
        if (spoof) {
            for (const auto& item : yaml_.list(*spoof)) {
                t_.spoof_intelligence_.push_back(read_spoof_pair(item, false));
            }
        }
        if (sealers) {
            t_.arc_sealers_ = domains(*sealers);
        }
        if (advanced) {
            read_advanced_delivery(*advanced);
        }
        if (authentication) {
            read_authentication(*authentication);
        }
        if (upstream) {
            read_upstream(*upstream);
        }
        if (simulator) {
            read_simulator(*simulator);
        }
        t_.source_ = yaml_.file();
        return std::move(t_);
    }

private:
    detail::YamlReader yaml_;
    Tenant t_;

    // ----- values -------------------------------------------------------------------

    std::string domain(const Value& value) {
        const std::string written = yaml_.text(value);
        auto normalized = detail::normalize_domain(written);
        if (!normalized) {
            yaml_.fail(value, "'" + written + "' is not a valid domain name");
        }
        return *normalized;
    }

    std::string address(const Value& value) {
        const std::string written = yaml_.text(value);
        auto normalized = detail::normalize_address(written);
        if (!normalized) {
            yaml_.fail(value, "'" + written + "' is not a valid email address");
        }
        return *normalized;
    }

    std::string host_pattern(const Value& value) {
        const std::string written = yaml_.text(value);
        auto normalized = detail::normalize_host_pattern(written);
        if (!normalized) {
            yaml_.fail(value, "'" + written + "' is not a host name or pattern (*.domain)");
        }
        return *normalized;
    }

    std::vector<std::string> domains(const Value& value) {
        std::vector<std::string> out;
        for (const auto& item : yaml_.list(value)) {
            out.push_back(domain(item));
        }
        return out;
    }

    std::vector<std::string> addresses(const Value& value) {
        std::vector<std::string> out;
        for (const auto& item : yaml_.list(value)) {
            out.push_back(address(item));
        }
        return out;
    }

    std::vector<std::string> texts(const Value& value) {
        std::vector<std::string> out;
        for (const auto& item : yaml_.list(value)) {
            out.push_back(yaml_.nonempty_text(item));
        }
        return out;
    }

    struct IpRules {
        bool ipv4_only = false;
        bool ipv6_only = false;
        unsigned min_prefix = 0;   // narrowest allowed width of a CIDR entry (IPv4)
        bool allow_ranges = true;  // a-b
    };

    std::vector<IpNetwork> ip_entries(const Value& value, const IpRules& rules) {
        std::vector<IpNetwork> out;
        for (const auto& item : yaml_.list(value)) {
            const std::string written = yaml_.text(item);
            if (!rules.allow_ranges && written.find('-') != std::string::npos) {
                yaml_.fail(item, "'" + written + "': address ranges (a-b) are not allowed here");
            }
            auto entry = detail::parse_ip_entry(written);
            if (!entry.error.empty()) {
                yaml_.fail(item, entry.error);
            }
            for (const auto& network : entry.networks) {
                if (rules.ipv4_only && !network.address.is_v4()) {
                    yaml_.fail(item, "'" + written + "': only IPv4 addresses are allowed here");
                }
                if (rules.ipv6_only && !network.address.is_v6()) {
                    yaml_.fail(item, "'" + written + "': only IPv6 addresses are allowed here");
                }
            }
            if (rules.min_prefix > 0 && written.find('/') != std::string::npos &&
                entry.networks.front().prefix < rules.min_prefix) {
                yaml_.fail(item, "'" + written + "': CIDR ranges wider than /" +
                                     std::to_string(rules.min_prefix) + " are not allowed here");
            }
            out.insert(out.end(), entry.networks.begin(), entry.networks.end());
        }
        return out;
    }

    std::string group_ref(const Value& value) {
        const std::string name = yaml_.nonempty_text(value);
        const Group* group = t_.group(name);
        if (group == nullptr) {
            yaml_.fail(value, "group '" + name + "' is not defined in 'groups'");
        }
        return group->name;
    }

    std::string connector_ref(const Value& value) {
        const std::string name = yaml_.nonempty_text(value);
        const InboundConnector* connector = t_.connector(name);
        if (connector == nullptr) {
            yaml_.fail(value, "connector '" + name + "' is not defined in 'inbound_connectors'");
        }
        return connector->name;
    }

    std::string accepted_domain_ref(const Value& value) {
        const std::string name = domain(value);
        if (t_.accepted_domain(name) == nullptr) {
            yaml_.fail(value, "'" + name + "' is not one of the tenant's accepted domains");
        }
        return name;
    }

    void check_limit(const Value& value, std::size_t count, std::size_t limit,
                     const std::string& what) {
        if (count > limit) {
            yaml_.fail(value, std::to_string(count) + " " + what + " (Microsoft's limit is " +
                                  std::to_string(limit) + ")");
        }
    }

    // ----- tenant, domains, routing, groups -------------------------------------------

    void read_tenant(const Value& value) {
        MapReader m{yaml_, value};
        t_.name_ = yaml_.nonempty_text(m.require("name"));
        if (auto v = m.take("license")) {
            t_.license_ = yaml_.choice<License>(*v, {{"eop", License::eop},
                                                     {"mdo_plan1", License::mdo_plan1},
                                                     {"mdo_plan2", License::mdo_plan2}});
        }
        m.finish();
    }

    void read_accepted_domains(const Value& value) {
        for (const auto& item : yaml_.list(value)) {
            AcceptedDomain accepted;
            std::optional<Value> name_value;
            if (yaml_.is_scalar(item)) {
                name_value = item;
            } else {
                MapReader m{yaml_, item};
                name_value = m.require("name");
                if (auto v = m.take("type")) {
                    accepted.type = yaml_.choice<AcceptedDomainType>(
                        *v, {{"Authoritative", AcceptedDomainType::authoritative},
                             {"InternalRelay", AcceptedDomainType::internal_relay}});
                }
                m.finish();
            }
            accepted.name = domain(*name_value);
            if (t_.accepted_domain(accepted.name) != nullptr) {
                yaml_.fail(*name_value, "accepted domain '" + accepted.name + "' listed twice");
            }
            t_.accepted_domains_.push_back(std::move(accepted));
        }
    }

    void read_routing(const std::optional<Value>& value) {
        t_.routing_.boundary_hosts = {"*.mail.protection.outlook.com"};
        if (!value) {
            return;
        }
        MapReader m{yaml_, *value};
        if (auto v = m.take("mx")) {
            t_.routing_.mx = yaml_.choice<MxTarget>(
                *v, {{"microsoft", MxTarget::microsoft}, {"third_party", MxTarget::third_party}});
        }
        if (auto v = m.take("mx_host")) {
            t_.routing_.mx_host = domain(*v);
        }
        if (auto v = m.take("boundary_hosts")) {
            t_.routing_.boundary_hosts.clear();
            for (const auto& item : yaml_.list(*v)) {
                t_.routing_.boundary_hosts.push_back(host_pattern(item));
            }
        }
        if (auto v = m.take("internal_hosts")) {
            MapReader hosts{yaml_, *v};
            if (auto s = hosts.take("host_suffixes")) {
                t_.routing_.internal_host_suffixes = domains(*s);
            }
            if (auto s = hosts.take("ip_ranges")) {
                t_.routing_.internal_networks = ip_entries(*s, {});
            }
            hosts.finish();
        }
        m.finish();
    }

    void read_groups(const Value& value) {
        MapReader m{yaml_, value};
        // Every key is a group name: take them all in file order.
        for (const auto& key : m.unclaimed()) {
            const std::string name = key.node.Scalar();
            const Value members_value = *m.take(name);
            if (t_.group(name) != nullptr) {
                yaml_.fail(key, "group '" + name + "' defined twice (names are case-insensitive)");
            }
            Group group;
            group.name = name;
            for (const auto& item : yaml_.list(members_value)) {
                if (yaml_.is_scalar(item) && yaml_.text(item).find('@') == std::string::npos &&
                    t_.group(yaml_.text(item)) != nullptr) {
                    yaml_.fail(item, "groups cannot contain groups ('" + yaml_.text(item) +
                                         "'): list the member addresses");
                }
                group.members.push_back(address(item));
            }
            t_.groups_.push_back(std::move(group));
        }
        m.finish();
    }

    // ----- connectors -----------------------------------------------------------------

    void read_connectors(const Value& value) {
        for (const auto& item : yaml_.list(value)) {
            MapReader m{yaml_, item};
            InboundConnector c;
            const Value name_value = m.require("name");
            c.name = yaml_.nonempty_text(name_value);
            if (t_.connector(c.name) != nullptr) {
                yaml_.fail(name_value, "connector '" + c.name + "' defined twice");
            }
            if (auto v = m.take("type")) {
                c.type =
                    yaml_.choice<ConnectorType>(*v, {{"Partner", ConnectorType::partner},
                                                     {"OnPremises", ConnectorType::on_premises}});
            }
            if (auto v = m.take("enabled")) {
                c.enabled = yaml_.boolean(*v);
            }
            if (auto v = m.take("sender_ip_addresses")) {
                c.sender_ip_addresses = ip_entries(*v, {});
            }
            if (auto v = m.take("sender_domains")) {
                for (const auto& d : yaml_.list(*v)) {
                    c.sender_domains.push_back(host_pattern(d));
                }
            }
            if (auto v = m.take("tls_sender_certificate_name")) {
                c.tls_sender_certificate_name = host_pattern(*v);
            }
            if (auto v = m.take("require_tls")) {
                c.require_tls = yaml_.boolean(*v);
            }
            const auto restrict_cert = m.take("restrict_domains_to_certificate");
            if (restrict_cert) {
                c.restrict_domains_to_certificate = yaml_.boolean(*restrict_cert);
            }
            const auto restrict_ip = m.take("restrict_domains_to_ip_addresses");
            if (restrict_ip) {
                c.restrict_domains_to_ip_addresses = yaml_.boolean(*restrict_ip);
            }
            const auto internal = m.take("treat_messages_as_internal");
            if (internal) {
                c.treat_messages_as_internal = yaml_.boolean(*internal);
            }
            if (auto v = m.take("enhanced_filtering")) {
                MapReader ef{yaml_, *v};
                if (auto s = ef.take("skip_ips")) {
                    c.enhanced_filtering.skip_ips = ip_entries(*s, {});
                }
                if (auto s = ef.take("skip_last_ip")) {
                    c.enhanced_filtering.skip_last_ip = yaml_.boolean(*s);
                }
                if (auto s = ef.take("users")) {
                    c.enhanced_filtering.users = addresses(*s);
                }
                ef.finish();
            }
            m.finish();
            // Set-InboundConnector rules (brief 13.3).
            if (c.sender_ip_addresses.empty() && c.tls_sender_certificate_name.empty()) {
                yaml_.fail(item, "connector '" + c.name +
                                     "' needs sender_ip_addresses or tls_sender_certificate_name "
                                     "to recognise its mail");
            }
            if (c.restrict_domains_to_certificate && c.tls_sender_certificate_name.empty()) {
                yaml_.fail(*restrict_cert,
                           "restrict_domains_to_certificate needs tls_sender_certificate_name");
            }
            if (c.restrict_domains_to_ip_addresses && c.sender_ip_addresses.empty()) {
                yaml_.fail(*restrict_ip,
                           "restrict_domains_to_ip_addresses needs sender_ip_addresses");
            }
            if (c.treat_messages_as_internal && c.type != ConnectorType::on_premises) {
                yaml_.fail(*internal,
                           "treat_messages_as_internal is only valid on OnPremises connectors");
            }
            t_.connectors_.push_back(std::move(c));
        }
    }

    // ----- mail flow rules ------------------------------------------------------------

    HeaderCondition read_header_condition(const Value& value) {
        MapReader m{yaml_, value};
        HeaderCondition h;
        const Value name_value = m.require("name");
        h.name = yaml_.text(name_value);
        if (!detail::valid_header_name(h.name)) {
            yaml_.fail(name_value, "'" + h.name + "' is not a valid header field name");
        }
        const auto contains_value = m.take("contains");
        const auto matches_value = m.take("matches");
        const auto exists_value = m.take("exists");
        m.finish();
        const int tests =
            (contains_value ? 1 : 0) + (matches_value ? 1 : 0) + (exists_value ? 1 : 0);
        if (tests != 1) {
            yaml_.fail(value, "a header condition needs exactly one of contains, matches, exists");
        }
        auto words = [&](const Value& v) {
            std::vector<Value> items;
            if (yaml_.is_scalar(v)) {
                items.push_back(v);
            } else {
                items = yaml_.list(v);
            }
            if (items.empty()) {
                yaml_.fail(v, "needs at least one value");
            }
            return items;
        };
        if (contains_value) {
            h.test = HeaderTest::contains;
            for (const auto& w : words(*contains_value)) {
                h.values.push_back(detail::lower(yaml_.nonempty_text(w)));
            }
        } else if (matches_value) {
            h.test = HeaderTest::matches;
            for (const auto& p : words(*matches_value)) {
                const std::string pattern = yaml_.nonempty_text(p);
                if (pattern.size() > max_regex_length) {
                    yaml_.fail(p, "pattern longer than " + std::to_string(max_regex_length) +
                                      " characters");
                }
                if (regex_nesting(pattern) > max_regex_nesting) {
                    yaml_.fail(
                        p, "pattern nests groups deeper than " + std::to_string(max_regex_nesting));
                }
                try {
                    h.patterns.emplace_back(
                        pattern, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
                } catch (const std::regex_error& error) {
                    yaml_.fail(p, "invalid regular expression '" + pattern + "': " + error.what());
                }
                h.values.push_back(pattern);
            }
        } else {
            h.test = HeaderTest::exists;
            if (!yaml_.boolean(*exists_value)) {
                yaml_.fail(*exists_value,
                           "exists can only be true (put the header under exceptions to "
                           "require it absent)");
            }
        }
        return h;
    }

    RuleConditions read_rule_conditions(const Value& value) {
        MapReader m{yaml_, value};
        RuleConditions c;
        if (auto v = m.take("sender_ip_ranges")) {
            c.sender_ip_ranges = ip_entries(*v, {});
        }
        if (auto v = m.take("headers")) {
            for (const auto& item : yaml_.list(*v)) {
                c.headers.push_back(read_header_condition(item));
            }
        }
        if (auto v = m.take("from_scope")) {
            c.from_scope = yaml_.choice<FromScope>(
                *v, {{"InOrganization", FromScope::in_organization},
                     {"NotInOrganization", FromScope::not_in_organization}});
        }
        if (auto v = m.take("from_connectors")) {
            for (const auto& item : yaml_.list(*v)) {
                c.from_connectors.push_back(connector_ref(item));
            }
        }
        if (auto v = m.take("sent_to_member_of")) {
            for (const auto& item : yaml_.list(*v)) {
                c.sent_to_member_of.push_back(group_ref(item));
            }
        }
        if (auto v = m.take("recipient_domain_is")) {
            c.recipient_domain_is = domains(*v);
        }
        if (auto v = m.take("sent_to")) {
            c.sent_to = addresses(*v);
        }
        if (auto v = m.take("sender_domain_is")) {
            c.sender_domain_is = domains(*v);
        }
        m.finish();
        return c;
    }

    void read_rules(const Value& value) {
        std::vector<std::pair<int, Value>> priorities;
        for (const auto& item : yaml_.list(value)) {
            MapReader m{yaml_, item};
            MailFlowRule rule;
            rule.line = item.line;
            const Value name_value = m.require("name");
            rule.name = yaml_.nonempty_text(name_value);
            for (const auto& other : t_.rules_) {
                if (detail::lower(other.name) == detail::lower(rule.name)) {
                    yaml_.fail(name_value, "mail flow rule '" + rule.name + "' defined twice");
                }
            }
            const Value priority_value = m.require("priority");
            rule.priority = yaml_.integer(priority_value, 0, 10'000);
            for (const auto& [p, where] : priorities) {
                if (p == rule.priority) {
                    yaml_.fail(priority_value, "priority " + std::to_string(p) +
                                                   " is already used by the rule on line " +
                                                   std::to_string(where.line));
                }
            }
            priorities.emplace_back(rule.priority, priority_value);
            if (auto v = m.take("enabled")) {
                rule.enabled = yaml_.boolean(*v);
            }
            if (auto v = m.take("mode")) {
                rule.mode =
                    yaml_.choice<RuleMode>(*v, {{"Enforce", RuleMode::enforce},
                                                {"Audit", RuleMode::audit},
                                                {"AuditAndNotify", RuleMode::audit_and_notify}});
            }
            if (auto v = m.take("conditions")) {
                rule.conditions = read_rule_conditions(*v);
            }
            if (auto v = m.take("exceptions")) {
                rule.exceptions = read_rule_conditions(*v);
            }
            const Value actions_value = m.require("actions");
            m.finish();
            read_rule_actions(actions_value, rule.actions);
            t_.rules_.push_back(std::move(rule));
        }
        std::stable_sort(t_.rules_.begin(), t_.rules_.end(),
                         [](const auto& a, const auto& b) { return a.priority < b.priority; });
    }

    void read_rule_actions(const Value& value, RuleActions& actions) {
        MapReader m{yaml_, value};
        const auto scl = m.take("set_scl");
        if (scl) {
            actions.set_scl = yaml_.integer(*scl, -1, 9);
        }
        if (auto v = m.take("bypass_spam_filtering")) {
            if (!yaml_.boolean(*v)) {
                yaml_.fail(*v, "bypass_spam_filtering can only be true (leave it out instead)");
            }
            if (actions.set_scl && *actions.set_scl != -1) {
                yaml_.fail(*v, "bypass_spam_filtering sets SCL -1 and conflicts with set_scl: " +
                                   std::to_string(*actions.set_scl));
            }
            actions.set_scl = -1;
        }
        if (auto v = m.take("stop_processing")) {
            actions.stop_processing = yaml_.boolean(*v);
        }
        if (auto v = m.take("set_headers")) {
            for (const auto& item : yaml_.list(*v)) {
                MapReader h{yaml_, item};
                HeaderValue header;
                const Value name_value = h.require("name");
                header.name = yaml_.text(name_value);
                if (!detail::valid_header_name(header.name)) {
                    yaml_.fail(name_value,
                               "'" + header.name + "' is not a valid header field name");
                }
                header.value = yaml_.text(h.require("value"));
                h.finish();
                actions.set_headers.push_back(std::move(header));
            }
        }
        m.finish();
        if (!actions.set_scl && actions.set_headers.empty() && !actions.stop_processing) {
            yaml_.fail(value,
                       "a mail flow rule needs an action (set_scl, bypass_spam_filtering, "
                       "set_headers or stop_processing)");
        }
    }

    // ----- threat policies ------------------------------------------------------------

    RecipientScope read_scope(const Value& value) {
        MapReader m{yaml_, value};
        RecipientScope scope;
        if (auto v = m.take("users")) {
            scope.users = addresses(*v);
        }
        if (auto v = m.take("groups")) {
            for (const auto& item : yaml_.list(*v)) {
                scope.groups.push_back(group_ref(item));
            }
        }
        if (auto v = m.take("domains")) {
            for (const auto& item : yaml_.list(*v)) {
                scope.domains.push_back(accepted_domain_ref(item));
            }
        }
        m.finish();
        return scope;
    }

    // Reads the parts every policy has; returns the unclaimed MapReader for settings.
    template <class Settings>
    void read_policy_frame(MapReader& m, ThreatPolicy<Settings>& policy,
                           std::vector<std::pair<int, int>>& priorities,
                           std::vector<std::string>& names) {
        policy.line = m.self().line;
        if (policy.kind == PolicyKind::custom) {
            const Value name_value = m.require("name");
            policy.name = yaml_.nonempty_text(name_value);
            const std::string key = detail::lower(policy.name);
            if (std::find(names.begin(), names.end(), key) != names.end()) {
                yaml_.fail(name_value, "policy '" + policy.name + "' defined twice");
            }
            names.push_back(key);
            const Value priority_value = m.require("priority");
            policy.priority = yaml_.integer(priority_value, 0, 10'000);
            for (const auto& [p, line] : priorities) {
                if (p == policy.priority) {
                    yaml_.fail(priority_value, "priority " + std::to_string(p) +
                                                   " is already used by the policy on line " +
                                                   std::to_string(line));
                }
            }
            priorities.emplace_back(policy.priority, m.self().line);
        }
        if (auto v = m.take("enabled")) {
            policy.enabled = yaml_.boolean(*v);
            if (policy.kind == PolicyKind::default_policy && !policy.enabled) {
                yaml_.fail(*v, "the default policy cannot be turned off (brief 4.1)");
            }
        }
        const auto conditions = m.take("conditions");
        const auto exceptions = m.take("exceptions");
        if (policy.kind == PolicyKind::default_policy) {
            if (conditions) {
                yaml_.fail(*conditions,
                           "the default policy applies to everyone and takes no "
                           "conditions");
            }
            if (exceptions) {
                yaml_.fail(*exceptions,
                           "the default policy applies to everyone and takes no "
                           "exceptions");
            }
        }
        if (conditions) {
            policy.conditions = read_scope(*conditions);
        }
        if (exceptions) {
            policy.exceptions = read_scope(*exceptions);
        }
        if (policy.kind == PolicyKind::custom && policy.conditions.empty()) {
            yaml_.fail(conditions ? *conditions : m.self(),
                       "a custom policy needs at least one recipient condition (users, groups "
                       "or domains)");
        }
    }

    // Refuses settings under a preset, with the service's reason.
    void refuse_preset_settings(const MapReader& m,
                                const std::vector<std::string_view>& setting_keys) {
        for (const auto& key : m.unclaimed()) {
            if (contains(setting_keys, key.node.Scalar())) {
                yaml_.fail(key,
                           "preset policies cannot be edited: they carry Microsoft's "
                           "recommended values (use a custom policy to change '" +
                               key.node.Scalar() + "')");
            }
        }
    }

    template <class Settings>
    ThreatPolicy<Settings> preset_frame(PolicyKind kind, PolicyLevel level, const char* name) {
        ThreatPolicy<Settings> policy;
        policy.kind = kind;
        policy.name = name;
        policy.enabled = false;
        if constexpr (std::is_same_v<Settings, AntiPhishSettings>) {
            policy.settings = recommended_anti_phish_settings(level);
        } else {
            policy.settings = recommended_anti_spam_settings(level);
        }
        return policy;
    }

    void read_anti_phishing(const std::optional<Value>& value) {
        auto& set = t_.anti_phish_;
        set.strict = preset_frame<AntiPhishSettings>(PolicyKind::strict_preset, PolicyLevel::strict,
                                                     "Strict Preset Security Policy");
        set.standard = preset_frame<AntiPhishSettings>(
            PolicyKind::standard_preset, PolicyLevel::standard, "Standard Preset Security Policy");
        set.default_policy.kind = PolicyKind::default_policy;
        set.default_policy.name = "Office365 AntiPhish Default";
        set.default_policy.settings = recommended_anti_phish_settings(PolicyLevel::default_policy);
        if (!value) {
            return;
        }
        MapReader m{yaml_, *value};
        std::vector<std::pair<int, int>> priorities;
        std::vector<std::string> names;
        if (auto v = m.take("strict")) {
            read_anti_phish_preset(*v, set.strict, priorities, names);
        }
        if (auto v = m.take("standard")) {
            read_anti_phish_preset(*v, set.standard, priorities, names);
        }
        if (auto v = m.take("custom")) {
            for (const auto& item : yaml_.list(*v)) {
                AntiPhishPolicy policy;
                policy.kind = PolicyKind::custom;
                MapReader p{yaml_, item};
                read_policy_frame(p, policy, priorities, names);
                read_anti_phish_settings(p, policy.settings);
                p.finish();
                set.custom.push_back(std::move(policy));
            }
            std::stable_sort(set.custom.begin(), set.custom.end(),
                             [](const auto& a, const auto& b) { return a.priority < b.priority; });
        }
        if (auto v = m.take("default")) {
            MapReader p{yaml_, *v};
            read_policy_frame(p, set.default_policy, priorities, names);
            read_anti_phish_settings(p, set.default_policy.settings);
            p.finish();
        }
        m.finish();
    }

    void read_anti_phish_preset(const Value& value, AntiPhishPolicy& policy,
                                std::vector<std::pair<int, int>>& priorities,
                                std::vector<std::string>& names) {
        MapReader m{yaml_, value};
        policy.enabled = true;  // listing a preset turns it on unless enabled: false
        read_policy_frame(m, policy, priorities, names);
        if (auto v = m.take("impersonation")) {
            MapReader imp{yaml_, *v};
            read_impersonation_lists(imp, policy.settings);
            for (const auto& key : imp.unclaimed()) {
                yaml_.fail(key,
                           "preset policies cannot be edited: only users_to_protect, "
                           "domains_to_protect, trusted_senders and trusted_domains may be "
                           "set on a preset ('" +
                               key.node.Scalar() + "' is Microsoft's recommended value)");
            }
            imp.finish();
        }
        refuse_preset_settings(m, anti_phish_setting_keys);
        m.finish();
    }

    // The impersonation lists (the only part of a preset an admin may change).
    void read_impersonation_lists(MapReader& m, AntiPhishSettings& s) {
        if (auto v = m.take("users_to_protect")) {
            s.targeted_users_to_protect.clear();
            const auto items = yaml_.list(*v);
            check_limit(*v, items.size(), max_targeted_users_to_protect, "protected users");
            for (const auto& item : items) {
                s.targeted_users_to_protect.push_back(read_protected_user(item));
            }
        }
        if (auto v = m.take("domains_to_protect")) {
            s.targeted_domains_to_protect = domains(*v);
            check_limit(*v, s.targeted_domains_to_protect.size(), max_targeted_domains_to_protect,
                        "protected domains");
        }
        const auto senders = m.take("trusted_senders");
        if (senders) {
            s.excluded_senders = addresses(*senders);
        }
        const auto trusted_domains = m.take("trusted_domains");
        if (trusted_domains) {
            s.excluded_domains = domains(*trusted_domains);
        }
        if (senders || trusted_domains) {
            check_limit(senders ? *senders : *trusted_domains,
                        s.excluded_senders.size() + s.excluded_domains.size(),
                        max_trusted_senders_and_domains, "trusted senders and domains");
        }
    }

    ProtectedUser read_protected_user(const Value& value) {
        ProtectedUser user;
        if (yaml_.is_scalar(value)) {
            // PowerShell form "DisplayName;Email".
            const std::string written = yaml_.text(value);
            const auto semicolon = written.find(';');
            if (semicolon == std::string::npos) {
                yaml_.fail(value, "'" + written +
                                      "': expected \"Display Name;address\" or a "
                                      "mapping with name and address");
            }
            user.display_name = written.substr(0, semicolon);
            Value address_value = value;
            address_value.node = YAML::Node(written.substr(semicolon + 1));
            user.address = address(address_value);
        } else {
            MapReader m{yaml_, value};
            user.display_name = yaml_.text(m.require("name"));
            user.address = address(m.require("address"));
            m.finish();
        }
        if (user.display_name.empty()) {
            yaml_.fail(value, "a protected user needs a display name");
        }
        return user;
    }

    // Actions that send a copy somewhere need recipients (New-AntiPhishPolicy).
    void check_action_recipients(const std::optional<Value>& action_value,
                                 ImpersonationAction action,
                                 const std::vector<std::string>& recipients,
                                 const std::string& recipients_key) {
        if ((action == ImpersonationAction::redirect ||
             action == ImpersonationAction::bcc_message) &&
            recipients.empty()) {
            yaml_.fail(*action_value, std::string{to_string(action)} + " needs " + recipients_key);
        }
    }

    void read_anti_phish_settings(MapReader& m, AntiPhishSettings& s) {
        if (auto v = m.take("based_on")) {
            s = recommended_anti_phish_settings(yaml_.choice<PolicyLevel>(*v, policy_levels));
        }
        if (auto v = m.take("phish_threshold_level")) {
            s.phish_threshold_level = yaml_.integer(*v, 1, 4);
        }
        if (auto v = m.take("spoof")) {
            MapReader sp{yaml_, *v};
            if (auto x = sp.take("spoof_intelligence")) {
                s.enable_spoof_intelligence = yaml_.boolean(*x);
            }
            if (auto x = sp.take("honor_dmarc_policy")) {
                s.honor_dmarc_policy = yaml_.boolean(*x);
            }
            if (auto x = sp.take("dmarc_quarantine_action")) {
                s.dmarc_quarantine_action = yaml_.choice<DmarcQuarantineAction>(
                    *x, {{"Quarantine", DmarcQuarantineAction::quarantine},
                         {"MoveToJmf", DmarcQuarantineAction::move_to_jmf}});
            }
            if (auto x = sp.take("dmarc_reject_action")) {
                s.dmarc_reject_action = yaml_.choice<DmarcRejectAction>(
                    *x, {{"Reject", DmarcRejectAction::reject},
                         {"Quarantine", DmarcRejectAction::quarantine}});
            }
            if (auto x = sp.take("authentication_fail_action")) {
                s.authentication_fail_action =
                    yaml_.choice<SpoofAction>(*x, {{"MoveToJmf", SpoofAction::move_to_jmf},
                                                   {"Quarantine", SpoofAction::quarantine}});
            }
            if (auto x = sp.take("quarantine_tag")) {
                s.spoof_quarantine_tag = yaml_.nonempty_text(*x);
            }
            if (auto x = sp.take("unauthenticated_sender")) {
                s.enable_unauthenticated_sender = yaml_.boolean(*x);
            }
            if (auto x = sp.take("via_tag")) {
                s.enable_via_tag = yaml_.boolean(*x);
            }
            sp.finish();
        }
        if (auto v = m.take("safety_tips")) {
            MapReader st{yaml_, *v};
            if (auto x = st.take("first_contact")) {
                s.enable_first_contact_safety_tips = yaml_.boolean(*x);
            }
            if (auto x = st.take("similar_users")) {
                s.enable_similar_users_safety_tips = yaml_.boolean(*x);
            }
            if (auto x = st.take("similar_domains")) {
                s.enable_similar_domains_safety_tips = yaml_.boolean(*x);
            }
            if (auto x = st.take("unusual_characters")) {
                s.enable_unusual_characters_safety_tips = yaml_.boolean(*x);
            }
            st.finish();
        }
        if (auto v = m.take("impersonation")) {
            MapReader imp{yaml_, *v};
            read_impersonation_lists(imp, s);
            if (auto x = imp.take("protect_users")) {
                s.enable_targeted_user_protection = yaml_.boolean(*x);
            }
            const auto user_action = imp.take("user_action");
            if (user_action) {
                s.targeted_user_protection_action =
                    yaml_.choice<ImpersonationAction>(*user_action, impersonation_actions);
            }
            if (auto x = imp.take("user_action_recipients")) {
                s.targeted_user_action_recipients = addresses(*x);
            }
            if (auto x = imp.take("user_quarantine_tag")) {
                s.targeted_user_quarantine_tag = yaml_.nonempty_text(*x);
            }
            if (auto x = imp.take("protect_organization_domains")) {
                s.enable_organization_domains_protection = yaml_.boolean(*x);
            }
            if (auto x = imp.take("protect_targeted_domains")) {
                s.enable_targeted_domains_protection = yaml_.boolean(*x);
            }
            const auto domain_action = imp.take("domain_action");
            if (domain_action) {
                s.targeted_domain_protection_action =
                    yaml_.choice<ImpersonationAction>(*domain_action, impersonation_actions);
            }
            if (auto x = imp.take("domain_action_recipients")) {
                s.targeted_domain_action_recipients = addresses(*x);
            }
            if (auto x = imp.take("domain_quarantine_tag")) {
                s.targeted_domain_quarantine_tag = yaml_.nonempty_text(*x);
            }
            if (auto x = imp.take("mailbox_intelligence")) {
                s.enable_mailbox_intelligence = yaml_.boolean(*x);
            }
            if (auto x = imp.take("mailbox_intelligence_protection")) {
                s.enable_mailbox_intelligence_protection = yaml_.boolean(*x);
            }
            const auto mi_action = imp.take("mailbox_intelligence_action");
            if (mi_action) {
                s.mailbox_intelligence_protection_action =
                    yaml_.choice<ImpersonationAction>(*mi_action, impersonation_actions);
            }
            if (auto x = imp.take("mailbox_intelligence_action_recipients")) {
                s.mailbox_intelligence_protection_action_recipients = addresses(*x);
            }
            if (auto x = imp.take("mailbox_intelligence_quarantine_tag")) {
                s.mailbox_intelligence_quarantine_tag = yaml_.nonempty_text(*x);
            }
            imp.finish();
            if (user_action) {
                check_action_recipients(user_action, s.targeted_user_protection_action,
                                        s.targeted_user_action_recipients,
                                        "user_action_recipients");
            }
            if (domain_action) {
                check_action_recipients(domain_action, s.targeted_domain_protection_action,
                                        s.targeted_domain_action_recipients,
                                        "domain_action_recipients");
            }
            if (mi_action) {
                check_action_recipients(mi_action, s.mailbox_intelligence_protection_action,
                                        s.mailbox_intelligence_protection_action_recipients,
                                        "mailbox_intelligence_action_recipients");
            }
        }
    }

    void read_anti_spam(const std::optional<Value>& value) {
        auto& set = t_.anti_spam_;
        set.strict = preset_frame<AntiSpamSettings>(PolicyKind::strict_preset, PolicyLevel::strict,
                                                    "Strict Preset Security Policy");
        set.standard = preset_frame<AntiSpamSettings>(
            PolicyKind::standard_preset, PolicyLevel::standard, "Standard Preset Security Policy");
        set.default_policy.kind = PolicyKind::default_policy;
        set.default_policy.name = "Default";
        set.default_policy.settings = recommended_anti_spam_settings(PolicyLevel::default_policy);
        if (!value) {
            return;
        }
        MapReader m{yaml_, *value};
        std::vector<std::pair<int, int>> priorities;
        std::vector<std::string> names;
        for (auto* preset : {&set.strict, &set.standard}) {
            const char* key = preset == &set.strict ? "strict" : "standard";
            if (auto v = m.take(key)) {
                MapReader p{yaml_, *v};
                preset->enabled = true;
                read_policy_frame(p, *preset, priorities, names);
                refuse_preset_settings(p, anti_spam_setting_keys);
                p.finish();
            }
        }
        if (auto v = m.take("custom")) {
            for (const auto& item : yaml_.list(*v)) {
                AntiSpamPolicy policy;
                policy.kind = PolicyKind::custom;
                MapReader p{yaml_, item};
                read_policy_frame(p, policy, priorities, names);
                read_anti_spam_settings(p, policy.settings);
                p.finish();
                set.custom.push_back(std::move(policy));
            }
            std::stable_sort(set.custom.begin(), set.custom.end(),
                             [](const auto& a, const auto& b) { return a.priority < b.priority; });
        }
        if (auto v = m.take("default")) {
            MapReader p{yaml_, *v};
            read_policy_frame(p, set.default_policy, priorities, names);
            read_anti_spam_settings(p, set.default_policy.settings);
            p.finish();
        }
        m.finish();
    }

    void read_anti_spam_settings(MapReader& m, AntiSpamSettings& s) {
        if (auto v = m.take("based_on")) {
            s = recommended_anti_spam_settings(yaml_.choice<PolicyLevel>(*v, policy_levels));
        }
        // Actions available per verdict (brief 4.8).
        using A = SpamFilterAction;
        const std::initializer_list<Choice<A>> common = {
            {"MoveToJmf", A::move_to_jmf},        {"AddXHeader", A::add_x_header},
            {"ModifySubject", A::modify_subject}, {"Redirect", A::redirect},
            {"Delete", A::delete_message},        {"Quarantine", A::quarantine}};
        const std::initializer_list<Choice<A>> bulk = {{"MoveToJmf", A::move_to_jmf},
                                                       {"AddXHeader", A::add_x_header},
                                                       {"ModifySubject", A::modify_subject},
                                                       {"Redirect", A::redirect},
                                                       {"Delete", A::delete_message},
                                                       {"Quarantine", A::quarantine},
                                                       {"NoAction", A::no_action}};
        const std::initializer_list<Choice<A>> high_confidence_phish = {
            {"Quarantine", A::quarantine}, {"Redirect", A::redirect}};
        std::vector<std::pair<Value, A>> actions;
        auto action = [&](const char* key, const std::initializer_list<Choice<A>>& choices,
                          A& target) {
            if (auto v = m.take(key)) {
                target = yaml_.choice<A>(*v, choices);
                actions.emplace_back(*v, target);
            }
        };
        action("spam_action", common, s.spam_action);
        action("high_confidence_spam_action", common, s.high_confidence_spam_action);
        action("phish_action", common, s.phish_spam_action);
        action("high_confidence_phish_action", high_confidence_phish,
               s.high_confidence_phish_action);
        action("bulk_action", bulk, s.bulk_spam_action);
        if (auto v = m.take("bulk_threshold")) {
            s.bulk_threshold = yaml_.integer(*v, 1, 9);
        }
        if (auto v = m.take("mark_as_spam_bulk_mail")) {
            s.mark_as_spam_bulk_mail = yaml_.boolean(*v);
        }
        if (auto v = m.take("add_x_header_value")) {
            s.add_x_header_value = yaml_.nonempty_text(*v);
        }
        if (auto v = m.take("modify_subject_value")) {
            s.modify_subject_value = yaml_.nonempty_text(*v);
        }
        if (auto v = m.take("redirect_to")) {
            s.redirect_to_recipients = addresses(*v);
        }
        if (auto v = m.take("quarantine_tags")) {
            MapReader q{yaml_, *v};
            auto tag = [&](const char* key, std::string& target) {
                if (auto x = q.take(key)) {
                    target = yaml_.nonempty_text(*x);
                }
            };
            tag("spam", s.spam_quarantine_tag);
            tag("high_confidence_spam", s.high_confidence_spam_quarantine_tag);
            tag("phish", s.phish_quarantine_tag);
            tag("high_confidence_phish", s.high_confidence_phish_quarantine_tag);
            tag("bulk", s.bulk_quarantine_tag);
            q.finish();
        }
        if (auto v = m.take("quarantine_retention_period")) {
            s.quarantine_retention_period = yaml_.integer(*v, 1, 30);
        }
        if (auto v = m.take("allowed_senders")) {
            s.allowed_senders = addresses(*v);
        }
        if (auto v = m.take("allowed_sender_domains")) {
            s.allowed_sender_domains = domains(*v);
        }
        if (auto v = m.take("blocked_senders")) {
            s.blocked_senders = addresses(*v);
        }
        if (auto v = m.take("blocked_sender_domains")) {
            s.blocked_sender_domains = domains(*v);
        }
        // Set-HostedContentFilterPolicy: the action's parameter must be given.
        for (const auto& [where, chosen] : actions) {
            if (chosen == A::add_x_header && s.add_x_header_value.empty()) {
                yaml_.fail(where, "AddXHeader needs add_x_header_value");
            }
            if (chosen == A::modify_subject && s.modify_subject_value.empty()) {
                yaml_.fail(where, "ModifySubject needs modify_subject_value");
            }
            if (chosen == A::redirect && s.redirect_to_recipients.empty()) {
                yaml_.fail(where, "Redirect needs redirect_to");
            }
        }
    }

    // ----- connection filter, TABL, spoof intelligence --------------------------------

    void read_connection_filter(const Value& value) {
        MapReader m{yaml_, value};
        // IPv4 only; single IP, range or CIDR /24../32 (brief 12.1).
        const IpRules rules{true, false, 24, true};
        if (auto v = m.take("ip_allow_list")) {
            t_.connection_filter_.ip_allow_list = ip_entries(*v, rules);
            check_limit(*v, yaml_.list(*v).size(), max_connection_filter_entries,
                        "IP Allow List entries");
        }
        if (auto v = m.take("ip_block_list")) {
            t_.connection_filter_.ip_block_list = ip_entries(*v, rules);
            check_limit(*v, yaml_.list(*v).size(), max_connection_filter_entries,
                        "IP Block List entries");
        }
        if (auto v = m.take("enable_safe_list")) {
            t_.connection_filter_.enable_safe_list = yaml_.boolean(*v);
        }
        m.finish();
    }

    void read_tabl(const Value& value) {
        MapReader m{yaml_, value};
        if (auto v = m.take("senders")) {
            SenderEntryLimits counts;
            for (const auto& item : yaml_.list(*v)) {
                t_.tabl_.senders.push_back(read_sender_entry(item));
                ++(t_.tabl_.senders.back().action == ListAction::allow ? counts.allow
                                                                       : counts.block);
            }
            const auto limits = sender_entry_limits(t_.license_);
            const std::string licence{to_string(t_.license_)};
            check_limit(*v, counts.allow, limits.allow, "allow entries for " + licence);
            check_limit(*v, counts.block, limits.block, "block entries for " + licence);
            check_limit(*v, counts.allow + counts.block, limits.total, "entries for " + licence);
        }
        if (auto v = m.take("spoofed_senders")) {
            const auto items = yaml_.list(*v);
            check_limit(*v, items.size(), max_spoofed_sender_entries, "spoofed sender entries");
            for (const auto& item : items) {
                t_.tabl_.spoofed_senders.push_back(read_spoof_pair(item, true));
            }
        }
        if (auto v = m.take("ip_blocks")) {
            t_.tabl_.ip_blocks = ip_entries(*v, IpRules{false, true, 0, false});
        }
        m.finish();
    }

    SenderEntry read_sender_entry(const Value& value) {
        MapReader m{yaml_, value};
        SenderEntry entry;
        entry.line = value.line;
        const Value v = m.require("value");
        const std::string written = yaml_.text(v);
        if (written.find('@') != std::string::npos) {
            entry.kind = SenderEntry::Kind::address;
            entry.value = address(v);
        } else if (written.starts_with("*.")) {
            entry.kind = SenderEntry::Kind::wildcard_domain;
            const std::string rest = written.substr(2);
            auto normalized = detail::normalize_domain(rest);
            if (!normalized && rest.find('.') == std::string::npos &&
                detail::normalize_domain(rest + ".example")) {
                normalized = detail::lower(rest);  // the *.TLD form (brief 7.1)
            }
            if (!normalized) {
                yaml_.fail(v, "'" + written + "' is not a valid domain name");
            }
            entry.value = *normalized;
        } else {
            entry.kind = SenderEntry::Kind::domain;
            entry.value = domain(v);
        }
        entry.action = yaml_.choice<ListAction>(m.require("action"), list_actions);
        if (auto x = m.take("expires")) {
            const std::string text = yaml_.text(*x);
            if (detail::lower(text) != "never") {
                entry.expires = detail::parse_date(text);
                if (!entry.expires) {
                    yaml_.fail(*x, "'" + text + "' is not a date (YYYY-MM-DD) or never");
                }
            }
        }
        if (auto x = m.take("notes")) {
            entry.notes = yaml_.text(*x);
        }
        m.finish();
        return entry;
    }

    SpoofPair read_spoof_pair(const Value& value, bool tabl) {
        MapReader m{yaml_, value};
        SpoofPair pair;
        pair.line = value.line;
        const Value user = m.require("spoofed_user");
        const std::string user_text = yaml_.text(user);
        if (user_text == "*") {
            if (!tabl) {
                yaml_.fail(user, "spoof intelligence entries name a domain, not '*'");
            }
            pair.spoofed_user = "*";
        } else if (user_text.find('@') != std::string::npos) {
            if (!tabl) {
                yaml_.fail(user, "spoof intelligence entries name a domain, not an address");
            }
            pair.spoofed_user = address(user);
        } else {
            pair.spoofed_user = domain(user);
        }
        const Value infra = m.require("sending_infrastructure");
        const std::string infra_text = yaml_.text(infra);
        if (infra_text == "*") {
            if (!tabl) {
                yaml_.fail(infra, "spoof intelligence entries name an infrastructure, not '*'");
            }
            if (pair.spoofed_user == "*") {
                yaml_.fail(infra, "the spoofed user and the infrastructure cannot both be '*'");
            }
            pair.infrastructure_domain = "*";
        } else if (infra_text.find('/') != std::string::npos ||
                   detail::parse_ip_entry(infra_text).error.empty()) {
            auto network = IpNetwork::parse(infra_text);
            if (!network || !network->address.is_v4() || network->prefix != 24 ||
                infra_text.find('/') == std::string::npos) {
                yaml_.fail(infra, "'" + infra_text +
                                      "': an IP infrastructure must be an IPv4 address with /24 "
                                      "(e.g. 192.0.2.10/24)");
            }
            pair.infrastructure_network = *network;
        } else {
            pair.infrastructure_domain = domain(infra);
        }
        if (auto x = m.take("spoof_type")) {
            pair.spoof_type = yaml_.choice<SpoofType>(*x, spoof_types);
        }
        pair.action = yaml_.choice<ListAction>(m.require("action"), list_actions);
        m.finish();
        return pair;
    }

    // ----- advanced delivery, authentication, upstream, simulator --------------------

    void read_advanced_delivery(const Value& value) {
        MapReader m{yaml_, value};
        if (auto v = m.take("secops_mailboxes")) {
            t_.advanced_delivery_.secops_mailboxes = addresses(*v);
        }
        if (auto v = m.take("phishing_simulation")) {
            MapReader p{yaml_, *v};
            auto& sim = t_.advanced_delivery_.phishing_simulation;
            const auto d = p.take("domains");
            if (d) {
                sim.domains = domains(*d);
                check_limit(*d, sim.domains.size(), max_simulation_domains, "simulation domains");
            }
            const auto ips = p.take("sending_ips");
            if (ips) {
                sim.sending_ips = ip_entries(*ips, IpRules{true, false, 0, true});
                check_limit(*ips, yaml_.list(*ips).size(), max_simulation_ips,
                            "simulation sending IPs");
            }
            if (auto u = p.take("simulation_urls")) {
                sim.simulation_urls = texts(*u);
                check_limit(*u, sim.simulation_urls.size(), max_simulation_urls, "simulation URLs");
            }
            p.finish();
            // At least one domain and one IP must match (brief 10): one without the other
            // never matches anything.
            if (sim.domains.empty() != sim.sending_ips.empty()) {
                yaml_.fail(*v, "a phishing simulation needs both domains and sending_ips");
            }
        }
        m.finish();
    }

    void read_authentication(const Value& value) {
        MapReader m{yaml_, value};
        if (auto v = m.take("trusted_authserv_ids")) {
            for (const auto& item : yaml_.list(*v)) {
                const std::string id = yaml_.nonempty_text(item);
                for (const char c : id) {
                    const auto u = static_cast<unsigned char>(c);
                    if (u <= 0x20 || u == 0x7f || c == ';' || c == '(' || c == ')') {
                        yaml_.fail(item, "'" + id + "' is not an authserv-id (RFC 8601 2.5)");
                    }
                }
                t_.auth_.trusted_authserv_ids.push_back(detail::lower(id));
            }
        }
        if (auto v = m.take("trust_microsoft_auth_results")) {
            t_.auth_.trust_microsoft_auth_results = yaml_.boolean(*v);
        }
        if (auto v = m.take("trust_own_arc")) {
            t_.auth_.trust_own_arc = yaml_.boolean(*v);
        }
        m.finish();
    }

    void read_upstream(const Value& value) {
        for (const auto& item : yaml_.list(value)) {
            MapReader m{yaml_, item};
            UpstreamSignal s;
            s.line = item.line;
            const Value header = m.require("header");
            s.header = yaml_.text(header);
            if (!detail::valid_header_name(s.header)) {
                yaml_.fail(header, "'" + s.header + "' is not a valid header field name");
            }
            const auto equals = m.take("equals");
            const auto contains_value = m.take("contains");
            const auto at_least = m.take("at_least");
            if ((equals ? 1 : 0) + (contains_value ? 1 : 0) + (at_least ? 1 : 0) != 1) {
                yaml_.fail(item,
                           "an upstream signal needs exactly one of equals, contains, "
                           "at_least");
            }
            if (equals) {
                s.test = SignalTest::equals;
                s.value = detail::lower(yaml_.nonempty_text(*equals));
            } else if (contains_value) {
                s.test = SignalTest::contains;
                s.value = detail::lower(yaml_.nonempty_text(*contains_value));
            } else {
                s.test = SignalTest::at_least;
                s.threshold = yaml_.number(*at_least);
            }
            s.verdict = yaml_.choice<UpstreamVerdict>(
                m.require("verdict"),
                {{"clean", UpstreamVerdict::clean},
                 {"bulk", UpstreamVerdict::bulk},
                 {"spam", UpstreamVerdict::spam},
                 {"high_confidence_spam", UpstreamVerdict::high_confidence_spam},
                 {"phish", UpstreamVerdict::phish},
                 {"high_confidence_phish", UpstreamVerdict::high_confidence_phish},
                 {"malware", UpstreamVerdict::malware}});
            const auto bcl = m.take("bcl");
            if (bcl) {
                if (s.verdict != UpstreamVerdict::bulk) {
                    yaml_.fail(*bcl, "bcl is only meaningful with verdict: bulk");
                }
                s.bcl = yaml_.integer(*bcl, 1, 9);
            } else if (s.verdict == UpstreamVerdict::bulk) {
                yaml_.fail(item, "verdict bulk needs bcl (1 to 9)");
            }
            m.finish();
            t_.upstream_.push_back(std::move(s));
        }
    }

    void read_simulator(const Value& value) {
        MapReader m{yaml_, value};
        auto& sim = t_.simulator_;
        if (auto v = m.take("bypass_scl")) {
            sim.bypass_scl = yaml_.integer(*v, -1, 1);
        }
        if (auto v = m.take("compauth_codes")) {
            MapReader c{yaml_, *v};
            auto code = [&](const char* key, int& target, int low, int high) {
                if (auto x = c.take(key)) {
                    target = yaml_.integer(*x, low, high);
                }
            };
            code("softpass", sim.compauth_codes.softpass, 200, 299);
            code("not_checked", sim.compauth_codes.not_checked, 300, 399);
            if (auto x = c.take("bypass")) {
                const int bypass = yaml_.integer(*x, 400, 999);
                if (bypass >= 500 && bypass < 900) {
                    yaml_.fail(*x, "bypass codes are 4xx or 9xx (brief 1.8)");
                }
                sim.compauth_codes.bypass = bypass;
            }
            code("intra_org", sim.compauth_codes.intra_org, 600, 699);
            c.finish();
        }
        if (auto v = m.take("dmarc_pct")) {
            MapReader p{yaml_, *v};
            if (auto x = p.take("mode")) {
                sim.dmarc_pct_mode =
                    yaml_.choice<DmarcPctMode>(*x, {{"message_hash", DmarcPctMode::message_hash},
                                                    {"always_apply", DmarcPctMode::always_apply},
                                                    {"never_apply", DmarcPctMode::never_apply}});
            }
            if (auto x = p.take("seed")) {
                sim.dmarc_pct_seed = yaml_.unsigned_integer(*x);
            }
            p.finish();
        }
        m.finish();
    }
};

Tenant Tenant::parse(std::string_view text, std::string_view name) {
    if (text.size() > max_file_bytes) {
        throw TenantError(std::string{name}, 0, "",
                          "file larger than " + std::to_string(max_file_bytes) + " bytes");
    }
    TenantReader reader{std::string{name}};
    return reader.read(text);
}

Tenant Tenant::load(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::ifstream in{path, std::ios::binary};
    if (!in) {
        throw TenantError(name, 0, "", "cannot open the tenant file");
    }
    std::string text;
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_file_bytes) {
            throw TenantError(name, 0, "",
                              "file larger than " + std::to_string(max_file_bytes) + " bytes");
        }
    }
    if (in.bad()) {
        throw TenantError(name, 0, "", "cannot read the tenant file");
    }
    return parse(text, name);
}

}  // namespace mailverdict::policy
