// The zone-file resolver answers like an authoritative server for the loaded data.
#include "mailverdict/dns/resolver.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace mailverdict::dns;

namespace {

const std::filesystem::path data_dir = std::filesystem::path(MV_SOURCE_DIR) / "tests/dns/data";

std::string ip(const Answer& a, std::size_t i = 0) {
    return a.addresses.at(i).to_string();
}

const char* const base_zone = R"(
$TTL 300
@        SOA  ns1 hostmaster 1 3600 600 86400 60
         NS   ns1
ns1      A    192.0.2.53
@        A    192.0.2.1
@        AAAA 2001:db8::1
@        MX   10 mail
@        MX   20 Backup.Example.NET.
@        TXT  "v=spf1 " "-all"
mail     A    192.0.2.25
www      CNAME web
web      A    192.0.2.80
alias    CNAME www
loop1    CNAME loop2
loop2    CNAME loop1
deep.ent.sub A 192.0.2.90
*.wild   TXT  "wildcard"
exists.wild MX 5 mail
)";

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "mv-dns-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
    }
};

}  // namespace

TEST_CASE("zone_text answers A, AAAA, MX and TXT with TTLs") {
    auto dns = zone_text(base_zone, "example.com");
    auto a = dns->query("example.com", RecordType::A);
    CHECK(a.status == DnsStatus::ok);
    CHECK(a.name == "example.com");
    CHECK(a.canonical_name == "example.com");
    CHECK(a.ttl == 300);
    REQUIRE(a.addresses.size() == 1);
    CHECK(ip(a) == "192.0.2.1");

    auto aaaa = dns->query("EXAMPLE.com.", RecordType::AAAA);
    CHECK(aaaa.name == "example.com");
    REQUIRE(aaaa.addresses.size() == 1);
    CHECK(ip(aaaa) == "2001:db8::1");

    auto mx = dns->query("example.com", RecordType::MX);
    REQUIRE(mx.mx.size() == 2);
    CHECK(mx.mx[0] == MxRecord{10, "mail.example.com"});
    CHECK(mx.mx[1] == MxRecord{20, "backup.example.net"});  // lower-cased, no dot
    CHECK(mx.addresses.empty());

    auto txt = dns->query("example.com", RecordType::TXT);
    REQUIRE(txt.txt.size() == 1);
    CHECK(txt.txt[0].strings == std::vector<std::string>{"v=spf1 ", "-all"});
    CHECK(txt.txt[0].joined() == "v=spf1 -all");

    auto ns = dns->query("example.com", RecordType::NS);
    CHECK(ns.names == std::vector<std::string>{"ns1.example.com"});
    auto soa = dns->query("example.com", RecordType::SOA);
    CHECK(soa.names == std::vector<std::string>{"ns1.example.com"});
}

TEST_CASE("NXDOMAIN versus NODATA, with the negative TTL from the SOA (RFC 2308)") {
    auto dns = zone_text(base_zone, "example.com");
    auto nodata = dns->query("mail.example.com", RecordType::TXT);
    CHECK(nodata.status == DnsStatus::nodata);
    CHECK(nodata.empty());
    CHECK(nodata.ttl == 60);  // min(SOA TTL 300, MINIMUM 60)

    auto nx = dns->query("nope.example.com", RecordType::A);
    CHECK(nx.status == DnsStatus::nxdomain);
    CHECK(nx.ttl == 60);

    // empty non-terminals exist (RFC 8020): NODATA, not NXDOMAIN
    CHECK(dns->query("ent.sub.example.com", RecordType::A).status == DnsStatus::nodata);
    CHECK(dns->query("sub.example.com", RecordType::TXT).status == DnsStatus::nodata);
    CHECK(dns->query("deep.ent.sub.example.com", RecordType::A).ok());
    CHECK(dns->query("x.deep.ent.sub.example.com", RecordType::A).status == DnsStatus::nxdomain);

    // outside every loaded zone
    auto outside = dns->query("example.org", RecordType::A);
    CHECK(outside.status == DnsStatus::nxdomain);
    CHECK(outside.ttl == 0);
    CHECK(outside.detail.find("no loaded zone") != std::string::npos);
}

