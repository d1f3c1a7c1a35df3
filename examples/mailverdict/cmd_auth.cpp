// mailverdict auth FILE: SPF, DKIM, ARC and DMARC of one message, composed (each computed
// once), with the Authentication-Results header this host would add. Also the shared
// pipeline behind `mailverdict dmarc` (cmd_dmarc.cpp declares what it uses from here).
// Exit 0 whatever the results; 1 when the file cannot be read; 2 for usage errors.
#include "cli.hpp"

#include <mailverdict/auth/arc.hpp>
#include <mailverdict/auth/auth_results.hpp>
#include <mailverdict/auth/dkim.hpp>
#include <mailverdict/auth/dmarc.hpp>
#include <mailverdict/auth/org_domain.hpp>
#include <mailverdict/auth/spf.hpp>
#include <mailverdict/message/message.hpp>
#include <mailverdict/message/network.hpp>
#include <mailverdict/message/received.hpp>
#include <mailverdict/output/auth_json.hpp>
#include <mailverdict/output/dkim_json.hpp>
#include <mailverdict/output/json.hpp>
#include <mailverdict/output/spf_json.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>

namespace mvcli::authcli {

using namespace mailverdict;

// Options shared by `auth` and `dmarc`.
struct AuthOptions {
    CommonOptions common;
    std::vector<std::string> inputs;
    std::string ip;
    std::string mail_from;
    bool mail_from_given = false;
    std::string helo;
    std::vector<std::string> boundaries;
    std::vector<std::string> trusted;
    std::vector<std::string> trusted_authserv_ids;
    bool trust_microsoft = false;
    std::vector<std::string> trusted_arc_sealers;
    std::string authserv_id = "mailverdict.invalid";
    std::string psl_file;
    long long now = -1;
    int sample = -1;
    bool no_np = false;
};

// Everything one run computes.
struct AuthRun {
    Message message;
    Envelope envelope;
    std::optional<spf::SpfResult> spf;  // nullopt: not checked (no client IP) or taken from
                                        // a trusted header
    std::string spf_note;
    dkim::DkimResult dkim;
    arc::ArcResult arc;
    dmarc::DmarcInput dmarc_input;
    dmarc::DmarcResult dmarc;
    std::optional<authres::TrustedResults> trusted;  // recorded results used instead
    const arc::ArcSetInfo* trusted_arc = nullptr;
    psl::ListInfo psl;
    authres::AuthenticationResults header;  // what this host would write
};

void add_auth_options(po::options_description& desc, AuthOptions& o) {
    // clang-format off
    desc.add_options()
        ("input", po::value(&o.inputs)->composing(), "the message file")
        ("ip", po::value(&o.ip), "SMTP client IP (default: derived from the Received chain)")
        ("mail-from", po::value(&o.mail_from), "MAIL FROM address ('' = null sender)")
        ("helo", po::value(&o.helo), "HELO/EHLO name")
        ("boundary", po::value(&o.boundaries)->composing(),
         "host pattern of the boundary MTA, e.g. *.mail.protection.outlook.com (repeatable)")
        ("trusted", po::value(&o.trusted)->composing(),
         "trusted internal host suffix or IP range (repeatable)")
        ("trust-authserv-id", po::value(&o.trusted_authserv_ids)->composing(),
         "use the SPF and DKIM results recorded by this authserv-id (repeatable)")
        ("trust-microsoft", po::bool_switch(&o.trust_microsoft),
         "use the results of Microsoft's Authentication-Results (it has no authserv-id)")
        ("trusted-arc-sealer", po::value(&o.trusted_arc_sealers)->composing(),
         "ARC sealer domain whose recorded results are shown (repeatable)")
        ("authserv-id", po::value(&o.authserv_id), "authserv-id of the header we write")
        ("public-suffix-list", po::value(&o.psl_file),
         "Public Suffix List file (default: Debian's /usr/share/publicsuffix)")
        ("now", po::value(&o.now), "evaluation time, seconds since the epoch (default: now)")
        ("pct-sample", po::value(&o.sample), "fixed DMARC pct draw 0..99 (default: from Message-ID)")
        ("no-np", po::bool_switch(&o.no_np), "ignore DMARC np= (RFC 9091)");
    // clang-format on
}

bool given(const std::vector<std::string>& args, const std::string& option) {
    return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
        return a == option || a.rfind(option + "=", 0) == 0;
    });
}

