// Spoof detector: what the From header claims against what authenticated it. Emits
// signals with evidence, never dispositions (architecture "Detectors emit signals; policy
// decides"): the verdict stage maps them to CAT, SFTY and actions per the selected policy.
#pragma once

#include <mailverdict/auth/dmarc.hpp>
#include <mailverdict/auth/org_domain.hpp>
#include <mailverdict/policy/tenant.hpp>

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::detect {

enum class SignalKind : std::uint8_t {
    spoof_intra_org,         // compauth failed, From is an accepted domain (brief 3.1)
    spoof_cross_domain,      // compauth failed, From is outside the organization
    unauthenticated_sender,  // the "?" indicator (brief 3.4)
    via_tag,                 // "From via domain" (brief 3.4)
};
std::string_view to_string(SignalKind kind) noexcept;

struct Evidence {
    std::string name;
    std::string value;
};

struct Signal {
    SignalKind kind = SignalKind::spoof_cross_domain;
    std::string summary;
    std::vector<Evidence> evidence;
    [[nodiscard]] std::string_view find(std::string_view name) const noexcept;  // "" if absent
};

// The sending infrastructure of a spoofed-sender pair (brief 3.2): the organizational
// domain of the forward-confirmed PTR name, else the source IP's /24.
struct SendingInfrastructure {
    std::string value;  // "mailer.example.org" or "198.51.100.0/24" ("" when no IP)
    std::string ptr;    // the verified PTR name ("" when none)
    bool from_ptr = false;
};
SendingInfrastructure sending_infrastructure(const std::optional<boost::asio::ip::address>& ip,
                                             const std::optional<std::string>& verified_ptr,
                                             const psl::PublicSuffixList& list);

// A spoofed-sender entry matching the pair: the Tenant Allow/Block List first (block wins
// over allow, brief 6.1), then spoof intelligence entries.
struct SpoofPairMatch {
    policy::ListAction action = policy::ListAction::allow;
    std::string source;  // "Tenant Allow/Block List" or "spoof intelligence"
    std::string entry;   // "contoso.com, 198.51.100.0/24"
    int line = 0;
};
std::optional<SpoofPairMatch> match_spoof_pair(const policy::Tenant& tenant,
                                               std::string_view from_address,
                                               const SendingInfrastructure& infrastructure,
                                               const std::optional<boost::asio::ip::address>& ip,
                                               bool intra_org);

struct SpoofInput {
    std::string from_address;  // lower-case
    std::string from_domain;
    bool from_accepted_domain = false;
    // Composite authentication as computed by the verdict stage (detect/ sits before
    // verdict/ in the pipeline, so the facts are passed, not the type).
    bool compauth_failed = false;
    bool compauth_explicit = false;  // failed for DMARC p=quarantine/reject (000/010)
    std::string compauth_text;       // "fail reason=001"
    const dmarc::DmarcResult* dmarc = nullptr;
    const dmarc::DmarcInput* dmarc_input = nullptr;
    SendingInfrastructure infrastructure;
    const psl::PublicSuffixList* list = nullptr;
};

// Spoof signals (at most one of intra/cross), plus the safety-tip signals.
std::vector<Signal> detect_spoof(const SpoofInput& input);

}  // namespace mailverdict::detect
