// mailverdict: what Defender for Office 365 / EOP would do with a message, and why.
#include "cli.hpp"
#include "engine_setup.hpp"

#include <mailverdict/dns/resolver.hpp>

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Subcommand {
    std::string_view name;
    int (*run)(const std::vector<std::string>&);
    std::string_view summary;
};

constexpr Subcommand subcommands[] = {
    {"parse", mvcli::cmd_parse, "parsed summary of each message (FILE|DIR...)"},
    {"spf", mvcli::cmd_spf, "SPF check_host() for --ip, --mail-from, --helo"},
    {"dkim", mvcli::cmd_dkim, "verify every DKIM signature of a message"},
    {"sign", mvcli::cmd_sign, "DKIM-sign a message (tests, corpora)"},
    {"dmarc", mvcli::cmd_dmarc, "DMARC result of a message (with SPF and DKIM)"},
    {"arc", mvcli::cmd_arc, "ARC chain validation of a message"},
    {"auth", mvcli::cmd_auth, "SPF + DKIM + ARC + DMARC with an Authentication-Results header"},
    {"verdict", mvcli::cmd_verdict,
     "what Defender for Office 365 would do, per recipient, and why"},
    {"learn", mvcli::cmd_learn, "mailbox-intelligence contact graph from history (--out DB)"},
    {"report", mvcli::cmd_report, "pilot report: insights, overrides, readiness (DIR...)"},
    {"diff", mvcli::cmd_diff, "what changes between two tenant files (--policy A --policy B)"},
    {"submissions", mvcli::cmd_submissions,
     "score user-reported labels against a tenant file, suggest tuning (--labels)"},
    {"posture", mvcli::cmd_posture, "configuration analyzer and MX cut-over readiness (--policy)"},
    {"bench-corpus", mvcli::cmd_bench_corpus,
     "write the deterministic benchmark corpus (--out DIR)"},
    {"bench", mvcli::cmd_bench, "whole-corpus throughput of parse, auth or verdict (DIR)"},
};

void usage(std::ostream& out) {
    out << "usage: mailverdict <command> [options] [args]\n\ncommands:\n";
    for (const auto& c : subcommands) {
        out << "  " << c.name << std::string(c.name.size() < 10 ? 10 - c.name.size() : 1, ' ')
            << c.summary << "\n";
    }
    out << "\nmailverdict <command> --help shows the options of a command.\n"
           "Exit codes: 0 success, 1 some input could not be processed, 2 usage or "
           "configuration error.\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(std::cerr);
        return mvcli::exit_usage;
    }
    const std::string_view command = argv[1];
    if (command == "--help" || command == "-h" || command == "help") {
        usage(std::cout);
        return mvcli::exit_ok;
    }
    const std::vector<std::string> args(argv + 2, argv + argc);
    for (const auto& c : subcommands) {
        if (c.name != command) {
            continue;
        }
        try {
            return c.run(args);
        } catch (const mvcli::ConfigurationError& e) {
            std::cerr << e.what() << "\n";
        } catch (const mvcli::UsageError& e) {
            std::cerr << "mailverdict " << command << ": " << e.what() << "\n";
        } catch (const mailverdict::dns::DnsConfigError& e) {
            std::cerr << "mailverdict " << command << ": DNS configuration: " << e.what() << "\n";
        } catch (const std::exception& e) {
            std::cerr << "mailverdict " << command << ": " << e.what() << "\n";
        }
        return mvcli::exit_usage;
    }
    std::cerr << "mailverdict: unknown command '" << command << "'\n";
    usage(std::cerr);
    return mvcli::exit_usage;
}
