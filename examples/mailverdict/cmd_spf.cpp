// mailverdict spf --ip IP --mail-from ADDR --helo NAME: RFC 7208 check_host() with its
// trace. Exit 0 whatever the SPF result; 2 for usage errors.
#include "cli.hpp"

#include <mailverdict/auth/spf.hpp>
#include <mailverdict/output/json.hpp>
#include <mailverdict/output/spf_json.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>

namespace mvcli {

using namespace mailverdict;

namespace {

struct SpfCliOptions {
    CommonOptions common;
    std::string ip;
    std::string mail_from;
    std::string helo;
    std::string identity;
    std::string receiver = "unknown";
    std::int64_t now = -1;
    bool no_trace = false;
};

bool given(const std::vector<std::string>& args, const std::string& option) {
    return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
        return a == option || a.rfind(option + "=", 0) == 0;
    });
}

void print_text(std::ostream& out, const spf::SpfResult& r) {
    out << "SPF " << spf::to_string(r.result) << " for " << spf::to_string(r.identity) << " "
        << (r.domain.empty() ? "-" : r.domain) << " from " << r.client_ip.to_string() << "\n";
    if (!r.mechanism.empty()) {
        out << "  mechanism:    " << r.mechanism << "\n";
    }
    out << "  reason:       " << r.reason << "\n";
    if (!r.problem.empty()) {
        out << "  problem:      " << r.problem << "\n";
    }
    if (!r.explanation.empty()) {
        out << "  explanation:  " << r.explanation << "\n";
    }
    out << "  lookups:      " << r.lookups << " DNS-querying terms, " << r.void_lookups
        << " void\n";
    if (!r.trace.empty()) {
        out << "  trace:\n";
        for (const auto& s : r.trace) {
            out << "    " << std::string(std::size_t{2} * s.depth, ' ') << s.domain << ": "
                << s.term << " -> " << s.outcome << ": " << s.why << "\n";
        }
    }
    out << "  " << spf::received_spf(r) << "\n";
    out << "  Authentication-Results: " << spf::auth_results_spf(r) << "\n";
}

}  // namespace

int cmd_spf(const std::vector<std::string>& args) {
    SpfCliOptions o;
    po::options_description desc("mailverdict spf options");
    // clang-format off
    desc.add_options()
        ("ip", po::value(&o.ip), "SMTP client IP address (required)")
        ("mail-from", po::value(&o.mail_from), "MAIL FROM address ('' = the null sender)")
        ("helo", po::value(&o.helo), "HELO/EHLO name")
        ("identity", po::value(&o.identity),
         "mailfrom or helo (default: mailfrom when --mail-from is given, else helo)")
        ("receiver", po::value(&o.receiver)->default_value("unknown"),
         "this host's domain name, for %{r} and Received-SPF")
        ("now", po::value(&o.now), "time for %{t}, seconds since the epoch (default: now)")
        ("no-trace", po::bool_switch(&o.no_trace), "do not record the evaluation steps");
    // clang-format on
    add_common_options(desc, o.common);
    const std::string usage_line =
        "mailverdict spf --ip IP --mail-from ADDR --helo NAME "
        "[--dns-server HOST:PORT | --dns-zone PATH] [--format text|json]";
    if (parse_arguments(args, desc, po::positional_options_description{}, usage_line, std::cout)) {
        return exit_ok;
    }
    const Format format = o.common.parsed_format({Format::text, Format::json, Format::headers});
    if (o.ip.empty()) {
        throw UsageError("--ip is required (usage: " + usage_line + ")");
    }
    boost::system::error_code ec;
    const auto ip = boost::asio::ip::make_address(o.ip, ec);
    if (ec) {
        throw UsageError("--ip '" + o.ip + "' is not an IP address");
    }
    const bool has_mail_from = given(args, "--mail-from");
    std::string identity = o.identity;
    if (identity.empty()) {
        identity = has_mail_from ? "mailfrom" : "helo";
    }
    if (identity != "mailfrom" && identity != "helo") {
        throw UsageError("--identity must be mailfrom or helo, not '" + identity + "'");
    }
    if (identity == "mailfrom" && !has_mail_from) {
        throw UsageError("--identity mailfrom needs --mail-from");
    }
    if (o.helo.empty() && (identity == "helo" || o.mail_from.empty())) {
        throw UsageError(identity == "helo" ? "the HELO identity needs --helo"
                                            : "the null sender is checked as postmaster@HELO: "
                                              "give --helo");
    }
    spf::SpfOptions options;
    options.receiver = o.receiver;
    // The CLI, not the evaluator, reads the clock (RFC 7208 7.2 "t").
    options.now = o.now >= 0 ? o.now
                             : std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
    options.trace = !o.no_trace;
    auto resolver = make_resolver(o.common);
    const spf::SpfResult result =
        identity == "helo" ? spf::check_helo(*resolver, ip, o.helo, options)
                           : spf::check_mail_from(*resolver, ip, o.mail_from, o.helo, options);
    switch (format) {
        case Format::json:
            std::cout << output::pretty(output::to_json(result)) << "\n";
            break;
        case Format::headers:
            std::cout << spf::received_spf(result) << "\n"
                      << "Authentication-Results: " << o.receiver << "; "
                      << spf::auth_results_spf(result) << "\n";
            break;
        default:
            print_text(std::cout, result);
            break;
    }
    return exit_ok;
}

}  // namespace mvcli