psl::PublicSuffixList load_list(const AuthOptions& o) {
    auto loaded = o.psl_file.empty() ? psl::PublicSuffixList::system()
                                     : psl::PublicSuffixList::load_file(o.psl_file);
    if (!loaded) {
        throw UsageError(loaded.error);
    }
    return *loaded.list;
}

EnvelopeOptions envelope_options(const AuthOptions& o) {
    EnvelopeOptions e;
    e.boundary_patterns = o.boundaries;
    for (const auto& t : o.trusted) {
        if (auto net = IpNetwork::parse(t)) {
            e.trusted_networks.push_back(*net);
        } else {
            e.trusted_host_suffixes.push_back(t);
        }
    }
    if (!o.ip.empty()) {
        boost::system::error_code ec;
        auto addr = boost::asio::ip::make_address(o.ip, ec);
        if (ec) {
            throw UsageError("--ip '" + o.ip + "' is not an IP address");
        }
        e.client_ip = addr;
    }
    if (!o.helo.empty()) {
        e.helo = o.helo;
    }
    if (o.mail_from_given) {
        e.mail_from = o.mail_from;
    }
    return e;
}

std::string domain_of(std::string_view value) {
    const auto at = value.rfind('@');
    return psl::normalize_domain(at == std::string_view::npos ? value : value.substr(at + 1));
}

