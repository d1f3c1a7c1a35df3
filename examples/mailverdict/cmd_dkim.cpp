// mailverdict dkim FILE: every DKIM signature of a message and the best result.
#include "cli.hpp"

#include <mailverdict/auth/dkim.hpp>
#include <mailverdict/message/message.hpp>
#include <mailverdict/output/dkim_json.hpp>
#include <mailverdict/output/json.hpp>

#include <chrono>
#include <iostream>

namespace mvcli {

using namespace mailverdict;

namespace {

void print_text(std::ostream& out, const std::string& file, const dkim::DkimResult& r) {
    out << file << "\n";
    if (r.signatures.empty()) {
        out << "  no DKIM-Signature\n";
    }
    std::size_t n = 0;
    for (const auto& s : r.signatures) {
        out << "  signature " << ++n << ": " << to_string(s.result) << " ("
            << dkim::reason_text(s.reason) << (s.detail.empty() ? "" : ": " + s.detail) << ")\n";
        out << "    d=" << (s.domain.empty() ? "-" : s.domain)
            << " s=" << (s.selector.empty() ? "-" : s.selector)
            << " a=" << (s.algorithm.empty() ? "-" : s.algorithm);
        if (!s.canonicalization.empty()) {
            out << " c=" << s.canonicalization;
        }
        if (s.key_bits != 0) {
            out << ", key " << s.key_bits << " bits" << (s.key_testing ? " (testing)" : "");
        }
        out << ", body hash " << to_string(s.body_hash) << "\n";
        out << "    header.d=" << s.domain << " header.s=" << s.selector
            << " header.i=" << s.identity << " header.a=" << s.algorithm
            << " header.b=" << s.header_b << "\n";
        for (const auto& w : s.warnings) {
            out << "    warning: " << w << "\n";
        }
    }
    out << "  result: " << to_string(r.result) << "\n";
}

}  // namespace

int cmd_dkim(const std::vector<std::string>& args) {
    CommonOptions common;
    std::vector<std::string> inputs;
    std::size_t max_signatures = 5;
    bool accept_sha1 = false;
    unsigned min_rsa_bits = 1024;
    long long now_epoch = -1;
    po::options_description desc("mailverdict dkim options");
    // clang-format off
    desc.add_options()
        ("input", po::value(&inputs)->composing(), "the message file")
        ("max-signatures", po::value(&max_signatures),
         "signatures verified per message (default 5; the rest are not checked)")
        ("accept-sha1", po::bool_switch(&accept_sha1), "treat rsa-sha1 as valid (RFC 8301 forbids)")
        ("min-rsa-bits", po::value(&min_rsa_bits), "shortest RSA key accepted (default 1024)")
        ("now", po::value(&now_epoch),
         "judge t= and x= at this time (seconds since the epoch; default: the current time)");
    // clang-format on
    add_common_options(desc, common);
    po::positional_options_description pos;
    pos.add("input", -1);
    const std::string usage_line =
        "mailverdict dkim FILE [--dns-server HOST[:PORT] | --dns-zone FILE|DIR] "
        "[--format text|json]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    const Format format = common.parsed_format({Format::text, Format::json});
    if (inputs.size() != 1) {
        throw UsageError("one message file is needed (usage: " + usage_line + ")");
    }
    std::string bytes;
    std::string error;
    if (!read_file(inputs.front(), bytes, error)) {
        std::cerr << "mailverdict dkim: " << inputs.front() << ": " << error << "\n";
        return exit_input_error;
    }
    auto resolver = make_resolver(common);
    dkim::VerifyOptions options;
    options.max_signatures = max_signatures;
    options.accept_rsa_sha1 = accept_sha1;
    options.min_rsa_bits = min_rsa_bits;
    // The CLI reads the clock; the library never does ("now" is a parameter).
    const auto now =
        now_epoch >= 0
            ? std::chrono::sys_seconds{std::chrono::seconds{now_epoch}}
            : std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    const Message message = Message::parse(std::move(bytes));
    const dkim::DkimResult result = dkim::verify(message, *resolver, now, options);
    if (format == Format::json) {
        std::cout << output::pretty(output::to_json(result)) << "\n";
    } else {
        print_text(std::cout, inputs.front(), result);
    }
    // Exit 0 whatever the DKIM result: the message was read and evaluated.
    return exit_ok;
}

}  // namespace mvcli
