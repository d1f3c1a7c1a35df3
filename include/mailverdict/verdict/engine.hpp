// The verdict engine: envelope, enhanced filtering, authentication (once per message),
// compauth, spoof, mail flow rules, upstream signals, per-recipient policy selection,
// detections in Microsoft's order, overrides (brief 6.2) and the system/final split.
// Pure given the Resolver: no clock (EvaluateOptions::now), no globals.
#pragma once

#include <mailverdict/auth/authenticate.hpp>
#include <mailverdict/auth/org_domain.hpp>
#include <mailverdict/detect/contact_graph.hpp>
#include <mailverdict/detect/impersonation.hpp>
#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/message/message.hpp>
#include <mailverdict/policy/tenant.hpp>
#include <mailverdict/verdict/verdict.hpp>

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace mailverdict::verdict {

struct EvaluateOptions {
    std::vector<std::string> recipients;                // override the envelope's recipients
    std::optional<boost::asio::ip::address> client_ip;  // override the derived client
    std::optional<std::string> helo;
    std::optional<std::string> mail_from;
    // Evaluation time; default: the date of the topmost Received field, else the epoch.
    std::optional<std::chrono::sys_seconds> now;
    std::string authserv_id = "mailverdict.invalid";
};

// How the engine authenticates every message: the limits (docs/limits.md), the
// per-message DNS deadline and the decoded DKIM key cache shared by every evaluation.
struct EngineOptions {
    // Limits and settings of the authentication stage: spf.limits, dkim.max_signatures,
    // dkim.min_rsa_bits, arc.max_instances, dns_deadline, prefetch, dmarc.use_np. The
    // per-message fields (authserv_id, now, trusted ids and sealers, dmarc.sample) are
    // filled by the engine from EvaluateOptions and the tenant.
    auth::AuthenticateOptions auth;
    // Null: the engine makes its own (dkim::KeyCache's default bound). Never shared with
    // dkim.key_cache above, which is ignored in favour of this one.
    std::shared_ptr<dkim::KeyCache> key_cache;
    // Received fields parsed per message (RFC 5321 6.3 loop detection uses 100).
    std::size_t max_received_hops = mailverdict::max_received_hops;
    std::optional<psl::PublicSuffixList> list;     // default: the system's
    std::optional<detect::ContactGraph> contacts;  // see the constructor
};

class Engine {
public:
    // The Public Suffix List defaults to the system's (PublicSuffixList::system());
    // an unusable list is a configuration error (std::runtime_error). The impersonation
    // profiles of every anti-phishing policy are built here, once (brief 4.2; an
    // anti-phishing policy over Microsoft's limits throws detect::ImpersonationConfigError).
    // `contacts` is the learnt mailbox-intelligence contact graph (`mailverdict learn`),
    // indexed here with the engine's lookalike model; without it there is no known-contact
    // suppression, no mailbox-intelligence impersonation (GIMP) and no first-contact tip.
    Engine(const policy::Tenant& tenant, dns::Resolver& resolver,
           std::optional<psl::PublicSuffixList> list = std::nullopt,
           std::optional<detect::ContactGraph> contacts = std::nullopt);
    Engine(const policy::Tenant& tenant, dns::Resolver& resolver, EngineOptions options);

    // Thread-safe: one engine serves every worker (the key cache and the resolver are
    // thread-safe; everything else is read-only after construction).

    [[nodiscard]] Verdict evaluate(const Message& message,
                                   const EvaluateOptions& options = {}) const;

    [[nodiscard]] const policy::Tenant& tenant() const noexcept { return tenant_; }
    [[nodiscard]] const detect::ImpersonationProfiles& impersonation_profiles() const noexcept {
        return profiles_;
    }
    [[nodiscard]] const detect::ContactGraph* contacts() const noexcept {
        return contacts_ ? &*contacts_ : nullptr;
    }

private:
    const policy::Tenant& tenant_;
    dns::Resolver& resolver_;
    auth::AuthenticateOptions auth_;  // limits, deadline, key cache
    std::size_t max_received_hops_;
    psl::PublicSuffixList list_;
    detect::ImpersonationProfiles profiles_;
    std::optional<detect::ContactGraph> contacts_;
};

}  // namespace mailverdict::verdict

namespace mailverdict {
using verdict::Engine;
using verdict::Verdict;
}  // namespace mailverdict
