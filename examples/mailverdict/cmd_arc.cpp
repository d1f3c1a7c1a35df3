// mailverdict arc FILE: ARC chain validation (RFC 8617 5.2), and sealing with --seal-key
// (RFC 8617 5.1) for users who forward mail. Exit 0 whatever the result; 1 when the file
// cannot be read; 2 for usage errors.
#include "cli.hpp"

#include <mailverdict/auth/arc.hpp>
#include <mailverdict/auth/auth_results.hpp>
#include <mailverdict/message/message.hpp>
#include <mailverdict/output/auth_json.hpp>
#include <mailverdict/output/json.hpp>

#include <chrono>
#include <iostream>

namespace mvcli {

using namespace mailverdict;

namespace {

void print_text(std::ostream& out, const std::string& file, const arc::ArcResult& r,
                const arc::ArcSetInfo* trusted) {
    out << file << "\n";
    out << "  ARC: " << arc::to_string(r.cv) << " (" << arc::to_string(r.reason)
        << (r.detail.empty() ? "" : ": " + r.detail) << ")\n";
    out << "  instances: " << r.instances;
    if (r.failed_instance) {
        out << ", failed at i=" << *r.failed_instance;
    }
    if (r.cv == arc::ChainStatus::pass) {
        out << ", oldest-pass " << r.oldest_pass;
    }
    out << "\n";
    for (const auto& s : r.sets) {
        out << "    i=" << s.instance << " cv=" << arc::to_string(s.cv) << " sealer "
            << s.seal_domain << " (s=" << s.seal_selector << ", " << s.algorithm << ")";
        if (s.ams_valid) {
            out << ", AMS " << (*s.ams_valid ? "valid" : "invalid");
        }
        if (s.seal_valid) {
            out << ", seal " << (*s.seal_valid ? "valid" : "invalid");
        }
        if (!s.problem.empty()) {
            out << " [" << s.problem << "]";
        }
        out << "\n      recorded: " << s.results_text << "\n";
    }
    if (trusted != nullptr) {
        out << "  trusted sealer " << trusted->seal_domain << " (i=" << trusted->instance
            << ") recorded: " << trusted->results_text << "\n";
    }
}

}  // namespace

int cmd_arc(const std::vector<std::string>& args) {
    CommonOptions common;
    std::vector<std::string> inputs;
    std::vector<std::string> trusted_sealers;
    std::size_t max_instances = arc::max_instances;
    unsigned min_rsa_bits = 1024;
    std::string seal_key;
    std::string seal_domain;
    std::string seal_selector;
    std::string seal_results;
    std::string authserv_id;
    long long now_epoch = -1;
    po::options_description desc("mailverdict arc options");
    // clang-format off
    desc.add_options()
        ("input", po::value(&inputs)->composing(), "the message file")
        ("trusted-arc-sealer", po::value(&trusted_sealers)->composing(),
         "sealer domain whose recorded results are shown (repeatable)")
        ("max-instances", po::value(&max_instances), "ARC sets accepted (default and RFC limit 50)")
        ("min-rsa-bits", po::value(&min_rsa_bits), "shortest RSA key accepted (default 1024)")
        ("seal-key", po::value(&seal_key), "seal: PEM private key (RSA or Ed25519)")
        ("seal-domain", po::value(&seal_domain), "seal: d= of the new ARC set")
        ("seal-selector", po::value(&seal_selector), "seal: s= of the new ARC set")
        ("authserv-id", po::value(&authserv_id), "seal: authserv-id of the new ARC-Authentication-Results")
        ("seal-results", po::value(&seal_results),
         "seal: this host's results to record, as an Authentication-Results value, e.g. "
         "\"lists.example; spf=pass smtp.mailfrom=a.example; dkim=pass header.d=a.example\" "
         "(what the host saw before it changed the message)")
        ("now", po::value(&now_epoch), "seal: t= (seconds since the epoch; default: now)");
    // clang-format on
    add_common_options(desc, common);
    po::positional_options_description pos;
    pos.add("input", -1);
    const std::string usage_line =
        "mailverdict arc FILE [--trusted-arc-sealer DOMAIN]... [--format text|json] | "
        "mailverdict arc FILE --seal-key KEY.pem --seal-domain D --seal-selector S "
        "--authserv-id ID";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    const Format format = common.parsed_format({Format::text, Format::json});
    if (inputs.size() != 1) {
        throw UsageError("one message file is needed (usage: " + usage_line + ")");
    }
    const bool sealing = !seal_key.empty();
    if (sealing && (seal_domain.empty() || seal_selector.empty() || authserv_id.empty())) {
        throw UsageError("--seal-key needs --seal-domain, --seal-selector and --authserv-id");
    }
    std::optional<arc::SealingKey> key;
    if (sealing) {
        auto loaded = arc::SealingKey::from_pem_file(seal_key);
        if (!loaded) {
            throw UsageError(loaded.error);
        }
        key = *loaded.key;
    }
    std::string bytes;
    std::string error;
    if (!read_file(inputs.front(), bytes, error)) {
        std::cerr << "mailverdict arc: " << inputs.front() << ": " << error << "\n";
        return exit_input_error;
    }
    auto resolver = make_resolver(common);
    arc::ArcOptions options;
    options.max_instances = max_instances;
    options.min_rsa_bits = min_rsa_bits;
    const Message message = Message::parse(bytes);
    const arc::ArcResult result = arc::validate(message, *resolver, options);
    if (sealing) {
        arc::SealOptions so;
        so.domain = seal_domain;
        so.selector = seal_selector;
        so.authserv_id = authserv_id;
        so.max_instances = max_instances;
        // The CLI reads the clock; the library never does.
        const auto now = now_epoch >= 0 ? std::chrono::sys_seconds{std::chrono::seconds{now_epoch}}
                                        : std::chrono::time_point_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now());
        // The message's own line ends are kept for the new fields.
        so.line_end = bytes.find("\r\n") != std::string::npos ? "\r\n" : "\n";
        // RFC 8617 4.1.1: the ARC-Authentication-Results records what this host saw on
        // receipt, which a forwarder that modifies the message passes here.
        authres::AuthenticationResults local;
        if (!seal_results.empty()) {
            auto parsed = authres::parse(seal_results, authres::Mode::strict);
            if (!parsed) {
                throw UsageError("--seal-results: " + parsed.error().to_string());
            }
            local = *parsed;
        }
        const arc::SealResult sealed = arc::seal(message, result, local, *key, so, now);
        if (!sealed) {
            std::cerr << "mailverdict arc: cannot seal: " << sealed.error << "\n";
            return exit_input_error;
        }
        std::cout << sealed.fields << bytes;
        return exit_ok;
    }
    const arc::ArcSetInfo* trusted = arc::trusted_sealer(result, trusted_sealers);
    if (format == Format::json) {
        auto obj = output::to_json(result);
        obj["trusted_sealer"] =
            trusted != nullptr ? boost::json::value(trusted->seal_domain) : nullptr;
        std::cout << output::pretty(obj) << "\n";
    } else {
        print_text(std::cout, inputs.front(), result, trusted);
    }
    return exit_ok;
}

}  // namespace mvcli
