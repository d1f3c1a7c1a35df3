// The verdict engine: envelope, enhanced filtering, authentication (once per message),
// compauth, spoof, mail flow rules, upstream signals, per-recipient policy selection,
// detections in Microsoft's order, overrides (brief 6.2) and the system/final split.
// Pure given the Resolver: no clock (EvaluateOptions::now), no globals.
#pragma once

#include <mailverdict/auth/org_domain.hpp>
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

class Engine {
public:
    // The Public Suffix List defaults to the system's (PublicSuffixList::system());
    // an unusable list is a configuration error (std::runtime_error).
    Engine(const policy::Tenant& tenant, dns::Resolver& resolver,
           std::optional<psl::PublicSuffixList> list = std::nullopt);

    [[nodiscard]] Verdict evaluate(const Message& message,
                                   const EvaluateOptions& options = {}) const;

    [[nodiscard]] const policy::Tenant& tenant() const noexcept { return tenant_; }

private:
    const policy::Tenant& tenant_;
    dns::Resolver& resolver_;
    psl::PublicSuffixList list_;
};

}  // namespace mailverdict::verdict

namespace mailverdict {
using verdict::Engine;
using verdict::Verdict;
}  // namespace mailverdict
