// auth::authenticate: the SPF -> DKIM -> ARC -> DMARC composition (moved here from the
// CLI so that `mailverdict auth`, `mailverdict dmarc` and the verdict engine share it).
#include <mailverdict/auth/authenticate.hpp>

#include <utility>

namespace mailverdict::auth {

namespace {

std::string domain_of(std::string_view value) {
    const auto at = value.rfind('@');
    return psl::normalize_domain(at == std::string_view::npos ? value : value.substr(at + 1));
}

// SPF and DKIM as recorded by a trusted receiver (RFC 8601 5).
void use_trusted(Authentication& a) {
    const auto& t = a.trusted->results;
    if (const auto* spf = t.find("spf")) {
        const bool helo = spf->find("smtp", "mailfrom") == nullptr;
        a.dmarc_input.spf = {
            spf->result,
            domain_of(helo ? spf->value("smtp", "helo") : spf->value("smtp", "mailfrom")), helo};
    }
    for (const auto* d : t.find_all("dkim")) {
        a.dmarc_input.dkim.push_back({d->result, psl::normalize_domain(d->value("header", "d")),
                                      std::string(d->value("header", "s"))});
    }
    a.spf_note = "taken from the trusted header of " +
                 (t.authserv_id.empty() ? std::string("Microsoft") : t.authserv_id);
}

void check_locally(Authentication& a, const Message& message, const Envelope& envelope,
                   dns::Resolver& resolver, const AuthenticateOptions& options) {
    spf::SpfOptions so = options.spf;
    so.receiver = options.authserv_id;
    so.now = options.now.time_since_epoch().count();
    if (!envelope.client_ip) {
        a.spf_note = "no client IP (give --ip or a Received chain)";
    } else if (envelope.mail_from) {
        a.spf = spf::check_mail_from(resolver, *envelope.client_ip, *envelope.mail_from,
                                     envelope.helo, so);
    } else if (!envelope.helo.empty()) {
        a.spf = spf::check_helo(resolver, *envelope.client_ip, envelope.helo, so);
    } else {
        a.spf_note = "neither MAIL FROM nor HELO is known";
    }
    if (a.spf) {
        a.dmarc_input.spf = {std::string(spf::to_string(a.spf->result)), a.spf->domain,
                             a.spf->identity == spf::Identity::helo};
    }
    a.dkim = dkim::verify(message, resolver, options.now);
    for (const auto& s : a.dkim.signatures) {
        a.dmarc_input.dkim.push_back(
            {std::string(dkim::to_string(s.result)), s.domain, s.selector});
    }
}

// The header this host writes (RFC 8601 2.7).
void write_header(Authentication& a, const AuthenticateOptions& options) {
    a.header.authserv_id = options.authserv_id;
    {
        authres::ResultInfo spf;
        spf.method = "spf";
        spf.result = a.dmarc_input.spf.result.empty() ? "none" : a.dmarc_input.spf.result;
        if (a.spf && a.spf->client_ip != boost::asio::ip::address()) {
            spf.comments.push_back("client " + a.spf->client_ip.to_string());
        } else if (!a.spf_note.empty()) {
            spf.comments.push_back(a.spf_note);
        }
        if (!a.dmarc_input.spf.domain.empty()) {
            spf.properties.push_back(
                {"smtp", a.dmarc_input.spf.helo ? "helo" : "mailfrom", a.dmarc_input.spf.domain});
        }
        a.header.results.push_back(std::move(spf));
    }
    if (a.dmarc_input.dkim.empty()) {
        a.header.results.push_back({"dkim", std::nullopt, "none", std::nullopt, {}, {}, {}});
    }
    for (const auto& d : a.dmarc_input.dkim) {
        authres::ResultInfo info{"dkim", std::nullopt, d.result, std::nullopt, {}, {}, {}};
        if (!d.domain.empty()) {
            info.properties.push_back({"header", "d", d.domain});
        }
        if (!d.selector.empty()) {
            info.properties.push_back({"header", "s", d.selector});
        }
        a.header.results.push_back(std::move(info));
    }
    if (options.with_arc) {
        a.header.results.push_back(arc::auth_results_arc(a.arc));
    }
    authres::ResultInfo dm{
        "dmarc", std::nullopt, std::string(dmarc::to_string(a.dmarc.result)), std::nullopt, {}, {},
        {}};
    if (a.dmarc.record) {
        dm.comments.push_back("p=" + std::string(dmarc::to_string(a.dmarc.record->policy)) +
                              " dis=" + std::string(dmarc::to_string(a.dmarc.disposition)));
    } else if (!a.dmarc.detail.empty()) {
        dm.comments.push_back(a.dmarc.detail);
    }
    if (!a.dmarc.from_domain.empty()) {
        dm.properties.push_back({"header", "from", a.dmarc.from_domain});
    }
    a.header.results.push_back(std::move(dm));
}

}  // namespace

Authentication authenticate(const Message& message, const Envelope& envelope,
                            dns::Resolver& resolver, const psl::PublicSuffixList& list,
                            const AuthenticateOptions& options) {
    Authentication a;
    if (!options.trusted_authserv_ids.empty() || options.trust_microsoft) {
        a.trusted = authres::find_trusted(
            message, authres::TrustOptions{options.trusted_authserv_ids, options.trust_microsoft});
    }
    a.dmarc_input = dmarc::author_input(message);
    if (a.trusted) {
        use_trusted(a);
    } else {
        check_locally(a, message, envelope, resolver, options);
    }
    if (options.with_arc) {
        a.arc = arc::validate(message, resolver);
        if (const auto* set = arc::trusted_sealer(a.arc, options.trusted_arc_sealers)) {
            a.trusted_arc = *set;
        }
    }
    a.dmarc = dmarc::evaluate(resolver, list, a.dmarc_input, options.dmarc);
    write_header(a, options);
    return a;
}

}  // namespace mailverdict::auth