// Runs the checks. `with_arc` is false for `dmarc`, which does not need it.
AuthRun run(const AuthOptions& o, std::string bytes, dns::Resolver& resolver,
            const psl::PublicSuffixList& list, bool with_arc) {
    AuthRun r;
    r.message = Message::parse(std::move(bytes));
    r.psl = list.info();
    const auto chain = received_chain(r.message);
    r.envelope = derive_envelope(r.message, chain, envelope_options(o));
    // The CLI reads the clock; the library never does.
    const auto now =
        o.now >= 0
            ? std::chrono::sys_seconds{std::chrono::seconds{o.now}}
            : std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());

    // RFC 8601 5: results recorded by a trusted authserv-id replace local SPF and DKIM
    // checks (a saved message cannot be re-checked against today's DNS).
    if (!o.trusted_authserv_ids.empty() || o.trust_microsoft) {
        r.trusted = authres::find_trusted(
            r.message, authres::TrustOptions{o.trusted_authserv_ids, o.trust_microsoft});
    }
    r.dmarc_input = dmarc::author_input(r.message);
    if (r.trusted) {
        const auto& t = r.trusted->results;
        if (const auto* spf = t.find("spf")) {
            const bool helo = spf->find("smtp", "mailfrom") == nullptr;
            r.dmarc_input.spf = {
                spf->result,
                domain_of(helo ? spf->value("smtp", "helo") : spf->value("smtp", "mailfrom")),
                helo};
        }
        for (const auto* d : t.find_all("dkim")) {
            r.dmarc_input.dkim.push_back({d->result, psl::normalize_domain(d->value("header", "d")),
                                          std::string(d->value("header", "s"))});
        }
        r.spf_note = "taken from the trusted header of " +
                     (t.authserv_id.empty() ? std::string("Microsoft") : t.authserv_id);
    } else {
        spf::SpfOptions so;
        so.receiver = o.authserv_id;
        so.now = now.time_since_epoch().count();
        if (!r.envelope.client_ip) {
            r.spf_note = "no client IP (give --ip or a Received chain)";
        } else if (r.envelope.mail_from) {
            r.spf = spf::check_mail_from(resolver, *r.envelope.client_ip, *r.envelope.mail_from,
                                         r.envelope.helo, so);
        } else if (!r.envelope.helo.empty()) {
            r.spf = spf::check_helo(resolver, *r.envelope.client_ip, r.envelope.helo, so);
        } else {
            r.spf_note = "neither MAIL FROM nor HELO is known";
        }
        if (r.spf) {
            r.dmarc_input.spf = {std::string(spf::to_string(r.spf->result)), r.spf->domain,
                                 r.spf->identity == spf::Identity::helo};
        }
        r.dkim = dkim::verify(r.message, resolver, now);
        for (const auto& s : r.dkim.signatures) {
            r.dmarc_input.dkim.push_back(
                {std::string(dkim::to_string(s.result)), s.domain, s.selector});
        }
    }
    if (with_arc) {
        r.arc = arc::validate(r.message, resolver);
        r.trusted_arc = arc::trusted_sealer(r.arc, o.trusted_arc_sealers);
    }
    dmarc::DmarcOptions dopt;
    dopt.use_np = !o.no_np;
    if (o.sample >= 0) {
        dopt.sample = static_cast<unsigned>(o.sample);
    }
    r.dmarc = dmarc::evaluate(resolver, list, r.dmarc_input, dopt);

    // The header this host writes (RFC 8601 2.7).
    r.header.authserv_id = o.authserv_id;
    {
        authres::ResultInfo spf;
        spf.method = "spf";
        spf.result = r.dmarc_input.spf.result.empty() ? "none" : r.dmarc_input.spf.result;
        if (r.spf && r.spf->client_ip != boost::asio::ip::address()) {
            spf.comments.push_back("client " + r.spf->client_ip.to_string());
        } else if (!r.spf_note.empty()) {
            spf.comments.push_back(r.spf_note);
        }
        if (!r.dmarc_input.spf.domain.empty()) {
            spf.properties.push_back(
                {"smtp", r.dmarc_input.spf.helo ? "helo" : "mailfrom", r.dmarc_input.spf.domain});
        }
        r.header.results.push_back(std::move(spf));
    }
    if (r.dmarc_input.dkim.empty()) {
        r.header.results.push_back({"dkim", std::nullopt, "none", std::nullopt, {}, {}, {}});
    }
    for (const auto& d : r.dmarc_input.dkim) {
        authres::ResultInfo info{"dkim", std::nullopt, d.result, std::nullopt, {}, {}, {}};
        if (!d.domain.empty()) {
            info.properties.push_back({"header", "d", d.domain});
        }
        if (!d.selector.empty()) {
            info.properties.push_back({"header", "s", d.selector});
        }
        r.header.results.push_back(std::move(info));
    }
    if (with_arc) {
        r.header.results.push_back(arc::auth_results_arc(r.arc));
    }
    {
        authres::ResultInfo dm{"dmarc",
                               std::nullopt,
                               std::string(dmarc::to_string(r.dmarc.result)),
                               std::nullopt,
                               {},
                               {},
                               {}};
        if (r.dmarc.record) {
            dm.comments.push_back("p=" + std::string(dmarc::to_string(r.dmarc.record->policy)) +
                                  " dis=" + std::string(dmarc::to_string(r.dmarc.disposition)));
        } else if (!r.dmarc.detail.empty()) {
            dm.comments.push_back(r.dmarc.detail);
        }
        if (!r.dmarc.from_domain.empty()) {
            dm.properties.push_back({"header", "from", r.dmarc.from_domain});
        }
        r.header.results.push_back(std::move(dm));
    }
    return r;
}

// Microsoft's layout of the DMARC part: "dmarc=bestguesspass action=none header.from=x".
std::string microsoft_dmarc(const dmarc::DmarcResult& d) {
    return "dmarc=" + std::string(d.microsoft_result()) +
           " action=" + std::string(dmarc::to_string(d.action)) +
           (d.from_domain.empty() ? std::string() : " header.from=" + d.from_domain);
}

