// DKIM verification throughput against the cost of the crypto itself.
//
//   BM_verify/<alg>/<body bytes>   dkim::verify() of a parsed, signed message (one
//                                  signature, relaxed/relaxed), keys from a warm cache
//   BM_ceiling/<alg>/<body bytes>  what any verifier must do at least: SHA-256 of the
//                                  canonical body and of the header input, and one
//                                  EVP verify with an already loaded key
// The ratio ceiling/verify is the efficiency reported in docs/dkim.md; `openssl speed
// -seconds 3 rsa2048 ed25519 sha256` gives the same ceiling from OpenSSL's side.
#include <mailverdict/auth/dkim.hpp>
#include <mailverdict/dns/resolver.hpp>

#include <benchmark/benchmark.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

using namespace mailverdict;

namespace {

const std::chrono::sys_seconds kNow{std::chrono::seconds{1700000000}};

struct Fixture {
    std::shared_ptr<dns::Resolver> resolver;
    dkim::VerifyOptions options;  // with a KeyCache, as a long-running verifier has
    std::map<std::pair<int, std::size_t>, Message> messages;  // (alg, body size)
    std::map<int, EVP_PKEY*> keys;                            // private keys (for the ceiling)
};

std::string pem_of(EVP_PKEY* key) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    return pem;
}

// A realistic plain-text body of about `size` bytes: lines of words with the odd double
// space and trailing blank, like mail clients produce.
std::string make_body(std::size_t size) {
    static const char* const words[] = {"the",    "quarterly", "figures", "are",  "attached",
                                        "please", "review",    "before",  "our",  "meeting",
                                        "on",     "Thursday",  "thanks",  "best", "regards"};
    std::string body;
    std::size_t w = 0;
    while (body.size() < size) {
        std::string line;
        while (line.size() < 70) {
            line += words[w++ % 15];
            line += (w % 53 == 0) ? "  " : " ";  // a double space every ~5 lines
        }
        body += line + "\r\n";
        if (w % 50 == 0) {
            body += "\r\n";
        }
    }
    return body;
}

const std::string kHeader =
    "Received: from mail.example.com (mail.example.com [192.0.2.25]) by mx.example.org with "
    "ESMTPS id abc123; Tue, 14 Nov 2023 22:13:20 +0000\r\n"
    "From: Alice Example <alice@example.com>\r\n"
    "To: Bob Example <bob@example.org>\r\n"
    "Cc: Carol <carol@example.org>\r\n"
    "Subject: Quarterly figures for review\r\n"
    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
    "Message-ID: <20231114221320.12345@mail.example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n";

Fixture& fixture() {
    static Fixture f = [] {
        Fixture fx;
        fx.keys[0] = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048});
        fx.keys[1] = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        std::string zone = "$TTL 3600\n@ SOA ns1 hostmaster 1 3600 600 86400 60\n NS ns1\n";
        std::map<int, dkim::SigningKey> signing;
        for (const auto& [alg, pkey] : fx.keys) {
            auto loaded = dkim::SigningKey::from_pem(pem_of(pkey));
            if (!loaded) {
                throw std::runtime_error(loaded.error);
            }
            signing.emplace(alg, *loaded.key);
            const std::string record = loaded.key->public_record();
            zone += std::string(alg == 0 ? "rsa" : "ed") + "._domainkey TXT";
            for (std::size_t i = 0; i < record.size(); i += 200) {
                zone += " \"" + record.substr(i, 200) + "\"";
            }
            zone += "\n";
        }
        fx.resolver = dns::caching(dns::zone_text(zone, "example.com"));
        fx.options.key_cache = std::make_shared<dkim::KeyCache>();
        for (const std::size_t size : {2048UL, 10240UL, 61440UL}) {
            const std::string unsigned_message = kHeader + make_body(size);
            for (int alg = 0; alg < 2; ++alg) {
                dkim::SignOptions o;
                o.domain = "example.com";
                o.selector = alg == 0 ? "rsa" : "ed";
                const auto s =
                    dkim::sign(Message::parse(unsigned_message), signing.at(alg), o, kNow);
                fx.messages.emplace(std::make_pair(alg, size),
                                    Message::parse(s.field + unsigned_message));
            }
        }
        // Warm the cache and check that everything passes.
        for (const auto& [key, m] : fx.messages) {
            if (dkim::verify(m, *fx.resolver, kNow, fx.options).result != dkim::DkimStatus::pass) {
                throw std::runtime_error("benchmark message does not verify");
            }
        }
        return fx;
    }();
    return f;
}

