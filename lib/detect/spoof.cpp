// Spoof detector (brief 3.1-3.4).
#include <mailverdict/detect/spoof.hpp>

namespace mailverdict::detect {

std::string_view to_string(SignalKind kind) noexcept {
    switch (kind) {
        case SignalKind::spoof_intra_org:
            return "spoof_intra_org";
        case SignalKind::spoof_cross_domain:
            return "spoof_cross_domain";
        case SignalKind::unauthenticated_sender:
            return "unauthenticated_sender";
        case SignalKind::via_tag:
            break;
    }
    return "via_tag";
}

std::string_view Signal::find(std::string_view name) const noexcept {
    for (const auto& e : evidence) {
        if (e.name == name) {
            return e.value;
        }
    }
    return {};
}

SendingInfrastructure sending_infrastructure(const std::optional<boost::asio::ip::address>& ip,
                                             const std::optional<std::string>& verified_ptr,
                                             const psl::PublicSuffixList& list) {
    SendingInfrastructure s;
    if (verified_ptr && !verified_ptr->empty()) {
        s.ptr = psl::normalize_domain(*verified_ptr);
        s.value = list.organizational_domain(s.ptr);
        s.from_ptr = true;
        return s;
    }
    if (ip) {
        const auto plain = unmap(*ip);
        // Brief 3.2: "<source IP>/24 when no PTR exists" (IPv6: the /64 is our choice).
        const unsigned prefix = plain.is_v4() ? 24U : 64U;
        if (auto net = IpNetwork::parse(plain.to_string() + "/" + std::to_string(prefix))) {
            s.value = net->to_string();
        }
    }
    return s;
}

namespace {

std::string entry_text(const policy::SpoofPair& p) {
    return p.spoofed_user + ", " +
           (p.infrastructure_network ? p.infrastructure_network->to_string()
                                     : p.infrastructure_domain);
}

std::optional<SpoofPairMatch> match_in(const std::vector<policy::SpoofPair>& pairs,
                                       std::string_view source, std::string_view from_address,
                                       const SendingInfrastructure& infrastructure,
                                       const std::optional<boost::asio::ip::address>& ip,
                                       bool intra_org) {
    std::optional<SpoofPairMatch> found;
    const auto type = intra_org ? policy::SpoofType::internal : policy::SpoofType::external;
    const std::string infra_domain = infrastructure.from_ptr ? infrastructure.value : "";
    for (const auto& p : pairs) {
        if (p.spoof_type && *p.spoof_type != type) {
            continue;
        }
        if (!p.matches_user(from_address) || !p.matches_infrastructure(infra_domain, ip)) {
            continue;
        }
        // Block beats allow for the same entity (brief 6.1).
        if (!found ||
            (p.action == policy::ListAction::block && found->action == policy::ListAction::allow)) {
            found = SpoofPairMatch{p.action, std::string(source), entry_text(p), p.line};
        }
    }
    return found;
}

bool same_or_subdomain(std::string_view domain, std::string_view of) {
    if (domain.empty() || of.empty()) {
        return false;
    }
    return domain == of || (domain.size() > of.size() && domain.ends_with(of) &&
                            domain[domain.size() - of.size() - 1] == '.');
}

}  // namespace

std::optional<SpoofPairMatch> match_spoof_pair(const policy::Tenant& tenant,
                                               std::string_view from_address,
                                               const SendingInfrastructure& infrastructure,
                                               const std::optional<boost::asio::ip::address>& ip,
                                               bool intra_org) {
    if (auto m = match_in(tenant.allow_block_list().spoofed_senders, "Tenant Allow/Block List",
                          from_address, infrastructure, ip, intra_org)) {
        return m;
    }
    return match_in(tenant.spoof_intelligence(), "spoof intelligence", from_address, infrastructure,
                    ip, intra_org);
}

std::vector<Signal> detect_spoof(const SpoofInput& in) {
    std::vector<Signal> out;
    const auto& d = *in.dmarc;
    const auto& di = *in.dmarc_input;
    if (in.compauth_failed) {
        Signal s;
        s.kind =
            in.from_accepted_domain ? SignalKind::spoof_intra_org : SignalKind::spoof_cross_domain;
        s.summary = in.from_accepted_domain
                        ? "From " + in.from_domain +
                              " is an accepted domain and composite authentication failed: "
                              "intra-org spoof (brief 3.1)"
                        : "From " + in.from_domain +
                              " failed composite authentication: cross-domain spoof (brief 3.1)";
        s.evidence = {{"from", in.from_address},
                      {"compauth", in.compauth_text},
                      {"dmarc", std::string(d.microsoft_result())},
                      {"dmarc_policy", d.record ? std::string(dmarc::to_string(d.policy)) : ""},
                      {"explicit", in.compauth_explicit ? "true" : "false"},
                      {"spoofed_user", in.from_domain},
                      {"sending_infrastructure", in.infrastructure.value}};
        out.push_back(std::move(s));
    }
    bool spf_pass = di.spf.result == "pass";
    bool dkim_pass = false;
    for (const auto& k : di.dkim) {
        dkim_pass = dkim_pass || k.result == "pass";
    }
    // Brief 3.4 [Inf]: neither SPF nor DKIM passed, and DMARC or compauth failed.
    if (!spf_pass && !dkim_pass && (d.result == dmarc::Result::fail || in.compauth_failed)) {
        out.push_back({SignalKind::unauthenticated_sender,
                       "neither SPF nor DKIM passed and " +
                           std::string(d.result == dmarc::Result::fail ? "DMARC" : "compauth") +
                           " failed: the sender is shown with '?' (brief 3.4)",
                       {{"spf", di.spf.result}, {"dkim", "no passing signature"}}});
    }
    // Via tag (brief 3.4): the From domain differs from the DKIM d= or the MAIL FROM
    // domain that authenticated the message; a subdomain of the From domain matches.
    if (!in.from_domain.empty()) {
        std::string via;
        bool matched = false;
        for (const auto& k : di.dkim) {
            if (k.result != "pass") {
                continue;
            }
            if (same_or_subdomain(k.domain, in.from_domain)) {
                matched = true;
            } else if (via.empty()) {
                via = k.domain;
            }
        }
        if (spf_pass && !di.spf.helo) {
            if (same_or_subdomain(di.spf.domain, in.from_domain)) {
                matched = true;
            } else if (via.empty()) {
                via = di.spf.domain;
            }
        }
        if (!matched && !via.empty()) {
            out.push_back({SignalKind::via_tag,
                           in.from_address + " via " + via + " (brief 3.4)",
                           {{"via", via}}});
        }
    }
    return out;
}

}  // namespace mailverdict::detect