void print_dmarc_text(std::ostream& out, const dmarc::DmarcResult& d) {
    out << "  DMARC:      " << d.microsoft_result() << " (" << dmarc::to_string(d.reason)
        << (d.detail.empty() ? "" : ": " + d.detail) << ")\n";
    out << "    from " << (d.from_domain.empty() ? "-" : d.from_domain)
        << ", organizational domain "
        << (d.organizational_domain.empty() ? "-" : d.organizational_domain);
    if (!d.record_domain.empty()) {
        out << ", record at _dmarc." << d.record_domain;
    }
    out << "\n";
    if (d.record) {
        out << "    policy " << dmarc::to_string(d.policy) << " ("
            << dmarc::to_string(d.policy_source) << "=), pct " << d.record->percent << ", sample "
            << d.sample << (d.sampled_in ? " (applied)" : " (not applied)") << ", disposition "
            << dmarc::to_string(d.disposition) << "\n";
    }
    out << "    alignment: SPF " << (d.spf_aligned ? "aligned" : "not aligned") << ", DKIM "
        << (d.dkim_aligned ? "aligned (" + d.aligned_dkim_domain + ")" : std::string("not aligned"))
        << "\n";
    out << "    action " << dmarc::to_string(d.action) << "; Microsoft: " << microsoft_dmarc(d)
        << "\n";
    out << "    public suffix list: " << d.psl_version << "\n";
    for (const auto& s : d.trace) {
        out << "    - " << s.rule << ": " << s.input << " -> " << s.outcome << "\n";
    }
}

}  // namespace mvcli::authcli

namespace mvcli {

using namespace mailverdict;
using namespace mvcli::authcli;

int cmd_auth(const std::vector<std::string>& args) {
    AuthOptions o;
    po::options_description desc("mailverdict auth options");
    add_auth_options(desc, o);
    add_common_options(desc, o.common);
    po::positional_options_description pos;
    pos.add("input", -1);
    const std::string usage_line =
        "mailverdict auth FILE [--ip IP --mail-from ADDR --helo NAME] [--trust-authserv-id ID]... "
        "[--boundary PATTERN] [--trusted HOST|CIDR] [--format text|json|headers]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    o.mail_from_given = given(args, "--mail-from");
    const Format format = o.common.parsed_format({Format::text, Format::json, Format::headers});
    if (o.inputs.size() != 1) {
        throw UsageError("one message file is needed (usage: " + usage_line + ")");
    }
    if (o.sample > 99) {
        throw UsageError("--pct-sample must be 0..99");
    }
    const auto list = load_list(o);
    std::string bytes;
    std::string error;
    if (!read_file(o.inputs.front(), bytes, error)) {
        std::cerr << "mailverdict auth: " << o.inputs.front() << ": " << error << "\n";
        return exit_input_error;
    }
    auto resolver = make_resolver(o.common);
    const AuthRun r = run(o, std::move(bytes), *resolver, list, true);
    authres::FormatOptions fmt;
    fmt.line_end = "\n";
    const std::string header = authres::format_field(r.header, fmt);
    if (format == Format::json) {
        boost::json::object obj;
        obj["file"] = o.inputs.front();
        obj["envelope"] = output::to_json(r.envelope);
        obj["spf"] = r.spf ? boost::json::value(output::to_json(*r.spf)) : nullptr;
        obj["spf_note"] = r.spf_note;
        obj["dkim"] = output::to_json(r.dkim);
        obj["arc"] = output::to_json(r.arc);
        obj["dmarc"] = output::to_json(r.dmarc);
        obj["trusted_header"] =
            r.trusted ? boost::json::value(output::to_json(r.trusted->results)) : nullptr;
        obj["trusted_arc_sealer"] =
            r.trusted_arc ? boost::json::value(r.trusted_arc->seal_domain) : nullptr;
        obj["psl"] = output::to_json(r.psl);
        obj["authentication_results"] = authres::format_field(r.header, {false, "", ""});
        std::cout << output::pretty(obj) << "\n";
        return exit_ok;
    }
    if (format == Format::headers) {
        std::cout << header << "\n";
        return exit_ok;
    }
    std::cout << o.inputs.front() << "\n";
    std::cout << "  SPF:        " << r.dmarc_input.spf.result
              << (r.dmarc_input.spf.domain.empty() ? "" : " for " + r.dmarc_input.spf.domain);
    if (r.spf) {
        std::cout << " (" << r.spf->reason
                  << (r.spf->mechanism.empty() ? "" : ", " + r.spf->mechanism) << ")";
    }
    std::cout << (r.spf_note.empty() ? "" : " [" + r.spf_note + "]") << "\n";
    std::cout << "  DKIM:       " << r.dmarc_input.dkim.size() << " signature(s)";
    for (const auto& d : r.dmarc_input.dkim) {
        std::cout << "; " << d.result << " d=" << d.domain;
    }
    std::cout << "\n";
    std::cout << "  ARC:        " << arc::to_string(r.arc.cv) << " ("
              << arc::to_string(r.arc.reason) << (r.arc.detail.empty() ? "" : ": " + r.arc.detail)
              << "), " << r.arc.instances << " instance(s)";
    if (r.trusted_arc != nullptr) {
        std::cout << ", trusted sealer " << r.trusted_arc->seal_domain
                  << " recorded: " << r.trusted_arc->results_text;
    }
    std::cout << "\n";
    print_dmarc_text(std::cout, r.dmarc);
    std::cout << header << "\n";
    return exit_ok;
}

}  // namespace mvcli

