// The benchmark corpus generator behind `mailverdict bench-corpus` (issue 9 item 1):
// deterministic for a seed, keys made by the tool itself, never checked in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

namespace mvcli::bench_corpus {

struct Options {
    std::filesystem::path out;
    std::size_t count = 10000;
    std::uint64_t seed = 1;
    // Sender domains, each with its own keys, SPF chain, DMARC record and /24. With the
    // default 50 a cold DNS cache is warm after ~100 messages; a number of the order of
    // the message count makes "cold" ask the server for most messages. At most
    // max_domains (256 in 198.18.0.0/16, the rest in 100.64.0.0/10).
    std::size_t domains = 50;
};

inline constexpr std::size_t max_domains = 256 + 64 * 256;

struct Stats {
    std::size_t messages = 0;
    std::size_t domains = 0;
    std::size_t signatures = 0;
    std::size_t broken = 0;
    std::size_t list_messages = 0;  // relayed (changed and ARC-sealed) by the mailing list
    std::size_t bytes = 0;
};

// Writes out/messages/*.eml, out/zones/*.zone, out/envelopes.tsv, out/expected.tsv and
// out/tenant.yaml. Throws std::runtime_error on an I/O or key problem.
Stats generate(const Options& options);

// A PEM RSA private key of `bits` bits whose primes come from `rng` (deterministic).
std::string rsa_private_pem(std::mt19937_64& rng, int bits);

}  // namespace mvcli::bench_corpus
