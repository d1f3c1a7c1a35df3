// The tenant's configuration: what an Exchange Online / Defender for Office 365 tenant has
// set up, loaded from one YAML file (docs/tenant-file.md) and validated on load.
//
// Everything here is plain data, precomputed for the verdict engine (lower-cased domains
// and addresses, parsed IP networks, compiled regular expressions). Section numbers in the
// comments refer to the team brief ../shared/brief/mdo-behaviour.md; setting names are
// the PowerShell parameter names of the Microsoft cmdlets they mirror.
//
// Unusable configuration is an exception (TenantError, naming file, line and key), as the
// architecture says for configuration; nothing else in this header throws.
#pragma once

#include <mailverdict/message/network.hpp>
#include <mailverdict/message/received.hpp>

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::policy {

// ---------------------------------------------------------------------------------------
// Errors

// A tenant file that cannot be used. what() is "file:line: key: message", e.g.
// "pilot.yaml:42: anti_phishing.custom[1].impersonation.user_action: unknown value
// 'Quarentine' (expected one of: NoAction, MoveToJmf, Quarantine, Redirect, BccMessage,
// Delete)". line is 1-based, 0 when no line applies (file unreadable, empty document).
class TenantError : public std::runtime_error {
public:
    TenantError(std::string file, int line, std::string key, std::string message);
    [[nodiscard]] const std::string& file() const noexcept { return file_; }
    [[nodiscard]] int line() const noexcept { return line_; }
    [[nodiscard]] const std::string& key() const noexcept { return key_; }
    [[nodiscard]] const std::string& message() const noexcept { return message_; }

private:
    std::string file_;
    int line_ = 0;
    std::string key_;
    std::string message_;
};

// ---------------------------------------------------------------------------------------
// Tenant, domains, routing

// Licence of the tenant: decides the Tenant Allow/Block List limits (brief 7.3).
enum class License : std::uint8_t { eop, mdo_plan1, mdo_plan2 };
std::string_view to_string(License license) noexcept;

// Set-AcceptedDomain -DomainType (Authoritative, InternalRelay).
enum class AcceptedDomainType : std::uint8_t { authoritative, internal_relay };
std::string_view to_string(AcceptedDomainType type) noexcept;

struct AcceptedDomain {
    std::string name;  // lower-case A-label
    AcceptedDomainType type = AcceptedDomainType::authoritative;
};

// Where the domains' MX records point: needed for Honor DMARC (2.3), secure by default's
// complex-routing exception (6.1) and advanced delivery (10).
enum class MxTarget : std::uint8_t { microsoft, third_party };
std::string_view to_string(MxTarget target) noexcept;

struct MailRouting {
    MxTarget mx = MxTarget::microsoft;
    std::string mx_host;  // informational: the third-party gateway's host name
    // Host patterns matched against the `by` of Received fields: the topmost match is
    // where mail entered the service (brief 16). Default "*.mail.protection.outlook.com".
    std::vector<std::string> boundary_hosts;
    // Hosts inside the organization, skipped when looking for the client (lower-case).
    std::vector<std::string> internal_host_suffixes;
    std::vector<IpNetwork> internal_networks;
};

// ---------------------------------------------------------------------------------------
// Inbound connectors (New-InboundConnector / Set-InboundConnector, brief 9 and 13.3)

enum class ConnectorType : std::uint8_t { partner, on_premises };
std::string_view to_string(ConnectorType type) noexcept;  // "Partner", "OnPremises"

// Enhanced Filtering for Connectors (skip listing), brief 9.
struct EnhancedFiltering {
    std::vector<IpNetwork> skip_ips;  // EFSkipIPs (ranges a-b stored as CIDR blocks)
    bool skip_last_ip = false;        // EFSkipLastIP
    std::vector<std::string> users;   // EFUsers (lower-case); empty = every recipient

    // EF is on when EFSkipLastIP is set or EFSkipIPs is not empty (brief 9).
    [[nodiscard]] bool enabled() const noexcept { return skip_last_ip || !skip_ips.empty(); }
    // EF applies to a message only when every recipient is listed in EFUsers (or EFUsers
    // is empty); one unlisted recipient means normal filtering for all (brief 9).
    [[nodiscard]] bool applies_to(const std::vector<std::string>& recipients) const;
};

struct InboundConnector {
    std::string name;
    ConnectorType type = ConnectorType::partner;    // ConnectorType
    bool enabled = true;                            // Enabled
    std::vector<IpNetwork> sender_ip_addresses;     // SenderIPAddresses
    std::vector<std::string> sender_domains;        // SenderDomains ("*" or lower-case domains)
    std::string tls_sender_certificate_name;        // TlsSenderCertificateName
    bool require_tls = false;                       // RequireTls
    bool restrict_domains_to_certificate = false;   // RestrictDomainsToCertificate
    bool restrict_domains_to_ip_addresses = false;  // RestrictDomainsToIPAddresses
    bool treat_messages_as_internal = false;        // TreatMessagesAsInternal (OnPremises only)
    EnhancedFiltering enhanced_filtering;

    // True when ip is one of SenderIPAddresses.
    [[nodiscard]] bool from_sender_ip(const boost::asio::ip::address& ip) const;
};

// ---------------------------------------------------------------------------------------
// Mail flow rules (New-TransportRule), brief 8

// FromScope: InOrganization, NotInOrganization.
enum class FromScope : std::uint8_t { in_organization, not_in_organization };
std::string_view to_string(FromScope scope) noexcept;

enum class HeaderTest : std::uint8_t {
    contains,  // HeaderContainsMessageHeader + HeaderContainsWords (case-insensitive)
    matches,   // HeaderMatchesMessageHeader + HeaderMatchesPatterns (ECMAScript, icase)
    exists,    // the field is present (simulator convenience, no single ETR predicate)
};
std::string_view to_string(HeaderTest test) noexcept;

struct HeaderCondition {
    std::string name;  // field name as written in the file
    HeaderTest test = HeaderTest::exists;
    std::vector<std::string> values;   // words (contains, lower-case) or patterns (matches)
    std::vector<std::regex> patterns;  // compiled `values` for matches

    // True when one field `value` (unfolded) satisfies the test; for `exists` always true.
    [[nodiscard]] bool matches_value(std::string_view value) const;
};

// Rule predicates. Within one kind any value may match (OR); every kind that is set must
// match (AND); for exceptions any single kind matching is enough (OR), as Exchange does.
struct RuleConditions {
    std::vector<IpNetwork> sender_ip_ranges;       // SenderIpRanges
    std::vector<HeaderCondition> headers;          // each entry must hold (AND)
    std::optional<FromScope> from_scope;           // FromScope
    std::vector<std::string> from_connectors;      // connector names (simulator condition)
    std::vector<std::string> sent_to_member_of;    // SentToMemberOf (group names)
    std::vector<std::string> recipient_domain_is;  // RecipientDomainIs (lower-case)
    std::vector<std::string> sent_to;              // SentTo (lower-case addresses)
    std::vector<std::string> sender_domain_is;     // SenderDomainIs (lower-case)

    [[nodiscard]] bool empty() const noexcept;
};

struct HeaderValue {
    std::string name;
    std::string value;
};

struct RuleActions {
    // SetSCL: -1 (Bypass spam filtering) or 0..9. nullopt when the rule sets no SCL.
    std::optional<int> set_scl;
    std::vector<HeaderValue> set_headers;  // SetHeaderName / SetHeaderValue
    bool stop_processing = false;          // StopRuleProcessing
};

// Mode: Enforce, Audit (test without policy tips), AuditAndNotify (test with policy tips).
enum class RuleMode : std::uint8_t { enforce, audit, audit_and_notify };
std::string_view to_string(RuleMode mode) noexcept;

struct MailFlowRule {
    std::string name;
    int priority = 0;  // 0 = evaluated first
    bool enabled = true;
    RuleMode mode = RuleMode::enforce;
    RuleConditions conditions;  // empty = every message
    RuleConditions exceptions;
    RuleActions actions;
    int line = 0;  // where the rule starts in the file (for the trace)
};

// ---------------------------------------------------------------------------------------
// Threat policies (anti-phishing, anti-spam), brief 4 and 5

// Where a policy sits in the precedence order of brief 5.1.
enum class PolicyKind : std::uint8_t { strict_preset, standard_preset, custom, default_policy };
std::string_view to_string(PolicyKind kind) noexcept;

// The three columns of Microsoft's recommended-values tables (brief 4.5-4.7).
enum class PolicyLevel : std::uint8_t { default_policy, standard, strict };
std::string_view to_string(PolicyLevel level) noexcept;

// Recipient conditions or exceptions of a threat policy (brief 4.1): lower-case addresses
// (Users), group names (Groups), lower-case accepted domains (Domains).
struct RecipientScope {
    std::vector<std::string> users;
    std::vector<std::string> groups;
    std::vector<std::string> domains;
    [[nodiscard]] bool empty() const noexcept {
        return users.empty() && groups.empty() && domains.empty();
    }
};

// AuthenticationFailAction (spoof intelligence / implicit failure).
enum class SpoofAction : std::uint8_t { move_to_jmf, quarantine };
// DmarcQuarantineAction (p=quarantine).
enum class DmarcQuarantineAction : std::uint8_t { quarantine, move_to_jmf };
// DmarcRejectAction (p=reject).
enum class DmarcRejectAction : std::uint8_t { reject, quarantine };
// TargetedUserProtectionAction, TargetedDomainProtectionAction,
// MailboxIntelligenceProtectionAction (brief 4.2).
enum class ImpersonationAction : std::uint8_t {
    no_action,
    move_to_jmf,
    quarantine,
    redirect,
    bcc_message,
    delete_message,
};
// SpamAction, HighConfidenceSpamAction, PhishSpamAction, HighConfidencePhishAction,
// BulkSpamAction (brief 4.8).
enum class SpamFilterAction : std::uint8_t {
    move_to_jmf,
    add_x_header,
    modify_subject,
    redirect,
    delete_message,
    quarantine,
    no_action,
};
// PowerShell spellings: "MoveToJmf", "Quarantine", "Reject", "NoAction", "BccMessage"...
std::string_view to_string(SpoofAction action) noexcept;
std::string_view to_string(DmarcQuarantineAction action) noexcept;
std::string_view to_string(DmarcRejectAction action) noexcept;
std::string_view to_string(ImpersonationAction action) noexcept;
std::string_view to_string(SpamFilterAction action) noexcept;

// TargetedUsersToProtect entry ("DisplayName;Email").
struct ProtectedUser {
    std::string display_name;
    std::string address;  // lower-case
};

// Microsoft's limits (brief 4.2).
inline constexpr std::size_t max_targeted_users_to_protect = 350;
inline constexpr std::size_t max_targeted_domains_to_protect = 50;
inline constexpr std::size_t max_trusted_senders_and_domains = 1024;

// Every setting of an anti-phishing policy (New-AntiPhishPolicy). Defaults are those of
// the default policy and of new PowerShell-created policies (brief 4.5, 4.6 "Default").
struct AntiPhishSettings {
    // Spoof (brief 2.3, 3.4, 4.5)
    bool enable_spoof_intelligence = true;  // EnableSpoofIntelligence
    bool honor_dmarc_policy = true;         // HonorDmarcPolicy
    DmarcQuarantineAction dmarc_quarantine_action = DmarcQuarantineAction::quarantine;
    DmarcRejectAction dmarc_reject_action = DmarcRejectAction::reject;
    SpoofAction authentication_fail_action = SpoofAction::move_to_jmf;
    std::string spoof_quarantine_tag = "DefaultFullAccessPolicy";  // SpoofQuarantineTag
    bool enable_unauthenticated_sender = true;                     // EnableUnauthenticatedSender
    bool enable_via_tag = true;                                    // EnableViaTag
    // Safety tips (brief 4.3)
    bool enable_first_contact_safety_tips = false;       // EnableFirstContactSafetyTips
    bool enable_similar_users_safety_tips = false;       // EnableSimilarUsersSafetyTips
    bool enable_similar_domains_safety_tips = false;     // EnableSimilarDomainsSafetyTips
    bool enable_unusual_characters_safety_tips = false;  // EnableUnusualCharactersSafetyTips
    // Advanced phishing threshold (brief 4.4), 1..4
    int phish_threshold_level = 1;  // PhishThresholdLevel
    // User impersonation (brief 4.2)
    bool enable_targeted_user_protection = false;          // EnableTargetedUserProtection
    std::vector<ProtectedUser> targeted_users_to_protect;  // TargetedUsersToProtect
    ImpersonationAction targeted_user_protection_action = ImpersonationAction::no_action;
    std::vector<std::string> targeted_user_action_recipients;  // TargetedUserActionRecipients
    std::string targeted_user_quarantine_tag = "DefaultFullAccessPolicy";
    // Domain impersonation
    bool enable_organization_domains_protection = false;   // EnableOrganizationDomainsProtection
    bool enable_targeted_domains_protection = false;       // EnableTargetedDomainsProtection
    std::vector<std::string> targeted_domains_to_protect;  // TargetedDomainsToProtect
    ImpersonationAction targeted_domain_protection_action = ImpersonationAction::no_action;
    std::vector<std::string> targeted_domain_action_recipients;  // TargetedDomainActionRecipients
    std::string targeted_domain_quarantine_tag = "DefaultFullAccessPolicy";
    // Mailbox intelligence
    bool enable_mailbox_intelligence = true;              // EnableMailboxIntelligence
    bool enable_mailbox_intelligence_protection = false;  // EnableMailboxIntelligenceProtection
    ImpersonationAction mailbox_intelligence_protection_action = ImpersonationAction::no_action;
    std::vector<std::string> mailbox_intelligence_protection_action_recipients;
    std::string mailbox_intelligence_quarantine_tag = "DefaultFullAccessPolicy";
    // Trusted senders and domains: never flagged as impersonation by this policy
    std::vector<std::string> excluded_senders;  // ExcludedSenders (lower-case)
    std::vector<std::string> excluded_domains;  // ExcludedDomains (lower-case, no subdomains)
};

// Every setting of an anti-spam policy (New-HostedContentFilterPolicy), inbound part.
// Defaults are the default policy's (brief 4.7 "Default").
struct AntiSpamSettings {
    SpamFilterAction spam_action = SpamFilterAction::move_to_jmf;  // SpamAction
    SpamFilterAction high_confidence_spam_action = SpamFilterAction::move_to_jmf;
    SpamFilterAction phish_spam_action = SpamFilterAction::move_to_jmf;  // PhishSpamAction
    SpamFilterAction high_confidence_phish_action = SpamFilterAction::quarantine;
    SpamFilterAction bulk_spam_action = SpamFilterAction::move_to_jmf;  // BulkSpamAction
    int bulk_threshold = 7;                                             // BulkThreshold 1..9
    bool mark_as_spam_bulk_mail = true;                                 // MarkAsSpamBulkMail
    std::string add_x_header_value;                   // AddXHeaderValue (for AddXHeader)
    std::string modify_subject_value;                 // ModifySubjectValue (for ModifySubject)
    std::vector<std::string> redirect_to_recipients;  // RedirectToRecipients (for Redirect)
    std::string spam_quarantine_tag = "DefaultFullAccessPolicy";
    std::string high_confidence_spam_quarantine_tag = "DefaultFullAccessPolicy";
    std::string phish_quarantine_tag = "DefaultFullAccessPolicy";
    std::string high_confidence_phish_quarantine_tag = "AdminOnlyAccessPolicy";
    std::string bulk_quarantine_tag = "DefaultFullAccessPolicy";
    int quarantine_retention_period = 15;             // QuarantineRetentionPeriod 1..30
    std::vector<std::string> allowed_senders;         // AllowedSenders (lower-case)
    std::vector<std::string> allowed_sender_domains;  // AllowedSenderDomains
    std::vector<std::string> blocked_senders;         // BlockedSenders
    std::vector<std::string> blocked_sender_domains;  // BlockedSenderDomains
};

// Microsoft's recommended values (brief 4.5 and 4.6 for anti-phishing, 4.7 for anti-spam).
// The Standard and Strict preset policies carry exactly these and cannot be edited.
AntiPhishSettings recommended_anti_phish_settings(PolicyLevel level);
AntiSpamSettings recommended_anti_spam_settings(PolicyLevel level);

// One threat policy of either type with its place in the precedence order.
template <class Settings>
struct ThreatPolicy {
    std::string name;
    PolicyKind kind = PolicyKind::default_policy;
    bool enabled = true;  // presets: on/off; custom: the rule's state; default: always on
    int priority = 0;     // custom policies only; 0 = highest
    // Presets and the default policy with no conditions apply to every recipient.
    RecipientScope conditions;
    RecipientScope exceptions;
    Settings settings;
    int line = 0;  // where the policy is defined in the file (0 = not in the file)
};
using AntiPhishPolicy = ThreatPolicy<AntiPhishSettings>;
using AntiSpamPolicy = ThreatPolicy<AntiSpamSettings>;

// All policies of one type: the precedence list of brief 5.1.
template <class Settings>
struct PolicySet {
    ThreatPolicy<Settings> strict;               // Strict preset (off unless the file turns it on)
    ThreatPolicy<Settings> standard;             // Standard preset (same)
    std::vector<ThreatPolicy<Settings>> custom;  // sorted by priority, 0 first
    ThreatPolicy<Settings> default_policy;       // applies to everyone, lowest priority
};
using AntiPhishPolicies = PolicySet<AntiPhishSettings>;
using AntiSpamPolicies = PolicySet<AntiSpamSettings>;

// ---------------------------------------------------------------------------------------
// Connection filter policy (Set-HostedConnectionFilterPolicy), brief 12.1

inline constexpr std::size_t max_connection_filter_entries = 1273;

struct ConnectionFilter {
    std::vector<IpNetwork> ip_allow_list;  // IPAllowList (IPv4, /24../32)
    std::vector<IpNetwork> ip_block_list;  // IPBlockList
    bool enable_safe_list = false;         // EnableSafeList
};

// ---------------------------------------------------------------------------------------
// Tenant Allow/Block List, spoof intelligence (brief 3 and 7)

enum class ListAction : std::uint8_t { allow, block };
std::string_view to_string(ListAction action) noexcept;  // "Allow", "Block"

// Domains & email addresses tab (New-TenantAllowBlockListItems -ListType Sender).
struct SenderEntry {
    enum class Kind : std::uint8_t {
        address,          // chris@contoso.com
        domain,           // contoso.com (not its subdomains)
        wildcard_domain,  // *.contoso.com: every subdomain (and contoso.com itself)
    };
    std::string value;  // lower-case; for wildcard_domain the domain after "*."
    Kind kind = Kind::address;
    ListAction action = ListAction::block;
    std::optional<std::chrono::sys_days> expires;  // last day in force; nullopt = never
    std::string notes;
    int line = 0;

    // In force on `day` (the expiry date itself included).
    [[nodiscard]] bool active_on(std::chrono::sys_days day) const noexcept {
        return !expires || day <= *expires;
    }
    // True when the (lower-case) address or its domain is covered by this entry.
    [[nodiscard]] bool matches(std::string_view address) const;
};

// Spoof type of a spoofed-sender pair (brief 3.1): Internal = accepted domain.
enum class SpoofType : std::uint8_t { external, internal };
std::string_view to_string(SpoofType type) noexcept;  // "External", "Internal"

// A spoofed-user / sending-infrastructure pair (brief 3.2): TABL "Spoofed senders" entries
// and spoof intelligence insight verdicts.
struct SpoofPair {
    std::string spoofed_user;  // "*", a lower-case domain or address
    // Infrastructure: "*", a lower-case (organizational) domain, or an IPv4 /24 network.
    std::string infrastructure_domain;  // empty when infrastructure_network is set
    std::optional<IpNetwork> infrastructure_network;
    std::optional<SpoofType> spoof_type;  // nullopt: either type
    ListAction action = ListAction::allow;
    int line = 0;

    // Matching helpers for the engine. `from` is the lower-case From address;
    // `infrastructure` the organizational domain of the verified PTR name ("" when none).
    [[nodiscard]] bool matches_user(std::string_view from_address) const;
    [[nodiscard]] bool matches_infrastructure(
        std::string_view infrastructure,
        const std::optional<boost::asio::ip::address>& source_ip) const;
};

// Brief 7.3.
inline constexpr std::size_t max_spoofed_sender_entries = 1024;
struct SenderEntryLimits {
    std::size_t allow = 0;
    std::size_t block = 0;
    std::size_t total = 0;
};
SenderEntryLimits sender_entry_limits(License license) noexcept;

struct TenantAllowBlockList {
    std::vector<SenderEntry> senders;
    std::vector<SpoofPair> spoofed_senders;
    std::vector<IpNetwork> ip_blocks;  // IPv6 only; dropped at the edge
    // URL and file entries are not modelled (allows come from submissions only, and the
    // engine does not see URLs or attachments), see docs/tenant-file.md.
};

// ---------------------------------------------------------------------------------------
// Advanced delivery (brief 10)

inline constexpr std::size_t max_simulation_domains = 50;
inline constexpr std::size_t max_simulation_ips = 10;
inline constexpr std::size_t max_simulation_urls = 30;

struct PhishingSimulation {
    std::vector<std::string> domains;    // MAIL FROM or DKIM d= domains (lower-case)
    std::vector<IpNetwork> sending_ips;  // IPv4 only
    std::vector<std::string> simulation_urls;
    [[nodiscard]] bool configured() const noexcept { return !domains.empty(); }
};

struct AdvancedDelivery {
    std::vector<std::string> secops_mailboxes;  // lower-case addresses
    PhishingSimulation phishing_simulation;
};

// ---------------------------------------------------------------------------------------
// Authentication inputs for saved messages (brief 16) and upstream filter signals

struct AuthenticationInputs {
    // Authentication-Results with these authserv-ids (lower-case) are taken as inputs.
    std::vector<std::string> trusted_authserv_ids;
    // Microsoft's own Authentication-Results (no authserv-id) is taken as input.
    bool trust_microsoft_auth_results = false;
    // The receiver's own ARC-Authentication-Results with arc=pass oda=1 counts as a
    // trusted sealer's verdict (compauth reason 130, brief 16 rule 3).
    bool trust_own_arc = false;
};

enum class UpstreamVerdict : std::uint8_t {
    clean,
    bulk,
    spam,
    high_confidence_spam,
    phish,
    high_confidence_phish,
    malware,
};
std::string_view to_string(UpstreamVerdict verdict) noexcept;  // snake_case as in the file

enum class SignalTest : std::uint8_t {
    equals,    // the field value equals `value` (case-insensitive, trimmed)
    contains,  // the field value contains `value` (case-insensitive)
    at_least,  // the field value starts with a number >= threshold
};
std::string_view to_string(SignalTest test) noexcept;

// A mapping from an existing filter's header to an upstream verdict, e.g.
// "X-Spam-Flag equals YES -> spam", "X-Spam-Score at_least 5 -> spam".
struct UpstreamSignal {
    std::string header;
    SignalTest test = SignalTest::equals;
    std::string value;       // lower-case for equals/contains
    double threshold = 0.0;  // for at_least
    UpstreamVerdict verdict = UpstreamVerdict::spam;
    std::optional<int> bcl;  // bulk only: BCL 1..9 given to the message
    int line = 0;

    // True when one field value (unfolded) satisfies the test.
    [[nodiscard]] bool matches_value(std::string_view field_value) const;
};

// ---------------------------------------------------------------------------------------
// Simulator settings: choices where Microsoft's documents disagree or are silent (brief 15)

// compauth sub-codes the documents leave internal (brief 1.8 [Inf], 15 Q1).
struct CompAuthCodes {
    int softpass = 201;
    int not_checked = 301;
    int bypass = 451;
    int intra_org = 601;
};

// How a DMARC pct< 100 draw is made (brief 2.3, 15 Q18).
enum class DmarcPctMode : std::uint8_t {
    message_hash,  // deterministic: a hash of the message (and the seed) against pct
    always_apply,  // the policy is applied as if pct=100
    never_apply,   // the policy is never applied (always pct.quarantine / pct.reject)
};
std::string_view to_string(DmarcPctMode mode) noexcept;

struct SimulatorSettings {
    int bypass_scl = -1;  // SCL stamped on mail that bypassed spam filtering: -1, 0 or 1 (Q2)
    CompAuthCodes compauth_codes;
    DmarcPctMode dmarc_pct_mode = DmarcPctMode::message_hash;
    std::uint64_t dmarc_pct_seed = 0;
};

// ---------------------------------------------------------------------------------------
// The tenant

struct Group {
    std::string name;
    std::vector<std::string> members;  // lower-case addresses (groups are flat)
};

// Preset policies of one level, both types (brief 5.1).
struct PresetPolicies {
    const AntiPhishPolicy& anti_phishing;
    const AntiSpamPolicy& anti_spam;
};

class Tenant {
public:
    // Input larger than this is refused before YAML parsing (bounds yaml-cpp's work).
    static constexpr std::size_t max_file_bytes = std::size_t{8} * 1024 * 1024;

    // Reads and validates a tenant file; errors name the path as given.
    static Tenant load(const std::filesystem::path& path);
    // Validates tenant YAML text; `name` is used in error messages.
    static Tenant parse(std::string_view text, std::string_view name = "tenant.yaml");

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] const std::string& source() const noexcept { return source_; }
    [[nodiscard]] License license() const noexcept { return license_; }
    [[nodiscard]] const std::vector<AcceptedDomain>& accepted_domains() const noexcept {
        return accepted_domains_;
    }
    [[nodiscard]] const MailRouting& mail_routing() const noexcept { return routing_; }
    [[nodiscard]] const std::vector<Group>& groups() const noexcept { return groups_; }
    [[nodiscard]] const std::vector<InboundConnector>& inbound_connectors() const noexcept {
        return connectors_;
    }
    // Sorted by priority (0 first).
    [[nodiscard]] const std::vector<MailFlowRule>& mail_flow_rules() const noexcept {
        return rules_;
    }
    [[nodiscard]] const AntiPhishPolicies& anti_phishing() const noexcept { return anti_phish_; }
    [[nodiscard]] const AntiSpamPolicies& anti_spam() const noexcept { return anti_spam_; }
    [[nodiscard]] const ConnectionFilter& connection_filter() const noexcept {
        return connection_filter_;
    }
    [[nodiscard]] const TenantAllowBlockList& allow_block_list() const noexcept { return tabl_; }
    [[nodiscard]] const std::vector<SpoofPair>& spoof_intelligence() const noexcept {
        return spoof_intelligence_;
    }
    [[nodiscard]] const std::vector<std::string>& trusted_arc_sealers() const noexcept {
        return arc_sealers_;
    }
    [[nodiscard]] const AdvancedDelivery& advanced_delivery() const noexcept {
        return advanced_delivery_;
    }
    [[nodiscard]] const AuthenticationInputs& authentication() const noexcept { return auth_; }
    [[nodiscard]] const std::vector<UpstreamSignal>& upstream_signals() const noexcept {
        return upstream_;
    }
    [[nodiscard]] const SimulatorSettings& simulator() const noexcept { return simulator_; }

    // The Strict or Standard preset of both policy types. PolicyLevel::default_policy
    // gives the default policies.
    [[nodiscard]] PresetPolicies preset(PolicyLevel level) const noexcept;

    // Lookups (arguments compared case-insensitively).
    [[nodiscard]] const Group* group(std::string_view name) const noexcept;
    [[nodiscard]] const InboundConnector* connector(std::string_view name) const noexcept;
    // The accepted domain `domain` is, or (with subdomains) the one it is a subdomain of.
    [[nodiscard]] const AcceptedDomain* accepted_domain(std::string_view domain,
                                                        bool include_subdomains = false) const;
    [[nodiscard]] bool is_group_member(std::string_view group, std::string_view address) const;
    // The enabled connector whose SenderIPAddresses contain ip (first in file order), if any.
    [[nodiscard]] const InboundConnector* connector_for_ip(
        const boost::asio::ip::address& ip) const;

    // Options for derive_envelope() from the routing section: boundary hosts and internal
    // hosts; with `enhanced_filtering`, that connector's skip list (EFSkipIPs/EFSkipLastIP).
    [[nodiscard]] EnvelopeOptions envelope_options(
        const InboundConnector* enhanced_filtering = nullptr) const;

private:
    friend class TenantReader;  // lib/policy/tenant_parse.cpp fills the members
    Tenant() = default;         // only through load() and parse()

    std::string name_;
    std::string source_;
    License license_ = License::mdo_plan2;
    std::vector<AcceptedDomain> accepted_domains_;
    MailRouting routing_;
    std::vector<Group> groups_;
    std::vector<InboundConnector> connectors_;
    std::vector<MailFlowRule> rules_;
    AntiPhishPolicies anti_phish_;
    AntiSpamPolicies anti_spam_;
    ConnectionFilter connection_filter_;
    TenantAllowBlockList tabl_;
    std::vector<SpoofPair> spoof_intelligence_;
    std::vector<std::string> arc_sealers_;
    AdvancedDelivery advanced_delivery_;
    AuthenticationInputs auth_;
    std::vector<UpstreamSignal> upstream_;
    SimulatorSettings simulator_;
};

}  // namespace mailverdict::policy

namespace mailverdict {
using policy::Tenant;
using policy::TenantError;
}  // namespace mailverdict
