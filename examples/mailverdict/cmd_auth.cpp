// mailverdict auth FILE: SPF, DKIM, ARC and DMARC of one message, composed (each computed
// once), with the Authentication-Results header this host would add. Also the shared
// pipeline behind `mailverdict dmarc` (cmd_dmarc.cpp declares what it uses from here).
// Exit 0 whatever the results; 1 when the file cannot be read; 2 for usage errors.
#include "cli.hpp"

#include <mailverdict/auth/arc.hpp>
#include <mailverdict/auth/auth_results.hpp>
#include <mailverdict/auth/authenticate.hpp>
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
#include <optional>

namespace mvcli::authcli {

using namespace mailverdict;

// Options shared by `auth` and `dmarc`.
struct AuthOptions {
    CommonOptions common;
    std::vector<std::string> inputs;
    EnvelopeArguments env;
    std::vector<std::string> trusted_authserv_ids;
    bool trust_microsoft = false;
    std::vector<std::string> trusted_arc_sealers;
    std::string authserv_id = "mailverdict.invalid";
    std::string psl_file;
    long long now = -1;
    int sample = -1;
    bool no_np = false;
};

// Everything one run computes: the message, its envelope and the library's
// authentication value (auth::authenticate).
struct AuthRun {
    Message message;
    Envelope envelope;
    psl::ListInfo psl;
    auth::Authentication auth;
};

void add_auth_options(po::options_description& desc, AuthOptions& o) {
    // clang-format off
    desc.add_options()
        ("input", po::value(&o.inputs)->composing(), "the message file")
        ("ip", po::value(&o.env.ip), "SMTP client IP (default: derived from the Received chain)")
        ("mail-from", po::value(&o.env.mail_from), "MAIL FROM address ('' = null sender)")
        ("helo", po::value(&o.env.helo), "HELO/EHLO name")
        ("boundary", po::value(&o.env.boundaries)->composing(),
         "host pattern of the boundary MTA, e.g. *.mail.protection.outlook.com (repeatable)")
        ("trusted", po::value(&o.env.trusted)->composing(),
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
    apply_envelope_arguments(o.env, e);
    return e;
}

// Runs the checks. `with_arc` is false for `dmarc`, which does not need it.
AuthRun run(const AuthOptions& o, std::string bytes, dns::Resolver& resolver,
            const psl::PublicSuffixList& list, bool with_arc) {
    AuthRun r;
    r.message = Message::parse(std::move(bytes));
    r.psl = list.info();
    const auto chain = received_chain(r.message);
    r.envelope = derive_envelope(r.message, chain, envelope_options(o));
    auth::AuthenticateOptions ao;
    ao.authserv_id = o.authserv_id;
    ao.trusted_authserv_ids = o.trusted_authserv_ids;
    ao.trust_microsoft = o.trust_microsoft;
    ao.trusted_arc_sealers = o.trusted_arc_sealers;
    ao.with_arc = with_arc;
    ao.dmarc.use_np = !o.no_np;
    if (o.sample >= 0) {
        ao.dmarc.sample = static_cast<unsigned>(o.sample);
    }
    // The CLI reads the clock; the library never does.
    ao.now =
        o.now >= 0
            ? std::chrono::sys_seconds{std::chrono::seconds{o.now}}
            : std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    r.auth = auth::authenticate(r.message, r.envelope, resolver, list, ao);
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

// The part `auth` and `dmarc` share: options, the message read, checks run. Returns
// nullopt with `status` set when the command is done (--help, unreadable file).
std::optional<AuthRun> parse_and_run(const std::vector<std::string>& args,
                                     const std::string& command, const std::string& usage_line,
                                     bool with_arc, AuthOptions& o, Format& format, int& status) {
    po::options_description desc("mailverdict " + command + " options");
    add_auth_options(desc, o);
    add_common_options(desc, o.common);
    po::positional_options_description pos;
    pos.add("input", -1);
    status = exit_ok;
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return std::nullopt;
    }
    o.env.mail_from_given = option_given(args, "--mail-from");
    format = o.common.parsed_format({Format::text, Format::json, Format::headers});
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
        std::cerr << "mailverdict " << command << ": " << o.inputs.front() << ": " << error << "\n";
        status = exit_input_error;
        return std::nullopt;
    }
    auto resolver = make_resolver(o.common);
    return run(o, std::move(bytes), *resolver, list, with_arc);
}

}  // namespace mvcli::authcli

