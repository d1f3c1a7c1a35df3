// The authentication stage of one message, composed once: SPF (or the SPF result a trusted
// upstream receiver recorded), DKIM (idem), ARC, DMARC, and the Authentication-Results
// header this host writes. Compose, never recompute (architecture "Practices"): DMARC is
// fed the SPF and DKIM results computed here, and the verdict stage reuses this value.
//
// Pure given a Resolver and a Public Suffix List: the evaluation time is a parameter.
#pragma once

#include <mailverdict/auth/arc.hpp>
#include <mailverdict/auth/auth_results.hpp>
#include <mailverdict/auth/dkim.hpp>
#include <mailverdict/auth/dmarc.hpp>
#include <mailverdict/auth/org_domain.hpp>
#include <mailverdict/auth/spf.hpp>
#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/message/message.hpp>
#include <mailverdict/message/received.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace mailverdict::auth {

struct AuthenticateOptions {
    // authserv-id of the Authentication-Results this host writes.
    std::string authserv_id = "mailverdict.invalid";
    // RFC 8601 5: results recorded by these authserv-ids replace local SPF and DKIM checks
    // (a saved message cannot be re-checked against today's DNS; brief 16).
    std::vector<std::string> trusted_authserv_ids;
    // Microsoft's own Authentication-Results (no authserv-id) is trusted the same way.
    bool trust_microsoft = false;
    // ARC sealers whose passing chain may stand for the original authentication (brief 2.4).
    std::vector<std::string> trusted_arc_sealers;
    bool with_arc = true;  // `mailverdict dmarc` does not need ARC
    dmarc::DmarcOptions dmarc;
    spf::SpfOptions spf;  // receiver and now are filled from authserv_id and `now`
    std::chrono::sys_seconds now{};
};

struct Authentication {
    // nullopt: not checked locally (no client IP, no identity, or taken from a trusted header).
    std::optional<spf::SpfResult> spf;
    std::string spf_note;   // why SPF was not checked, or where its result came from
    dkim::DkimResult dkim;  // local verification (empty when taken from a trusted header)
    arc::ArcResult arc;
    dmarc::DmarcInput dmarc_input;  // the SPF and DKIM results DMARC used
    dmarc::DmarcResult dmarc;
    std::optional<authres::TrustedResults> trusted;  // the upstream header used, if any
    // The newest ARC set of a passing chain sealed by a trusted sealer (a copy).
    std::optional<arc::ArcSetInfo> trusted_arc;
    authres::AuthenticationResults header;  // what this host writes (RFC 8601 2.7)

    // True when the SPF and DKIM inputs came from a trusted upstream header.
    [[nodiscard]] bool from_trusted_header() const noexcept { return trusted.has_value(); }
};

// Runs SPF -> DKIM -> ARC -> DMARC for `message` as received with `envelope`.
Authentication authenticate(const Message& message, const Envelope& envelope,
                            dns::Resolver& resolver, const psl::PublicSuffixList& list,
                            const AuthenticateOptions& options);

}  // namespace mailverdict::auth