void BM_verify(benchmark::State& state) {
    Fixture& fx = fixture();
    const int alg = static_cast<int>(state.range(0));
    const auto size = static_cast<std::size_t>(state.range(1));
    const Message& m = fx.messages.at({alg, size});
    for (auto _ : state) {
        auto r = dkim::verify(m, *fx.resolver, kNow, fx.options);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(m.bytes().size()));
    state.SetLabel(alg == 0 ? "rsa-2048" : "ed25519");
}

void BM_verify_no_key_cache(benchmark::State& state) {
    Fixture& fx = fixture();
    const int alg = static_cast<int>(state.range(0));
    const auto size = static_cast<std::size_t>(state.range(1));
    const Message& m = fx.messages.at({alg, size});
    for (auto _ : state) {
        auto r = dkim::verify(m, *fx.resolver, kNow);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetLabel(alg == 0 ? "rsa-2048" : "ed25519");
}

void BM_parse_and_verify(benchmark::State& state) {
    Fixture& fx = fixture();
    const int alg = static_cast<int>(state.range(0));
    const auto size = static_cast<std::size_t>(state.range(1));
    const std::string bytes(fx.messages.at({alg, size}).bytes());
    for (auto _ : state) {
        auto r = dkim::verify(Message::parse(bytes), *fx.resolver, kNow, fx.options);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetLabel(alg == 0 ? "rsa-2048" : "ed25519");
}

// The crypto floor: SHA-256 over the bytes a verifier must hash (the canonical body and
// ~600 bytes of header input), plus one signature verification with a loaded key.
void BM_ceiling(benchmark::State& state) {
    Fixture& fx = fixture();
    const int alg = static_cast<int>(state.range(0));
    const auto size = static_cast<std::size_t>(state.range(1));
    const Message& m = fx.messages.at({alg, size});
    const std::string body = dkim::canonical_body(m.body(), dkim::Canon::relaxed);
    const std::string header(600, 'h');
    EVP_PKEY* key = fx.keys.at(alg);
    // A valid signature over a digest, made once.
    unsigned char digest[32];
    EVP_Digest(header.data(), header.size(), digest, nullptr, EVP_sha256(), nullptr);
    std::vector<unsigned char> sig(512);
    std::size_t sig_size = sig.size();
    if (alg == 0) {
        EVP_PKEY_CTX* c = EVP_PKEY_CTX_new(key, nullptr);
        EVP_PKEY_sign_init(c);
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING);
        EVP_PKEY_CTX_set_signature_md(c, EVP_sha256());
        EVP_PKEY_sign(c, sig.data(), &sig_size, digest, sizeof digest);
        EVP_PKEY_CTX_free(c);
    } else {
        EVP_MD_CTX* c = EVP_MD_CTX_new();
        EVP_DigestSignInit(c, nullptr, nullptr, nullptr, key);
        EVP_DigestSign(c, sig.data(), &sig_size, digest, sizeof digest);
        EVP_MD_CTX_free(c);
    }
    for (auto _ : state) {
        unsigned char body_hash[32];
        unsigned char header_hash[32];
        EVP_Digest(body.data(), body.size(), body_hash, nullptr, EVP_sha256(), nullptr);
        EVP_Digest(header.data(), header.size(), header_hash, nullptr, EVP_sha256(), nullptr);
        int ok = 0;
        if (alg == 0) {
            EVP_PKEY_CTX* c = EVP_PKEY_CTX_new(key, nullptr);
            EVP_PKEY_verify_init(c);
            EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING);
            EVP_PKEY_CTX_set_signature_md(c, EVP_sha256());
            ok = EVP_PKEY_verify(c, sig.data(), sig_size, digest, sizeof digest);
            EVP_PKEY_CTX_free(c);
        } else {
            EVP_MD_CTX* c = EVP_MD_CTX_new();
            EVP_DigestVerifyInit(c, nullptr, nullptr, nullptr, key);
            ok = EVP_DigestVerify(c, sig.data(), sig_size, digest, sizeof digest);
            EVP_MD_CTX_free(c);
        }
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(body_hash);
        benchmark::DoNotOptimize(header_hash);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetLabel(alg == 0 ? "rsa-2048" : "ed25519");
}

void sizes(benchmark::internal::Benchmark* b) {
    for (int alg = 0; alg < 2; ++alg) {
        for (const long size : {2048L, 10240L, 61440L}) {
            b->Args({alg, size});
        }
    }
}

}  // namespace

BENCHMARK(BM_verify)->Apply(sizes);
BENCHMARK(BM_ceiling)->Apply(sizes);
BENCHMARK(BM_parse_and_verify)->Apply(sizes);
BENCHMARK(BM_verify_no_key_cache)->Apply(sizes);

BENCHMARK_MAIN();