TEST_CASE("CNAMEs are followed and the canonical name reported") {
    auto dns = zone_text(base_zone, "example.com");
    auto a = dns->query("alias.example.com", RecordType::A);
    CHECK(a.status == DnsStatus::ok);
    CHECK(a.name == "alias.example.com");
    CHECK(a.canonical_name == "web.example.com");
    REQUIRE(a.addresses.size() == 1);
    CHECK(ip(a) == "192.0.2.80");

    // asking for the CNAME itself does not follow it
    auto cname = dns->query("alias.example.com", RecordType::CNAME);
    CHECK(cname.ok());
    CHECK(cname.canonical_name == "alias.example.com");
    CHECK(cname.names == std::vector<std::string>{"www.example.com"});

    // NODATA at the end of a chain speaks of the last name
    auto nodata = dns->query("www.example.com", RecordType::MX);
    CHECK(nodata.status == DnsStatus::nodata);
    CHECK(nodata.canonical_name == "web.example.com");

    auto loop = dns->query("loop1.example.com", RecordType::A);
    CHECK(loop.status == DnsStatus::servfail);
    CHECK(loop.detail.find("loop") != std::string::npos);
    CHECK(is_temporary_failure(loop.status));
}

TEST_CASE("a CNAME chain longer than 16 is cut with servfail") {
    std::string text = "$TTL 60\n";
    for (int i = 0; i < 20; ++i) {
        text += "c" + std::to_string(i) + " CNAME c" + std::to_string(i + 1) + "\n";
    }
    text += "c20 A 192.0.2.7\n";
    auto dns = zone_text(text, "example.com");
    CHECK(dns->query("c4.example.com", RecordType::A).ok());
    auto longchain = dns->query("c0.example.com", RecordType::A);
    CHECK(longchain.status == DnsStatus::servfail);
    CHECK(longchain.detail.find("longer") != std::string::npos);
}

TEST_CASE("wildcards synthesize answers per RFC 4592") {
    auto dns = zone_text(base_zone, "example.com");
    auto w = dns->query("anything.wild.example.com", RecordType::TXT);
    CHECK(w.ok());
    CHECK(w.name == "anything.wild.example.com");
    CHECK(w.canonical_name == "anything.wild.example.com");
    REQUIRE(w.txt.size() == 1);
    CHECK(w.txt[0].joined() == "wildcard");
    // more than one label below the closest encloser still matches
    CHECK(dns->query("a.b.wild.example.com", RecordType::TXT).ok());
    // the wildcard has no A: NODATA
    CHECK(dns->query("x.wild.example.com", RecordType::A).status == DnsStatus::nodata);
    // an existing name is never answered by the wildcard...
    CHECK(dns->query("exists.wild.example.com", RecordType::TXT).status == DnsStatus::nodata);
    // ...nor are names below it (its closest encloser is exists.wild, which has no *)
    CHECK(dns->query("x.exists.wild.example.com", RecordType::TXT).status == DnsStatus::nxdomain);
    // the wildcard owner itself answers like any name
    CHECK(dns->query("*.wild.example.com", RecordType::TXT).ok());
}

TEST_CASE("a wildcard CNAME is followed from the synthesized name") {
    auto dns = zone_text("$TTL 60\n*.mail CNAME target\ntarget A 192.0.2.5\n", "example.org");
    auto a = dns->query("x.mail.example.org", RecordType::A);
    CHECK(a.ok());
    CHECK(a.canonical_name == "target.example.org");
}

TEST_CASE("$ORIGIN, $TTL, parentheses and explicit TTLs") {
    auto dns = zone_text(R"(
$ORIGIN example.net.
$TTL 900
@ IN SOA ns hm ( 1 2 3 4
                 120 )
a 30 IN A 192.0.2.1
b    IN A 192.0.2.2
$ORIGIN sub.example.net.
c    IN TXT "in sub"
)",
                         ".");
    CHECK(dns->query("a.example.net", RecordType::A).ttl == 30);
    CHECK(dns->query("b.example.net", RecordType::A).ttl == 900);
    CHECK(dns->query("c.sub.example.net", RecordType::TXT).ok());
    CHECK(dns->query("zz.example.net", RecordType::A).ttl == 120);
}

