// Tenant: accessors, lookups, names of values and the small matching helpers.
#include <mailverdict/policy/tenant.hpp>

#include "policy/values.hpp"

#include <algorithm>
#include <charconv>

namespace mailverdict::policy {

namespace {

std::string make_what(const std::string& file, int line, const std::string& key,
                      const std::string& message) {
    std::string what = file;
    if (line > 0) {
        what += ":" + std::to_string(line);
    }
    what += ": ";
    if (!key.empty()) {
        what += key + ": ";
    }
    return what + message;
}

bool iequal(std::string_view a, std::string_view b) noexcept {
    return detail::lower(a) == detail::lower(b);
}

std::string_view domain_of(std::string_view address) {
    const auto at = address.rfind('@');
    return at == std::string_view::npos ? address : address.substr(at + 1);
}

bool is_subdomain_or_same(std::string_view domain, std::string_view parent) {
    if (domain == parent) {
        return true;
    }
    return domain.size() > parent.size() && domain.ends_with(parent) &&
           domain[domain.size() - parent.size() - 1] == '.';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                             text.back() == '\n')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace

TenantError::TenantError(std::string file, int line, std::string key, std::string message)
    : std::runtime_error(make_what(file, line, key, message)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)),
      message_(std::move(message)) {}

std::string_view to_string(License license) noexcept {
    switch (license) {
        case License::eop:
            return "eop";
        case License::mdo_plan1:
            return "mdo_plan1";
        case License::mdo_plan2:
            return "mdo_plan2";
    }
    return "";
}

std::string_view to_string(AcceptedDomainType type) noexcept {
    return type == AcceptedDomainType::authoritative ? "Authoritative" : "InternalRelay";
}

std::string_view to_string(MxTarget target) noexcept {
    return target == MxTarget::microsoft ? "microsoft" : "third_party";
}

std::string_view to_string(ConnectorType type) noexcept {
    return type == ConnectorType::partner ? "Partner" : "OnPremises";
}

std::string_view to_string(FromScope scope) noexcept {
    return scope == FromScope::in_organization ? "InOrganization" : "NotInOrganization";
}

std::string_view to_string(HeaderTest test) noexcept {
    switch (test) {
        case HeaderTest::contains:
            return "contains";
        case HeaderTest::matches:
            return "matches";
        case HeaderTest::exists:
            return "exists";
    }
    return "";
}

std::string_view to_string(RuleMode mode) noexcept {
    switch (mode) {
        case RuleMode::enforce:
            return "Enforce";
        case RuleMode::audit:
            return "Audit";
        case RuleMode::audit_and_notify:
            return "AuditAndNotify";
    }
    return "";
}

std::string_view to_string(PolicyKind kind) noexcept {
    switch (kind) {
        case PolicyKind::strict_preset:
            return "strict preset";
        case PolicyKind::standard_preset:
            return "standard preset";
        case PolicyKind::custom:
            return "custom";
        case PolicyKind::default_policy:
            return "default";
    }
    return "";
}

std::string_view to_string(PolicyLevel level) noexcept {
    switch (level) {
        case PolicyLevel::default_policy:
            return "default";
        case PolicyLevel::standard:
            return "standard";
        case PolicyLevel::strict:
            return "strict";
    }
    return "";
}

std::string_view to_string(SpoofAction action) noexcept {
    return action == SpoofAction::move_to_jmf ? "MoveToJmf" : "Quarantine";
}

std::string_view to_string(DmarcQuarantineAction action) noexcept {
    return action == DmarcQuarantineAction::quarantine ? "Quarantine" : "MoveToJmf";
}

std::string_view to_string(DmarcRejectAction action) noexcept {
    return action == DmarcRejectAction::reject ? "Reject" : "Quarantine";
}

std::string_view to_string(ImpersonationAction action) noexcept {
    switch (action) {
        case ImpersonationAction::no_action:
            return "NoAction";
        case ImpersonationAction::move_to_jmf:
            return "MoveToJmf";
        case ImpersonationAction::quarantine:
            return "Quarantine";
        case ImpersonationAction::redirect:
            return "Redirect";
        case ImpersonationAction::bcc_message:
            return "BccMessage";
        case ImpersonationAction::delete_message:
            return "Delete";
    }
    return "";
}

std::string_view to_string(SpamFilterAction action) noexcept {
    switch (action) {
        case SpamFilterAction::move_to_jmf:
            return "MoveToJmf";
        case SpamFilterAction::add_x_header:
            return "AddXHeader";
        case SpamFilterAction::modify_subject:
            return "ModifySubject";
        case SpamFilterAction::redirect:
            return "Redirect";
        case SpamFilterAction::delete_message:
            return "Delete";
        case SpamFilterAction::quarantine:
            return "Quarantine";
        case SpamFilterAction::no_action:
            return "NoAction";
    }
    return "";
}

std::string_view to_string(ListAction action) noexcept {
    return action == ListAction::allow ? "Allow" : "Block";
}

std::string_view to_string(SpoofType type) noexcept {
    return type == SpoofType::external ? "External" : "Internal";
}

std::string_view to_string(UpstreamVerdict verdict) noexcept {
    switch (verdict) {
        case UpstreamVerdict::clean:
            return "clean";
        case UpstreamVerdict::bulk:
            return "bulk";
        case UpstreamVerdict::spam:
            return "spam";
        case UpstreamVerdict::high_confidence_spam:
            return "high_confidence_spam";
        case UpstreamVerdict::phish:
            return "phish";
        case UpstreamVerdict::high_confidence_phish:
            return "high_confidence_phish";
        case UpstreamVerdict::malware:
            return "malware";
    }
    return "";
}

std::string_view to_string(SignalTest test) noexcept {
    switch (test) {
        case SignalTest::equals:
            return "equals";
        case SignalTest::contains:
            return "contains";
        case SignalTest::at_least:
            return "at_least";
    }
    return "";
}

std::string_view to_string(DmarcPctMode mode) noexcept {
    switch (mode) {
        case DmarcPctMode::message_hash:
            return "message_hash";
        case DmarcPctMode::always_apply:
            return "always_apply";
        case DmarcPctMode::never_apply:
            return "never_apply";
    }
    return "";
}

// Brief 7.3.
SenderEntryLimits sender_entry_limits(License license) noexcept {
    switch (license) {
        case License::eop:
            return {500, 500, 1000};
        case License::mdo_plan1:
            return {1000, 1000, 2000};
        case License::mdo_plan2:
            return {5000, 10000, 15000};
    }
    return {};
}

// ----- helpers on values ----------------------------------------------------------------

bool EnhancedFiltering::applies_to(const std::vector<std::string>& recipients) const {
    if (users.empty()) {
        return true;
    }
    return std::all_of(recipients.begin(), recipients.end(), [&](const std::string& r) {
        const std::string address = detail::lower(r);
        return std::find(users.begin(), users.end(), address) != users.end();
    });
}

bool InboundConnector::from_sender_ip(const boost::asio::ip::address& ip) const {
    return std::any_of(sender_ip_addresses.begin(), sender_ip_addresses.end(),
                       [&](const IpNetwork& n) { return n.contains(ip); });
}

bool HeaderCondition::matches_value(std::string_view value) const {
    switch (test) {
        case HeaderTest::exists:
            return true;
        case HeaderTest::contains: {
            const std::string haystack = detail::lower(value);
            return std::any_of(values.begin(), values.end(), [&](const std::string& word) {
                return haystack.find(word) != std::string::npos;
            });
        }
        case HeaderTest::matches:
            return std::any_of(patterns.begin(), patterns.end(), [&](const std::regex& re) {
                return std::regex_search(value.begin(), value.end(), re);
            });
    }
    return false;
}

bool RuleConditions::empty() const noexcept {
    return sender_ip_ranges.empty() && headers.empty() && !from_scope && from_connectors.empty() &&
           sent_to_member_of.empty() && recipient_domain_is.empty() && sent_to.empty() &&
           sender_domain_is.empty();
}

bool SenderEntry::matches(std::string_view address) const {
    const std::string lowered = detail::lower(address);
    const std::string_view domain = domain_of(lowered);
    switch (kind) {
        case Kind::address:
            return lowered == value;
        case Kind::domain:
            return domain == value;
        case Kind::wildcard_domain:
            return is_subdomain_or_same(domain, value);
    }
    return false;
}

bool SpoofPair::matches_user(std::string_view from_address) const {
    if (spoofed_user == "*") {
        return true;
    }
    const std::string lowered = detail::lower(from_address);
    if (spoofed_user.find('@') != std::string::npos) {
        return lowered == spoofed_user;
    }
    return domain_of(lowered) == spoofed_user;
}

bool SpoofPair::matches_infrastructure(
    std::string_view infrastructure,
    const std::optional<boost::asio::ip::address>& source_ip) const {
    if (infrastructure_network) {
        return source_ip && infrastructure_network->contains(*source_ip);
    }
    if (infrastructure_domain == "*") {
        return true;
    }
    return !infrastructure.empty() && detail::lower(infrastructure) == infrastructure_domain;
}

bool UpstreamSignal::matches_value(std::string_view field_value) const {
    const std::string_view trimmed = trim(field_value);
    switch (test) {
        case SignalTest::equals:
            return detail::lower(trimmed) == value;
        case SignalTest::contains:
            return detail::lower(trimmed).find(value) != std::string::npos;
        case SignalTest::at_least: {
            // The number at the start of the value ("5.3", "5.3 (required 5.0)", "+7").
            std::string_view number = trimmed;
            if (!number.empty() && number.front() == '+') {
                number.remove_prefix(1);
            }
            double parsed = 0;
            const auto [ptr, ec] =
                std::from_chars(number.data(), number.data() + number.size(), parsed);
            return ec == std::errc{} && ptr != number.data() && parsed >= threshold;
        }
    }
    return false;
}

// ----- Tenant ---------------------------------------------------------------------------

PresetPolicies Tenant::preset(PolicyLevel level) const noexcept {
    switch (level) {
        case PolicyLevel::strict:
            return {anti_phish_.strict, anti_spam_.strict};
        case PolicyLevel::standard:
            return {anti_phish_.standard, anti_spam_.standard};
        case PolicyLevel::default_policy:
            break;
    }
    return {anti_phish_.default_policy, anti_spam_.default_policy};
}

const Group* Tenant::group(std::string_view name) const noexcept {
    for (const auto& g : groups_) {
        if (iequal(g.name, name)) {
            return &g;
        }
    }
    return nullptr;
}

const InboundConnector* Tenant::connector(std::string_view name) const noexcept {
    for (const auto& c : connectors_) {
        if (iequal(c.name, name)) {
            return &c;
        }
    }
    return nullptr;
}

const AcceptedDomain* Tenant::accepted_domain(std::string_view domain,
                                              bool include_subdomains) const {
    std::string lowered = detail::lower(domain);
    if (!lowered.empty() && lowered.back() == '.') {
        lowered.pop_back();
    }
    const AcceptedDomain* best = nullptr;
    for (const auto& d : accepted_domains_) {
        if (d.name == lowered) {
            return &d;
        }
        if (include_subdomains && is_subdomain_or_same(lowered, d.name) &&
            (best == nullptr || d.name.size() > best->name.size())) {
            best = &d;
        }
    }
    return best;
}

bool Tenant::is_group_member(std::string_view group_name, std::string_view address) const {
    const Group* g = group(group_name);
    if (g == nullptr) {
        return false;
    }
    const std::string lowered = detail::lower(address);
    return std::find(g->members.begin(), g->members.end(), lowered) != g->members.end();
}

const InboundConnector* Tenant::connector_for_ip(const boost::asio::ip::address& ip) const {
    for (const auto& c : connectors_) {
        if (c.enabled && c.from_sender_ip(ip)) {
            return &c;
        }
    }
    return nullptr;
}

EnvelopeOptions Tenant::envelope_options(const InboundConnector* enhanced_filtering) const {
    EnvelopeOptions options;
    options.boundary_patterns = routing_.boundary_hosts;
    options.trusted_host_suffixes = routing_.internal_host_suffixes;
    options.trusted_networks = routing_.internal_networks;
    if (enhanced_filtering != nullptr) {
        options.skip_listed_networks = enhanced_filtering->enhanced_filtering.skip_ips;
        options.skip_last_ip = enhanced_filtering->enhanced_filtering.skip_last_ip;
    }
    return options;
}

}  // namespace mailverdict::policy
