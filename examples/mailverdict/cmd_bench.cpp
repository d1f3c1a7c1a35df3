// mailverdict bench DIR [--stage parse|spf|dkim|arc|dmarc|auth|verdict] [--jobs N] [--dns-zone DIR
// |
// --dns-server HOST:PORT] [--warm] [--no-prefetch] [--dns-deadline MS]: whole-corpus throughput on
// a corpus written by `mailverdict bench-corpus`. Every message is read into memory first; then one
// stage is timed over all of them (wall clock) on N workers, with a new caching resolver (cold) or
// after one untimed pass over the corpus (warm). Prints messages/s and peak RSS.
//
// Stages (docs/performance.md): parse = Message::parse; spf = check_host() of the MAIL FROM
// (no parse); dkim = parse + every signature verified; arc = parse + ARC chain validation;
// dmarc = DMARC alone (record discovery, alignment, policy) on the SPF and DKIM results of an
// untimed pass made with a separate resolver, so the timed one starts cold; auth = parse +
// SPF + DKIM + ARC + DMARC (auth::authenticate); verdict = parse + verdict::Engine::evaluate.
#include "cli.hpp"
#include "ordered_pool.hpp"

#include <mailverdict/auth/authenticate.hpp>
#include <mailverdict/message/message.hpp>
#include <mailverdict/policy/tenant.hpp>
#include <mailverdict/verdict/engine.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

namespace mvcli {

using namespace mailverdict;

namespace {

struct Sample {
    std::string bytes;
    Envelope envelope;
    verdict::EvaluateOptions eval;
    dmarc::DmarcInput dmarc_input;  // --stage dmarc: SPF and DKIM results, made untimed
};

// Outcome of one message, tallied to show the run did real work (not all temperror).
struct Outcome {
    std::string dkim;
    std::string spf;
    std::string arc;  // the chain validation status (RFC 8617 4.4)
    std::string dmarc;
    std::string folder;
};

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    std::string field;
    while (std::getline(in, field, '\t')) {
        out.push_back(field);
    }
    return out;
}

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// User + system CPU time of the process (every thread), in seconds: on a shared machine
// messages per CPU second moves less with the load than messages per wall second.
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

}  // namespace