namespace mvcli::authcli {

// `mailverdict dmarc` (entry point in cmd_dmarc.cpp): the same pipeline without ARC,
// printing the DMARC part.
int dmarc_command(const std::vector<std::string>& args) {
    AuthOptions o;
    po::options_description desc("mailverdict dmarc options");
    add_auth_options(desc, o);
    add_common_options(desc, o.common);
    po::positional_options_description pos;
    pos.add("input", -1);
    const std::string usage_line =
        "mailverdict dmarc FILE [--ip IP --mail-from ADDR --helo NAME] "
        "[--dns-server HOST[:PORT] | --dns-zone FILE|DIR] [--format text|json|headers]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    o.mail_from_given = given(args, "--mail-from");
    const Format format = o.common.parsed_format({Format::text, Format::json, Format::headers});
    if (o.inputs.size() != 1) {
        throw UsageError("one message file is needed (usage: " + usage_line + ")");
    }
    if (o.sample > 99) {
        throw UsageError("--pct-sample must be 0..99");
    }
    const auto list = load_list(o);
    std::string bytes;
    std::string error;
    if (!read_file(o.inputs.front(), bytes, error)) {
        std::cerr << "mailverdict dmarc: " << o.inputs.front() << ": " << error << "\n";
        return exit_input_error;
    }
    auto resolver = make_resolver(o.common);
    const AuthRun r = run(o, std::move(bytes), *resolver, list, false);
    if (format == Format::json) {
        std::cout << output::pretty(output::to_json(r.dmarc)) << "\n";
    } else if (format == Format::headers) {
        std::cout << "Authentication-Results: " << o.authserv_id << "; "
                  << dmarc::auth_results_dmarc(r.dmarc) << "\n";
    } else {
        std::cout << o.inputs.front() << "\n";
        std::cout << "  SPF:        " << r.dmarc_input.spf.result << " " << r.dmarc_input.spf.domain
                  << (r.spf_note.empty() ? "" : " [" + r.spf_note + "]") << "\n";
        std::cout << "  DKIM:       " << r.dmarc_input.dkim.size() << " signature(s)\n";
        print_dmarc_text(std::cout, r.dmarc);
        std::cout << "  Authentication-Results: " << o.authserv_id << "; "
                  << dmarc::auth_results_dmarc(r.dmarc) << "\n";
    }
    return exit_ok;
}

}  // namespace mvcli::authcli
