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
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mailverdict::auth {

// Default total DNS time per message (docs/limits.md): enough for the RFC 7208 4.6.4
// budget of ten lookups answered by a slow server, far below what ten timeouts with
// retries would take (2 s x 3 tries each).
inline constexpr std::chrono::milliseconds default_dns_deadline{10000};

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
    // DKIM limits (max_signatures) and the decoded-key cache. Give every message the same
    // `dkim.key_cache` (a long-running verifier keeps one next to its DNS cache): without
    // one, every RSA signature decodes its key again, which costs several verifications.
    dkim::VerifyOptions dkim;
    arc::ArcOptions arc;  // ARC limits (max_instances)
    // Total time all DNS questions of this message may take (docs/limits.md). Once it is
    // spent, the remaining questions are answered `timeout` without being sent, so the
    // checks still waiting on DNS end in temperror. Zero: no per-message deadline (each
    // question is still bounded by the resolver's own timeouts).
    std::chrono::milliseconds dns_deadline = default_dns_deadline;
    // Ask the message's known questions (SPF record of the MAIL FROM or HELO domain, the
    // DKIM key of each signature, the DMARC record of each author domain) together before
    // evaluating, so a resolver that can (dns::Resolver::prefetch) has them in flight at
    // once instead of one after the other.
    bool prefetch = true;
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

// Runs SPF -> DKIM -> ARC -> DMARC for `message` as received with `envelope`. Thread-safe
// for a thread-safe resolver (every dns:: resolver is), sharing `options` between threads.
Authentication authenticate(const Message& message, const Envelope& envelope,
                            dns::Resolver& resolver, const psl::PublicSuffixList& list,
                            const AuthenticateOptions& options);

// The questions authenticate() asks first for this message, known before any answer: the
// SPF record of the MAIL FROM (else HELO) domain, the key of each DKIM signature (up to
// dkim.max_signatures) and ARC set, and the DMARC record of each author domain.
std::vector<dns::Question> first_questions(const Message& message, const Envelope& envelope,
                                           const AuthenticateOptions& options);

// The questions that follow from the answers to first_questions(): the targets of the
// SPF record's include and redirect terms (without macros, at most spf.limits.dns_terms),
// the record read through `resolver` (a cache that has it answers at once).
std::vector<dns::Question> next_questions(const Envelope& envelope, dns::Resolver& resolver,
                                          const AuthenticateOptions& options,
                                          dns::Deadline deadline = dns::Deadline::max());

// Hands the resolver first_questions() plus `extra` in one batch (Resolver::prefetch),
// then next_questions() plus what `extra_next` returns in a second: a depth-first SPF
// evaluation then finds the include chain's first level answered. When the first batch
// asks nothing (every answer at hand), there is no second. Questions are only hints:
// nothing is decided here, and a resolver without a cache ignores them (nothing is asked
// twice). The verdict engine adds the client's PTR and then the PTR names' addresses.
void prefetch(const Message& message, const Envelope& envelope, dns::Resolver& resolver,
              const AuthenticateOptions& options, std::span<const dns::Question> extra = {},
              dns::Deadline deadline = dns::Deadline::max(),
              const std::function<std::vector<dns::Question>()>& extra_next = {});

}  // namespace mailverdict::auth