int cmd_bench(const std::vector<std::string>& args) {
    CommonOptions common;
    std::string dir;
    std::string stage = "auth";
    bool warm = false;
    bool no_prefetch = false;
    unsigned dns_deadline_ms = 10000;
    po::options_description desc("mailverdict bench options");
    // clang-format off
    desc.add_options()
        ("dir", po::value(&dir), "corpus directory written by `mailverdict bench-corpus`")
        ("stage", po::value(&stage)->default_value("auth"),
         "parse, spf, dkim, arc, dmarc, auth or verdict")
        ("warm", po::bool_switch(&warm), "time a second pass (DNS cache warm)")
        ("no-prefetch", po::bool_switch(&no_prefetch),
         "ask each message's DNS questions one after the other (no batch)")
        ("dns-deadline", po::value(&dns_deadline_ms)->default_value(10000),
         "total DNS time per message in ms (0: none)");
    // clang-format on
    add_common_options(desc, common);
    po::positional_options_description pos;
    pos.add("dir", 1);
    const std::string usage_line =
        "mailverdict bench DIR [--stage parse|spf|dkim|arc|dmarc|auth|verdict] [--jobs N] "
        "[--dns-zone DIR | "
        "--dns-server HOST:PORT] [--warm] [--no-prefetch] [--dns-deadline MS]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    if (dir.empty()) {
        throw UsageError("no corpus directory (usage: " + usage_line + ")");
    }
    static constexpr std::array<std::string_view, 7> stages = {"parse", "spf",  "dkim",   "arc",
                                                               "dmarc", "auth", "verdict"};
    if (std::find(stages.begin(), stages.end(), stage) == stages.end()) {
        throw UsageError("--stage must be parse, spf, dkim, arc, dmarc, auth or verdict");
    }
    const std::filesystem::path root(dir);
    if (common.dns_servers.empty() && common.dns_zones.empty() && common.dns_replay.empty()) {
        common.dns_zones.push_back((root / "zones").string());
    }

    // The corpus, in memory.
    std::ifstream env_file(root / "envelopes.tsv");
    if (!env_file) {
        throw UsageError((root / "envelopes.tsv").string() + ": cannot read");
    }
    std::vector<Sample> samples;
    std::size_t total_bytes = 0;
    // Evaluation time: a day after the corpus epoch (signatures carry t= in the past).
    const std::chrono::sys_seconds now{std::chrono::seconds{1772409600 + 86400}};
    for (std::string line; std::getline(env_file, line);) {
        if (line.empty() || line.front() == '#') {
            continue;
        }
        const auto f = split_tabs(line);
        if (f.size() != 5) {
            throw UsageError("envelopes.tsv: bad line: " + line);
        }
        Sample s;
        std::string error;
        if (!read_file(root / "messages" / f[0], s.bytes, error)) {
            std::cerr << "mailverdict bench: " << f[0] << ": " << error << "\n";
            return exit_input_error;
        }
        total_bytes += s.bytes.size();
        const auto ip = boost::asio::ip::make_address(f[1]);
        s.envelope.client_ip = ip;
        s.envelope.helo = f[2];
        s.envelope.mail_from = f[3];
        s.envelope.recipients = {f[4]};
        s.envelope.client_source = EnvelopeSource::none;
        s.eval.client_ip = ip;
        s.eval.helo = f[2];
        s.eval.mail_from = f[3];
        s.eval.recipients = {f[4]};
        s.eval.now = now;
        samples.push_back(std::move(s));
    }
    const double rss_loaded = peak_rss_mib();

    auto loaded = psl::PublicSuffixList::system();
    if (!loaded) {
        throw UsageError(loaded.error);
    }
    const psl::PublicSuffixList list = *loaded.list;
    std::optional<Tenant> tenant;
    if (stage == "verdict") {
        tenant.emplace(Tenant::load((root / "tenant.yaml").string()));
    }
    auth::AuthenticateOptions ao;
    ao.now = now;
    ao.dns_deadline = std::chrono::milliseconds(dns_deadline_ms);
    // A long-running verifier keeps decoded keys next to its DNS cache (the verdict
    // engine has its own).
    ao.dkim.key_cache = std::make_shared<dkim::KeyCache>();
    ao.prefetch = !no_prefetch;

    if (stage == "dmarc") {
        // DMARC's inputs, from a resolver of their own: the timed resolver has not yet
        // seen a DMARC question when the cold pass starts.
        auto inputs_resolver = make_resolver(common);
        for (auto& s : samples) {
            s.dmarc_input =
                auth::authenticate(Message::parse(s.bytes), s.envelope, *inputs_resolver, list, ao)
                    .dmarc_input;
        }
    }
    spf::SpfOptions spf_options = ao.spf;  // as auth::authenticate fills them
    spf_options.receiver = ao.authserv_id;
    spf_options.now = now.time_since_epoch().count();
    arc::ArcOptions arc_options = ao.arc;
    arc_options.key_cache = ao.dkim.key_cache;

    // A new caching resolver: the first pass is cold.
    auto resolver = make_resolver(common);
    std::optional<verdict::Engine> engine;
    if (tenant) {
        verdict::EngineOptions eo;
        eo.list = list;
        eo.auth.dns_deadline = ao.dns_deadline;
        eo.auth.prefetch = ao.prefetch;
        engine.emplace(*tenant, *resolver, std::move(eo));
    }
    const std::function<Outcome(std::size_t)> work = [&](std::size_t i) {
        const auto& s = samples[i];
        Outcome o;
        // SPF and DMARC alone read no message bytes.
        if (stage == "spf") {
            o.spf = std::string(spf::to_string(
                spf::check_mail_from(*resolver, *s.envelope.client_ip, *s.envelope.mail_from,
                                     s.envelope.helo, spf_options)
                    .result));
            return o;
        }
        if (stage == "dmarc") {
            o.dmarc = std::string(
                dmarc::evaluate(*resolver, list, s.dmarc_input, ao.dmarc).microsoft_result());
            return o;
        }
        const Message m = Message::parse(s.bytes);
        auto first_dkim = [](const dkim::DkimResult& r) {
            return r.signatures.empty() ? std::string("none")
                                        : std::string(dkim::to_string(r.signatures.front().result));
        };
        if (stage == "parse") {
            o.dkim = m.defects().empty() ? "clean" : "defects";
        } else if (stage == "dkim") {
            o.dkim = first_dkim(dkim::verify(m, *resolver, now, ao.dkim));
        } else if (stage == "arc") {
            o.arc = std::string(arc::to_string(arc::validate(m, *resolver, arc_options).cv));
        } else if (stage == "auth") {
            const auto a = auth::authenticate(m, s.envelope, *resolver, list, ao);
            o.dkim = first_dkim(a.dkim);
            o.spf = a.spf ? std::string(spf::to_string(a.spf->result)) : "none";
            o.arc = std::string(arc::to_string(a.arc.cv));
            o.dmarc = std::string(a.dmarc.microsoft_result());
        } else {
            const auto v = engine->evaluate(m, s.eval);
            o.arc = std::string(arc::to_string(v.auth.arc.cv));
            o.dmarc = std::string(v.auth.dmarc.microsoft_result());
            o.folder = v.recipients.empty()
                           ? "none"
                           : std::string(verdict::to_string(v.recipients.front().final.folder));
        }
        return o;
    };
    std::map<std::string, std::size_t> tally;
    const std::function<void(Outcome &&)> emit = [&](Outcome&& o) {
        for (const auto& [k, v] : {std::pair<const char*, const std::string&>{"dkim", o.dkim},
                                   {"spf", o.spf},
                                   {"arc", o.arc},
                                   {"dmarc", o.dmarc},
                                   {"folder", o.folder}}) {
            if (!v.empty()) {
                ++tally[std::string(k) + "=" + v];
            }
        }
    };
    if (warm) {
        run_ordered(samples.size(), common.jobs, work, emit);
        tally.clear();
    }
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_seconds();
    run_ordered(samples.size(), common.jobs, work, emit);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    const double cpu = cpu_seconds() - cpu_start;

    const double rate = static_cast<double>(samples.size()) / took.count();
    std::cout << std::fixed << std::setprecision(3) << "stage=" << stage << " jobs=" << common.jobs
              << " cache=" << (warm ? "warm" : "cold") << " messages=" << samples.size()
              << " MiB=" << std::setprecision(1) << static_cast<double>(total_bytes) / 1048576.0
              << std::setprecision(3) << " seconds=" << took.count() << std::setprecision(0)
              << " messages/s=" << rate << " cpu_seconds=" << std::setprecision(3) << cpu
              << std::setprecision(0)
              << " messages/cpu_s=" << static_cast<double>(samples.size()) / std::max(cpu, 1e-9)
              << std::setprecision(1) << " peak_rss_MiB=" << peak_rss_mib()
              << " (corpus loaded: " << rss_loaded << ")\n ";
    for (const auto& [k, n] : tally) {
        std::cout << " " << k << ":" << n;
    }
    std::cout << "\n";
    return exit_ok;
}

}  // namespace mvcli
