// Shared plumbing of the mailverdict command-line tool: common options, the resolver
// they select and exit codes (the inputs are in inputs.hpp). Each subcommand lives in
// cmd_<name>.cpp.
#pragma once

#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/message/received.hpp>

#include <boost/program_options.hpp>

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace mvcli {

namespace po = boost::program_options;

// Exit codes of the brief: 0 success, 1 some input could not be processed,
// 2 usage or configuration error.
inline constexpr int exit_ok = 0;
inline constexpr int exit_input_error = 1;
inline constexpr int exit_usage = 2;

// A usage or configuration error: main prints one line and exits with 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class Format { text, json, jsonl, headers, table };

struct CommonOptions {
    std::vector<std::string> dns_servers;  // HOST[:PORT], repeatable
    std::vector<std::string> dns_zones;    // FILE|DIR, repeatable (offline)
    std::string dns_record;                // record every DNS answer to this file
    std::string dns_replay;                // answer from a recorded file
    unsigned dns_timeout_ms = 2000;
    unsigned dns_deadline_ms = 10000;  // total DNS time per message (docs/limits.md)
    std::string format = "text";
    unsigned jobs = 1;
    bool quiet = false;
    bool progress = false;  // progress line on stderr even when it is not a terminal

    [[nodiscard]] Format parsed_format(std::initializer_list<Format> allowed) const;
};

// Adds --dns-server, --dns-zone, --dns-record, --dns-replay, --dns-timeout, --format,
// --jobs, --quiet, --progress to `desc`, bound to `opts`.
void add_common_options(po::options_description& desc, CommonOptions& opts);

// Parses `args` (the words after the subcommand) against `desc` and `positional`,
// throwing UsageError with a readable message. Returns true if --help was asked
// (the help text has then been printed to `out`).
bool parse_arguments(const std::vector<std::string>& args, po::options_description& desc,
                     const po::positional_options_description& positional,
                     const std::string& usage_line, std::ostream& out);

// The resolver the common options select: replay file, else zone files, else live
// servers (default: /etc/resolv.conf), wrapped in a cache and, with --dns-record,
// a recorder. Throws UsageError on a configuration problem.
std::shared_ptr<mailverdict::dns::Resolver> make_resolver(const CommonOptions& opts);

// True when `option` ("--mail-from") was given, as "--option VALUE" or "--option=VALUE":
// tells an empty value (--mail-from '', the null sender) from an absent one.
bool option_given(const std::vector<std::string>& args, const std::string& option);

// What the command line says about the SMTP session of a saved message. Empty strings
// and lists mean "derive it from the message".
struct EnvelopeArguments {
    std::vector<std::string> boundaries;  // --boundary PATTERN
    std::vector<std::string> trusted;     // --trusted HOST|CIDR
    std::string ip;                       // --ip
    std::string helo;                     // --helo
    std::string mail_from;                // --mail-from ("" = null sender when given)
    bool mail_from_given = false;
    std::vector<std::string> recipients;  // --recipient
};

// Applies the arguments over `e` (throws UsageError for an --ip that is no address).
void apply_envelope_arguments(const EnvelopeArguments& a, mailverdict::EnvelopeOptions& e);

// Reads a whole file; nullopt-like empty optional with `error` set on failure.
bool read_file(const std::filesystem::path& path, std::string& bytes, std::string& error);

// Subcommands. Each gets the words after its name and returns an exit code.
int cmd_parse(const std::vector<std::string>& args);
int cmd_spf(const std::vector<std::string>& args);
int cmd_dkim(const std::vector<std::string>& args);
int cmd_sign(const std::vector<std::string>& args);
int cmd_dmarc(const std::vector<std::string>& args);
int cmd_arc(const std::vector<std::string>& args);
int cmd_auth(const std::vector<std::string>& args);
int cmd_verdict(const std::vector<std::string>& args);
int cmd_learn(const std::vector<std::string>& args);
int cmd_report(const std::vector<std::string>& args);
int cmd_diff(const std::vector<std::string>& args);
int cmd_submissions(const std::vector<std::string>& args);
int cmd_posture(const std::vector<std::string>& args);
int cmd_bench_corpus(const std::vector<std::string>& args);
int cmd_bench(const std::vector<std::string>& args);

}  // namespace mvcli
