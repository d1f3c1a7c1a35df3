// mailverdict sign FILE --domain D --selector S --key KEY.pem: the message with a new
// DKIM-Signature prepended, on standard output.
#include "cli.hpp"

#include <mailverdict/auth/dkim.hpp>
#include <mailverdict/message/message.hpp>

#include <chrono>
#include <iostream>

namespace mvcli {

using namespace mailverdict;

namespace {

std::vector<std::string> split_colon(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = text.find(':', start);
        const std::string item = text.substr(start, end == std::string::npos ? end : end - start);
        if (!item.empty()) {
            out.push_back(item);
        }
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return out;
}

}  // namespace

int cmd_sign(const std::vector<std::string>& args) {
    std::vector<std::string> inputs;
    std::string domain;
    std::string selector;
    std::string key_path;
    std::string algorithm;
    std::string headers;
    std::string canon = "relaxed/relaxed";
    std::string identity;
    bool body_length = false;
    bool oversign = false;
    bool no_timestamp = false;
    long long expire = 0;
    long long now_epoch = -1;
    po::options_description desc("mailverdict sign options");
    // clang-format off
    desc.add_options()
        ("input", po::value(&inputs)->composing(), "the message file")
        ("domain", po::value(&domain), "signing domain (d=)")
        ("selector", po::value(&selector), "selector (s=)")
        ("key", po::value(&key_path), "private key, PEM (RSA or Ed25519)")
        ("algorithm", po::value(&algorithm), "rsa-sha256 or ed25519-sha256 (default: by key)")
        ("headers", po::value(&headers),
         "fields to sign, colon-separated, e.g. from:to:subject (a name may repeat)")
        ("oversign", po::bool_switch(&oversign), "list each signed name once more than present")
        ("canon", po::value(&canon), "header/body canonicalization (default relaxed/relaxed)")
        ("identity", po::value(&identity), "i= (an address within the domain)")
        ("body-length", po::bool_switch(&body_length),
         "add l= (lets content be appended without breaking the signature)")
        ("expire", po::value(&expire), "add x= this many seconds after the signing time")
        ("no-timestamp", po::bool_switch(&no_timestamp), "omit t=")
        ("now", po::value(&now_epoch), "signing time, seconds since the epoch (default: now)")
        ("help,h", "show this help");
    // clang-format on
    po::positional_options_description pos;
    pos.add("input", -1);
    const std::string usage_line =
        "mailverdict sign FILE --domain D --selector S --key KEY.pem "
        "[--algorithm rsa-sha256|ed25519-sha256] [--headers from:to:subject...] "
        "[--canon relaxed/relaxed] [--body-length] [--expire SECONDS]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    if (inputs.size() != 1 || domain.empty() || selector.empty() || key_path.empty()) {
        throw UsageError("FILE, --domain, --selector and --key are needed (usage: " + usage_line +
                         ")");
    }
    dkim::SignOptions options;
    options.domain = domain;
    options.selector = selector;
    if (!algorithm.empty()) {
        const auto a = dkim::parse_algorithm(algorithm);
        if (!a || *a == dkim::Algorithm::rsa_sha1) {
            throw UsageError("--algorithm must be rsa-sha256 or ed25519-sha256");
        }
        options.algorithm = *a;
    }
    const auto slash = canon.find('/');
    const auto hc = dkim::parse_canon(canon.substr(0, slash));
    const auto bc = slash == std::string::npos ? std::optional<dkim::Canon>(dkim::Canon::simple)
                                               : dkim::parse_canon(canon.substr(slash + 1));
    if (!hc || !bc) {
        throw UsageError("--canon must be simple|relaxed[/simple|relaxed], not '" + canon + "'");
    }
    options.header_canon = *hc;
    options.body_canon = *bc;
    options.headers = split_colon(headers);
    options.oversign = oversign;
    options.body_length = body_length;
    options.identity = identity;
    options.timestamp = !no_timestamp;
    if (expire < 0) {
        throw UsageError("--expire must be a positive number of seconds");
    }
    if (expire > 0) {
        options.expire_after = std::chrono::seconds{expire};
    }
    const auto key = dkim::SigningKey::from_pem_file(key_path);
    if (!key) {
        throw UsageError("--key: " + key.error);
    }
    std::string bytes;
    std::string error;
    if (!read_file(inputs.front(), bytes, error)) {
        std::cerr << "mailverdict sign: " << inputs.front() << ": " << error << "\n";
        return exit_input_error;
    }
    const auto now =
        now_epoch >= 0
            ? std::chrono::sys_seconds{std::chrono::seconds{now_epoch}}
            : std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    const Message message = Message::parse(bytes);
    const dkim::SignResult result = dkim::sign(message, *key.key, options, now);
    if (!result) {
        std::cerr << "mailverdict sign: " << inputs.front() << ": " << result.error << "\n";
        return exit_input_error;
    }
    std::cout << result.field << bytes;
    return exit_ok;
}

}  // namespace mvcli
