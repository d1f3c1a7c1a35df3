// DKIM keys served by a real authoritative server (NSD on loopback).
#include <mailverdict/auth/dkim.hpp>
#include <mailverdict/dns/resolver.hpp>

#include "support/dns_server.hpp"

#include <doctest/doctest.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <sstream>

using namespace mailverdict;
using namespace mailverdict::dkim;
using mailverdict::test::NsdServer;
using mailverdict::test::TestZone;

namespace {

const std::filesystem::path kData = std::filesystem::path(MV_SOURCE_DIR) / "tests/auth/data/dkim";

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string rsa_pem() {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048});
    REQUIRE(key != nullptr);
    BIO* bio = BIO_new(BIO_s_mem());
    REQUIRE(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    EVP_PKEY_free(key);
    return pem;
}

}  // namespace

TEST_CASE("NSD on loopback serves the RFC 8463 keys and a generated RSA-2048 key") {
    if (!NsdServer::available()) {
        MESSAGE("nsd is not installed: skipped");
        return;
    }
    auto loaded = SigningKey::from_pem(rsa_pem());
    REQUIRE(loaded);
    const SigningKey key = *loaded.key;
    // The 2048-bit key record is longer than one TXT character-string (255 bytes).
    const std::string record = key.public_record();
    REQUIRE(record.size() > 255);
    std::string strings;
    for (std::size_t i = 0; i < record.size(); i += 250) {
        strings += " \"" + record.substr(i, 250) + "\"";
    }
    std::vector<TestZone> zones = mailverdict::test::zones_from_directory(kData / "zones");
    zones.push_back({"example.com",
                     "$TTL 300\n@ SOA ns1 hostmaster 1 3600 600 86400 60\n NS ns1\n"
                     "ns1 A 192.0.2.53\n"
                     "mail._domainkey TXT" +
                         strings + "\n"});
    NsdServer nsd(zones);
    auto resolver = dns::caching(dns::live({.servers = {dns::Server::parse(nsd.address())},
                                            .timeout = std::chrono::milliseconds{1000}}));

    const auto rfc = verify(Message::parse(read(kData / "rfc8463.eml")), *resolver,
                            std::chrono::sys_seconds{std::chrono::seconds{1528637909}});
    REQUIRE(rfc.signatures.size() == 2);
    CHECK(rfc.signatures[0].result == DkimStatus::pass);
    CHECK(rfc.signatures[1].result == DkimStatus::pass);

    const std::string message =
        "From: a@example.com\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nbody\r\n";
    SignOptions options;
    options.domain = "example.com";
    options.selector = "mail";
    const auto now = std::chrono::sys_seconds{std::chrono::seconds{1700000000}};
    const auto signed_field = sign(Message::parse(message), key, options, now);
    REQUIRE(signed_field);
    const auto r = verify(Message::parse(signed_field.field + message), *resolver, now);
    REQUIRE(r.signatures.size() == 1);
    CHECK(r.signatures[0].result == DkimStatus::pass);
    CHECK(r.signatures[0].key_bits == 2048);

    // A selector NSD does not have: NXDOMAIN from a real server -> permerror "no key".
    options.selector = "absent";
    const auto absent = sign(Message::parse(message), key, options, now);
    REQUIRE(absent);
    const auto none = verify(Message::parse(absent.field + message), *resolver, now);
    CHECK(none.signatures[0].result == DkimStatus::permerror);
    CHECK(none.signatures[0].reason == DkimReason::no_key);
}
