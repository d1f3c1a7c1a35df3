// mailverdict bench-corpus --out DIR [--count N] [--seed S] [--domains D]: the deterministic
// benchmark corpus of issue 9 (messages, zones, envelopes, expected DKIM and ARC results, a
// tenant file).
#include "bench_corpus.hpp"
#include "cli.hpp"

#include <chrono>
#include <iostream>

namespace mvcli {

int cmd_bench_corpus(const std::vector<std::string>& args) {
    bench_corpus::Options o;
    std::string out;
    std::size_t count = 10000;
    std::uint64_t seed = 1;
    std::size_t domains = 50;
    po::options_description desc("mailverdict bench-corpus options");
    // clang-format off
    desc.add_options()
        ("out", po::value(&out), "output directory (created; messages/ and zones/ are emptied)")
        ("count", po::value(&count)->default_value(10000), "number of messages")
        ("seed", po::value(&seed)->default_value(1), "random seed (same seed, same corpus)")
        ("domains", po::value(&domains)->default_value(50),
         "sender domains (each with its own keys and zone; more domains = a colder DNS cache)")
        ("help,h", "show this help");
    // clang-format on
    const std::string usage_line =
        "mailverdict bench-corpus --out DIR [--count N] [--seed S] [--domains D]";
    if (parse_arguments(args, desc, {}, usage_line, std::cout)) {
        return exit_ok;
    }
    if (out.empty()) {
        throw UsageError("--out DIR is required (usage: " + usage_line + ")");
    }
    o.out = out;
    o.count = count;
    o.seed = seed;
    if (domains == 0 || domains > bench_corpus::max_domains) {
        throw UsageError("--domains must be 1.." + std::to_string(bench_corpus::max_domains));
    }
    o.domains = domains;
    const auto start = std::chrono::steady_clock::now();
    const auto s = bench_corpus::generate(o);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::cout << s.messages << " messages (" << s.bytes / 1024 << " KiB, " << s.signatures
              << " DKIM signatures, " << s.broken << " broken on purpose, " << s.list_messages
              << " relayed and ARC-sealed by a mailing list), " << s.domains
              << " sender domains, in " << out << " (" << took.count() << " s)\n";
    return exit_ok;
}

}  // namespace mvcli
