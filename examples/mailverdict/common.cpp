#include "cli.hpp"

#include <mailverdict/message/network.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace mvcli {

namespace fs = std::filesystem;

Format CommonOptions::parsed_format(std::initializer_list<Format> allowed) const {
    Format f{};
    if (format == "text") {
        f = Format::text;
    } else if (format == "json") {
        f = Format::json;
    } else if (format == "jsonl") {
        f = Format::jsonl;
    } else if (format == "headers") {
        f = Format::headers;
    } else if (format == "table") {
        f = Format::table;
    } else {
        throw UsageError("unknown --format '" + format + "' (text, json, jsonl, headers, table)");
    }
    if (std::find(allowed.begin(), allowed.end(), f) == allowed.end()) {
        throw UsageError("--format " + format + " is not available for this command");
    }
    return f;
}

void add_common_options(po::options_description& desc, CommonOptions& opts) {
    // clang-format off
    desc.add_options()
        ("dns-server", po::value(&opts.dns_servers)->composing(),
         "DNS server HOST[:PORT] (repeatable; default: /etc/resolv.conf)")
        ("dns-zone", po::value(&opts.dns_zones)->composing(),
         "answer DNS from BIND zone FILE or DIR (repeatable; offline)")
        ("dns-record", po::value(&opts.dns_record), "record every DNS answer to FILE")
        ("dns-replay", po::value(&opts.dns_replay), "answer DNS from a recorded FILE")
        ("dns-timeout", po::value(&opts.dns_timeout_ms)->default_value(2000),
         "DNS timeout per try, in milliseconds")
        ("dns-deadline", po::value(&opts.dns_deadline_ms)->default_value(10000),
         "total DNS time per message, in milliseconds (0: none)")
        ("format", po::value(&opts.format)->default_value("text"),
         "output: text, json, jsonl, headers, table or html (each command says which it takes)")
        ("jobs", po::value(&opts.jobs)->default_value(1), "worker threads")
        ("quiet", po::bool_switch(&opts.quiet), "print only results, no summary")
        ("progress", po::bool_switch(&opts.progress),
         "progress line on stderr (default: when stderr is a terminal and stdout is not)")
        ("help,h", "show this help");
    // clang-format on
}

bool parse_arguments(const std::vector<std::string>& args, po::options_description& desc,
                     const po::positional_options_description& positional,
                     const std::string& usage_line, std::ostream& out) {
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(desc).positional(positional).run(), vm);
        if (vm.count("help") != 0U) {
            out << "usage: " << usage_line << "\n\n" << desc;
            return true;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(std::string(e.what()) + " (usage: " + usage_line + ")");
    }
    return false;
}

std::shared_ptr<mailverdict::dns::Resolver> make_resolver(const CommonOptions& opts) {
    namespace dns = mailverdict::dns;
    const int sources = (opts.dns_replay.empty() ? 0 : 1) + (opts.dns_zones.empty() ? 0 : 1) +
                        (opts.dns_servers.empty() ? 0 : 1);
    if (sources > 1) {
        throw UsageError("--dns-replay, --dns-zone and --dns-server exclude each other");
    }
    std::shared_ptr<dns::Resolver> base;
    if (!opts.dns_replay.empty()) {
        base = dns::replay(opts.dns_replay);
    } else if (!opts.dns_zones.empty()) {
        std::vector<fs::path> paths(opts.dns_zones.begin(), opts.dns_zones.end());
        base = dns::zone_files(paths);
    } else {
        dns::LiveOptions live;
        for (const auto& s : opts.dns_servers) {
            live.servers.push_back(dns::Server::parse(s));
        }
        live.timeout = std::chrono::milliseconds(opts.dns_timeout_ms);
        base = dns::live(live);
    }
    if (!opts.dns_record.empty()) {
        base = dns::recording(base, opts.dns_record);
    }
    return dns::caching(base);
}

bool option_given(const std::vector<std::string>& args, const std::string& option) {
    return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
        return a == option || a.rfind(option + "=", 0) == 0;
    });
}

void apply_envelope_arguments(const EnvelopeArguments& a, mailverdict::EnvelopeOptions& e) {
    e.boundary_patterns.insert(e.boundary_patterns.end(), a.boundaries.begin(), a.boundaries.end());
    for (const auto& t : a.trusted) {
        if (auto net = mailverdict::IpNetwork::parse(t)) {
            e.trusted_networks.push_back(*net);
        } else {
            e.trusted_host_suffixes.push_back(t);
        }
    }
    if (!a.ip.empty()) {
        boost::system::error_code ec;
        const auto addr = boost::asio::ip::make_address(a.ip, ec);
        if (ec) {
            throw UsageError("--ip '" + a.ip + "' is not an IP address");
        }
        e.client_ip = addr;
    }
    if (!a.helo.empty()) {
        e.helo = a.helo;
    }
    if (a.mail_from_given) {
        e.mail_from = a.mail_from;
    }
    if (!a.recipients.empty()) {
        e.recipients = a.recipients;
    }
}

bool read_file(const fs::path& path, std::string& bytes, std::string& error) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        error = "is a directory";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = fs::exists(path, ec) ? "cannot be read" : "no such file";
        return false;
    }
    const auto size = fs::file_size(path, ec);
    bytes.clear();
    if (!ec) {
        bytes.reserve(size);
    }
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
        error = "read error";
        return false;
    }
    return true;
}

}  // namespace mvcli
