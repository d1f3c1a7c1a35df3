// The zone-file resolver and the live resolver must agree on the same data: every owner
// name and record type of tests/dns/data and corpus/dns is asked of both, NSD serving the
// zones to the live resolver, plus names just below each owner (NXDOMAIN or wildcard).
#include "dns/detail.hpp"
#include "mailverdict/dns/resolver.hpp"
#include "support/dns_server.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <sstream>

using namespace mailverdict::dns;
using mailverdict::test::NsdServer;

namespace {

std::string describe(Answer a) {
    // Order within an RRset is not significant (RFC 2181 5).
    std::sort(a.addresses.begin(), a.addresses.end());
    std::sort(a.mx.begin(), a.mx.end(), [](const auto& x, const auto& y) {
        return std::tie(x.preference, x.exchange) < std::tie(y.preference, y.exchange);
    });
    std::sort(a.txt.begin(), a.txt.end(),
              [](const auto& x, const auto& y) { return x.strings < y.strings; });
    std::sort(a.names.begin(), a.names.end());
    std::ostringstream out;
    out << a.name << " " << to_string(a.type) << " -> " << to_string(a.status) << " cname "
        << a.canonical_name << " ttl " << a.ttl;
    for (const auto& ip : a.addresses)
        out << " " << ip.to_string();
    for (const auto& mx : a.mx)
        out << " MX(" << mx.preference << " " << mx.exchange << ")";
    for (const auto& txt : a.txt) {
        out << " TXT(";
        for (const auto& s : txt.strings)
            out << "\"" << s << "\"";
        out << ")";
    }
    for (const auto& n : a.names)
        out << " " << n;
    return out.str();
}

void compare(const std::vector<std::filesystem::path>& dirs) {
    std::vector<mailverdict::test::TestZone> zones;
    for (const auto& dir : dirs) {
        auto more = mailverdict::test::zones_from_directory(dir);
        zones.insert(zones.end(), more.begin(), more.end());
    }
    REQUIRE_FALSE(zones.empty());
    NsdServer nsd(zones);
    LiveOptions options;
    options.servers = {Server::parse(nsd.address())};
    options.timeout = std::chrono::milliseconds{500};
    auto live_dns = live(options);
    auto zone_dns = zone_files(dirs);

    std::set<std::string> names;
    for (const auto& [owner, types] : detail::zone_contents(dirs)) {
        names.insert(owner);
        if (owner.starts_with("*.")) {
            names.insert("synthesized" + owner.substr(1));
        } else {
            names.insert("no-such-name." + owner);
        }
    }
    const RecordType types[] = {RecordType::A,   RecordType::AAAA, RecordType::MX,
                                RecordType::TXT, RecordType::PTR,  RecordType::CNAME,
                                RecordType::NS,  RecordType::SOA};
    int compared = 0;
    for (const auto& name : names) {
        for (auto type : types) {
            const auto expected = describe(live_dns->query(name, type));
            const auto got = describe(zone_dns->query(name, type));
            CHECK_MESSAGE(got == expected, "zone: " << got << "\nlive: " << expected);
            ++compared;
        }
    }
    MESSAGE(compared << " questions compared");
    CHECK(compared > 100);
}

}  // namespace

TEST_CASE("zone-file and live resolvers agree on tests/dns/data") {
    REQUIRE(NsdServer::available());
    compare({std::filesystem::path(MV_SOURCE_DIR) / "tests/dns/data"});
}

TEST_CASE("zone-file and live resolvers agree on corpus/dns") {
    const auto corpus = std::filesystem::path(MV_SOURCE_DIR) / "corpus/dns";
    if (mailverdict::test::zones_from_directory(corpus).empty())
        return;
    compare({corpus});
}
