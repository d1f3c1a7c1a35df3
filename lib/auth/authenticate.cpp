// auth::authenticate: the SPF -> DKIM -> ARC -> DMARC composition (moved here from the
// CLI so that `mailverdict auth`, `mailverdict dmarc` and the verdict engine share it).
#include <mailverdict/auth/authenticate.hpp>

#include "auth/arc/arc_detail.hpp"
#include "auth/ascii.hpp"
#include "auth/dkim/dkim_detail.hpp"

#include <algorithm>
#include <iterator>
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
                   dns::Resolver& resolver, const AuthenticateOptions& options,
                   dkim::detail::BodyHashes& bodies) {
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
    a.dkim = dkim::detail::verify(message, resolver, options.now, options.dkim, bodies);
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

// The SPF domain check_host() starts from (RFC 7208 2.4: MAIL FROM, else HELO).
std::string spf_domain(const Envelope& envelope) {
    if (!envelope.client_ip) {
        return {};
    }
    if (envelope.mail_from && !envelope.mail_from->empty()) {
        const auto at = envelope.mail_from->rfind('@');
        return at == std::string::npos ? std::string() : envelope.mail_from->substr(at + 1);
    }
    return envelope.helo;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii::to_lower(x) == ascii::to_lower(y);
           });
}

void add_key_question(std::vector<dns::Question>& out, std::string_view value) {
    const auto tags = dkim::parse_tag_list(value);
    if (!tags) {
        return;
    }
    const auto* d = tags->find("d");
    const auto* s = tags->find("s");
    if (d != nullptr && s != nullptr && !d->value.empty() && !s->value.empty()) {
        out.push_back(
            {std::string(s->value) + "._domainkey." + std::string(d->value), dns::RecordType::TXT});
    }
}

void add_unique(std::vector<dns::Question>& out, dns::Question q) {
    if (std::find(out.begin(), out.end(), q) == out.end()) {
        out.push_back(std::move(q));
    }
}

}  // namespace

std::vector<dns::Question> first_questions(const Message& message, const Envelope& envelope,
                                           const AuthenticateOptions& options) {
    std::vector<dns::Question> out;
    const bool trusted_header = !options.trusted_authserv_ids.empty() || options.trust_microsoft;
    if (!trusted_header) {
        if (const auto domain = spf_domain(envelope); !domain.empty()) {
            out.push_back({domain, dns::RecordType::TXT});
        }
        std::size_t signatures = 0;
        for (const auto& field : message.fields()) {
            if (signatures >= options.dkim.max_signatures) {
                break;
            }
            if (iequals(field.name, "DKIM-Signature")) {
                add_key_question(out, field.raw_value);
                ++signatures;
            }
        }
    }
    if (options.with_arc) {
        std::size_t sets = 0;
        for (const auto& field : message.fields()) {
            if (sets >= 2 * options.arc.max_instances) {
                break;
            }
            if (iequals(field.name, "ARC-Seal") || iequals(field.name, "ARC-Message-Signature")) {
                add_key_question(out, field.raw_value);
                ++sets;
            }
        }
    }
    for (const auto& domain : dmarc::author_input(message).author_domains) {
        out.push_back({"_dmarc." + domain, dns::RecordType::TXT});
    }
    std::vector<dns::Question> unique;
    for (auto& q : out) {
        add_unique(unique, std::move(q));
    }
    return unique;
}

std::vector<dns::Question> next_questions(const Envelope& envelope, dns::Resolver& resolver,
                                          const AuthenticateOptions& options,
                                          dns::Deadline deadline) {
    std::vector<dns::Question> next;
    const auto domain = spf_domain(envelope);
    if (domain.empty() || !options.trusted_authserv_ids.empty() || options.trust_microsoft) {
        return next;
    }
    // The SPF record is in the cache now (or failed; then nothing).
    const auto answer = resolver.query_within(domain, dns::RecordType::TXT, deadline);
    if (!answer.ok()) {
        return next;
    }
    for (const auto& txt : answer.txt) {
        const auto text = txt.joined();
        if (!spf::SpfRecord::is_spf1(text)) {
            continue;
        }
        const auto parsed = spf::SpfRecord::parse(text);
        if (!parsed) {
            return next;
        }
        const auto& record = *parsed;
        for (const auto& m : record.mechanisms()) {
            if (next.size() >= options.spf.limits.dns_terms) {
                break;
            }
            const auto target = record.domain_spec(m);
            if (m.kind == spf::MechanismKind::include && !target.empty() &&
                target.find('%') == std::string_view::npos) {
                add_unique(next, {std::string(target), dns::RecordType::TXT});
            }
        }
        if (const auto redirect = record.redirect();
            redirect && !redirect->empty() && redirect->find('%') == std::string_view::npos &&
            next.size() < options.spf.limits.dns_terms) {
            add_unique(next, {std::string(*redirect), dns::RecordType::TXT});
        }
        break;
    }
    return next;
}

void prefetch(const Message& message, const Envelope& envelope, dns::Resolver& resolver,
              const AuthenticateOptions& options, std::span<const dns::Question> extra,
              dns::Deadline deadline,
              const std::function<std::vector<dns::Question>()>& extra_next) {
    auto batch = first_questions(message, envelope, options);
    batch.insert(batch.end(), extra.begin(), extra.end());
    // Nothing asked: every answer was at hand (a warm cache), the next level most likely too.
    if (batch.empty() || resolver.prefetch(batch, deadline) == 0) {
        return;
    }
    auto next = next_questions(envelope, resolver, options, deadline);
    if (extra_next) {
        auto more = extra_next();
        next.insert(next.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
    }
    if (!next.empty()) {
        resolver.prefetch(next, deadline);
    }
}

Authentication authenticate(const Message& message, const Envelope& envelope,
                            dns::Resolver& resolver_in, const psl::PublicSuffixList& list,
                            const AuthenticateOptions& options) {
    // One deadline for every question of this message (docs/limits.md); the checks that
    // ask after it has passed get `timeout`, so they end in temperror.
    dns::MessageDeadline resolver(resolver_in, options.dns_deadline);
    if (options.prefetch) {
        prefetch(message, envelope, resolver, options, {}, resolver.deadline());
    }
    Authentication a;
    if (!options.trusted_authserv_ids.empty() || options.trust_microsoft) {
        a.trusted = authres::find_trusted(
            message, authres::TrustOptions{options.trusted_authserv_ids, options.trust_microsoft});
    }
    a.dmarc_input = dmarc::author_input(message);
    // Each body hash once per message, for DKIM and ARC alike.
    dkim::detail::BodyHashes bodies(message.body());
    if (a.trusted) {
        use_trusted(a);
    } else {
        check_locally(a, message, envelope, resolver, options, bodies);
    }
    if (options.with_arc) {
        arc::ArcOptions arc_options = options.arc;
        if (!arc_options.key_cache) {
            arc_options.key_cache = options.dkim.key_cache;
        }
        a.arc = arc::detail::validate(message, resolver, arc_options, bodies);
        if (const auto* set = arc::trusted_sealer(a.arc, options.trusted_arc_sealers)) {
            a.trusted_arc = *set;
        }
    }
    a.dmarc = dmarc::evaluate(resolver, list, a.dmarc_input, options.dmarc);
    write_header(a, options);
    return a;
}

}  // namespace mailverdict::auth
