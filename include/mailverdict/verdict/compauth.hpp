// Composite authentication (compauth): Microsoft's result (pass, fail, softpass, none) and
// three-digit reason, computed from the authentication value and tenant facts. A pure
// function: no DNS, no clock. Rules and codes: brief 1.8 and 16, docs/compauth.md.
#pragma once

#include <mailverdict/auth/dmarc.hpp>
#include <mailverdict/policy/tenant.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::verdict {

enum class CompAuthResult : std::uint8_t { pass, fail, softpass, none };
std::string_view to_string(CompAuthResult result) noexcept;

// Which rule of docs/compauth.md decided (stable identifiers, for the trace and tests).
enum class CompAuthRule : std::uint8_t {
    not_checked,              // none, not_checked code (3xx): no From domain to evaluate
    bypassed,                 // none, bypass code (4xx): internal mail (on-premises connector)
    dmarc_pass,               // pass 100
    best_guess_pass,          // pass 109
    trusted_arc,              // pass 130
    dmarc_fail_explicit,      // fail 000
    dmarc_fail_intra_org,     // fail 010
    permerror_aligned,        // pass 111
    relayed_m365_tenant,      // pass 115
    implicit_fail,            // fail 001
    implicit_fail_intra_org,  // fail 6xx (tenant code, 601)
    spoof_pair_block,         // fail 002
    spoof_pair_allow,         // softpass 2xx (tenant code, 201)
};
std::string_view to_string(CompAuthRule rule) noexcept;

// What the receiver's own ARC-Authentication-Results said about the chain (brief 16).
struct OwnArcVerdict {
    std::string result;      // arc= value: "pass", "fail", "none"
    std::optional<int> oda;  // the oda=N of the comment, when present
};

struct CompAuthInput {
    const dmarc::DmarcResult* dmarc = nullptr;  // required
    // The DMARC inputs (results of SPF and the DKIM signatures), for rules 5 and 6.
    const dmarc::DmarcInput* dmarc_input = nullptr;  // required
    // A trusted ARC sealer's passing chain stands for the original authentication
    // (brief 2.4): the tenant's trusted sealers, or the receiver's own ARC verdict with
    // arc=pass oda=1 when the tenant trusts it (brief 16 rule 3).
    bool trusted_arc_pass = false;
    std::optional<OwnArcVerdict> own_arc;  // for rule 6 (arc=pass oda=0)
    // The From domain is an accepted domain of the tenant or a subdomain of one (3.1).
    bool from_accepted_domain = false;
    // Mail that entered through an on-premises connector treated as internal.
    bool internal = false;
    // A spoofed-sender entry (TABL or spoof intelligence) matching the pair (brief 3.2).
    std::optional<policy::ListAction> spoof_pair;
    policy::CompAuthCodes codes;  // the tenant's choices for internal sub-codes (brief 15 Q1)
};

struct CompAuth {
    CompAuthResult result = CompAuthResult::none;
    int reason = 0;
    CompAuthRule rule = CompAuthRule::not_checked;
    std::string detail;  // in words: the facts that decided

    // "000", "109", "601": three digits as Microsoft prints them.
    [[nodiscard]] std::string reason_text() const;
    // compauth failed for an explicit (DMARC p=quarantine/reject) reason: 000 or 010.
    [[nodiscard]] bool explicit_failure() const noexcept {
        return rule == CompAuthRule::dmarc_fail_explicit ||
               rule == CompAuthRule::dmarc_fail_intra_org;
    }
    [[nodiscard]] bool failed() const noexcept { return result == CompAuthResult::fail; }
};

// First matching rule wins, in the order of docs/compauth.md.
CompAuth compute_compauth(const CompAuthInput& input);

// Rule 6's DKIM test: a passing signature whose d= is onmicrosoft.com or a subdomain.
bool dkim_pass_by_onmicrosoft(const dmarc::DmarcInput& input);

// The oda=N in the comments of an arc= result ("(0 oda=1 ltdi=1 ...)").
std::optional<int> oda_of(const std::vector<std::string>& comments);

}  // namespace mailverdict::verdict