TEST_CASE("TXT strings with escapes and several records") {
    auto dns = zone_text(R"(
$TTL 60
t TXT "a\"quote" "semi\;colon" "\065"
t TXT "second"
)",
                         "example.com");
    auto t = dns->query("t.example.com", RecordType::TXT);
    REQUIRE(t.txt.size() == 2);
    CHECK(t.txt[0].strings == std::vector<std::string>{"a\"quote", "semi;colon", "A"});
    CHECK(t.txt[1].joined() == "second");
}

TEST_CASE("duplicate records are loaded once and RRset TTLs use the minimum") {
    auto dns =
        zone_text("$TTL 60\nx A 192.0.2.1\nx A 192.0.2.1\nx 30 A 192.0.2.2\n", "example.com");
    auto x = dns->query("x.example.com", RecordType::A);
    CHECK(x.addresses.size() == 2);
    CHECK(x.ttl == 30);
}

TEST_CASE("PTR answers") {
    auto dns = zone_files({data_dir / "2.0.192.in-addr.arpa.zone"});
    auto ptr = dns->query("25.2.0.192.in-addr.arpa", RecordType::PTR);
    CHECK(ptr.ok());
    CHECK(ptr.names == std::vector<std::string>{"mail.example.com"});
    CHECK(dns->query("26.2.0.192.in-addr.arpa", RecordType::PTR).ttl == 120);
}

TEST_CASE("zone_files loads a directory, naming each zone after its file") {
    auto dns = zone_files({data_dir});
    CHECK(dns->query("example.com", RecordType::TXT).ok());
    CHECK(dns->query("_spf.example.net", RecordType::TXT).ok());
    CHECK(dns->query("mixed.case.example.net", RecordType::A).ok());
    CHECK(dns->query("1.2.0.192.in-addr.arpa", RecordType::PTR).names.at(0) == "example.com");
    // negative TTLs come from each zone's own SOA
    CHECK(dns->query("nope.example.com", RecordType::A).ttl == 60);
    CHECK(dns->query("nope.example.net", RecordType::A).ttl == 600);

    TempDir dir;
    dir.write("relative.example.zone", "$TTL 60\n@ SOA ns hm 1 2 3 4 5\nwww A 192.0.2.9\n");
    dir.write("README.md", "not a zone \"");
    dir.write(".hidden", "garbage (");
    auto rel = zone_files({dir.path});
    CHECK(rel->query("www.relative.example", RecordType::A).ok());
}

TEST_CASE("a zone that does not parse names file and line") {
    CHECK_THROWS_WITH_AS(zone_text("$TTL 60\nok A 192.0.2.1\nbad A 300.1.2.3\n", "example.com"),
                         doctest::Contains("<zone text>:3"), DnsConfigError);
    TempDir dir;
    dir.write("broken.example.zone", "$TTL 60\n\n\nx MX notanumber\n");
    const auto file = (dir.path / "broken.example.zone").string();
    CHECK_THROWS_WITH_AS(zone_files({dir.path}), doctest::Contains((file + ":4").c_str()),
                         DnsConfigError);
    CHECK_THROWS_WITH_AS(zone_files({dir.path / "missing.zone"}), doctest::Contains("missing.zone"),
                         DnsConfigError);
    CHECK_THROWS_AS(zone_text("x A 192.0.2.1\n", "bad..origin"), DnsConfigError);
}

TEST_CASE("empty zone text and invalid names") {
    auto empty = zone_text("");
    CHECK(empty->query("example.com", RecordType::A).status == DnsStatus::nxdomain);
    auto dns = zone_text(base_zone, "example.com");
    auto bad = dns->query("a..example.com", RecordType::A);
    CHECK(bad.status == DnsStatus::formerr);
}

TEST_CASE("every corpus zone loads") {
    const auto corpus = std::filesystem::path(MV_SOURCE_DIR) / "corpus/dns";
    if (!std::filesystem::is_directory(corpus))
        return;
    auto dns = zone_files({corpus});
    CHECK(dns != nullptr);
}