namespace mvcli {

using namespace mailverdict;
using namespace mvcli::authcli;

int cmd_auth(const std::vector<std::string>& args) {
    AuthOptions o;
    Format format = Format::text;
    int status = exit_ok;
    const std::string usage_line =
        "mailverdict auth FILE [--ip IP --mail-from ADDR --helo NAME] [--trust-authserv-id ID]... "
        "[--boundary PATTERN] [--trusted HOST|CIDR] [--format text|json|headers]";
    const auto run_result = parse_and_run(args, "auth", usage_line, true, o, format, status);
    if (!run_result) {
        return status;
    }
    const AuthRun& r = *run_result;
    authres::FormatOptions fmt;
    fmt.line_end = "\n";
    const std::string header = authres::format_field(r.auth.header, fmt);
    if (format == Format::json) {
        boost::json::object obj;
        obj["file"] = o.inputs.front();
        obj["envelope"] = output::to_json(r.envelope);
        obj["spf"] = r.auth.spf ? boost::json::value(output::to_json(*r.auth.spf)) : nullptr;
        obj["spf_note"] = r.auth.spf_note;
        obj["dkim"] = output::to_json(r.auth.dkim);
        obj["arc"] = output::to_json(r.auth.arc);
        obj["dmarc"] = output::to_json(r.auth.dmarc);
        obj["trusted_header"] =
            r.auth.trusted ? boost::json::value(output::to_json(r.auth.trusted->results)) : nullptr;
        obj["trusted_arc_sealer"] =
            r.auth.trusted_arc ? boost::json::value(r.auth.trusted_arc->seal_domain) : nullptr;
        obj["psl"] = output::to_json(r.psl);
        obj["authentication_results"] = authres::format_field(r.auth.header, {false, "", ""});
        std::cout << output::pretty(obj) << "\n";
        return exit_ok;
    }
    if (format == Format::headers) {
        std::cout << header << "\n";
        return exit_ok;
    }
    std::cout << o.inputs.front() << "\n";
    std::cout << "  SPF:        " << r.auth.dmarc_input.spf.result
              << (r.auth.dmarc_input.spf.domain.empty() ? ""
                                                        : " for " + r.auth.dmarc_input.spf.domain);
    if (r.auth.spf) {
        std::cout << " (" << r.auth.spf->reason
                  << (r.auth.spf->mechanism.empty() ? "" : ", " + r.auth.spf->mechanism) << ")";
    }
    std::cout << (r.auth.spf_note.empty() ? "" : " [" + r.auth.spf_note + "]") << "\n";
    std::cout << "  DKIM:       " << r.auth.dmarc_input.dkim.size() << " signature(s)";
    for (const auto& d : r.auth.dmarc_input.dkim) {
        std::cout << "; " << d.result << " d=" << d.domain;
    }
    std::cout << "\n";
    std::cout << "  ARC:        " << arc::to_string(r.auth.arc.cv) << " ("
              << arc::to_string(r.auth.arc.reason)
              << (r.auth.arc.detail.empty() ? "" : ": " + r.auth.arc.detail) << "), "
              << r.auth.arc.instances << " instance(s)";
    if (r.auth.trusted_arc) {
        std::cout << ", trusted sealer " << r.auth.trusted_arc->seal_domain
                  << " recorded: " << r.auth.trusted_arc->results_text;
    }
    std::cout << "\n";
    print_dmarc_text(std::cout, r.auth.dmarc);
    std::cout << header << "\n";
    return exit_ok;
}

}  // namespace mvcli

namespace mvcli::authcli {

// `mailverdict dmarc` (entry point in cmd_dmarc.cpp): the same pipeline without ARC,
// printing the DMARC part.
int dmarc_command(const std::vector<std::string>& args) {
    AuthOptions o;
    Format format = Format::text;
    int status = exit_ok;
    const std::string usage_line =
        "mailverdict dmarc FILE [--ip IP --mail-from ADDR --helo NAME] "
        "[--dns-server HOST[:PORT] | --dns-zone FILE|DIR] [--format text|json|headers]";
    const auto run_result = parse_and_run(args, "dmarc", usage_line, false, o, format, status);
    if (!run_result) {
        return status;
    }
    const AuthRun& r = *run_result;
    if (format == Format::json) {
        std::cout << output::pretty(output::to_json(r.auth.dmarc)) << "\n";
    } else if (format == Format::headers) {
        std::cout << "Authentication-Results: " << o.authserv_id << "; "
                  << dmarc::auth_results_dmarc(r.auth.dmarc) << "\n";
    } else {
        std::cout << o.inputs.front() << "\n";
        std::cout << "  SPF:        " << r.auth.dmarc_input.spf.result << " "
                  << r.auth.dmarc_input.spf.domain
                  << (r.auth.spf_note.empty() ? "" : " [" + r.auth.spf_note + "]") << "\n";
        std::cout << "  DKIM:       " << r.auth.dmarc_input.dkim.size() << " signature(s)\n";
        print_dmarc_text(std::cout, r.auth.dmarc);
        std::cout << "  Authentication-Results: " << o.authserv_id << "; "
                  << dmarc::auth_results_dmarc(r.auth.dmarc) << "\n";
    }
    return exit_ok;
}

}  // namespace mvcli::authcli
