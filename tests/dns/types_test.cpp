// Value types, name helpers and the query budget.
#include "dns/detail.hpp"
#include "mailverdict/dns/resolver.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace mailverdict::dns;

namespace {

// Answers every question ok with one A record, and counts the questions.
class CountingResolver final : public Resolver {
public:
    Answer query(std::string_view name, RecordType type) override {
        ++calls;
        Answer a;
        a.name = a.canonical_name = std::string(name);
        a.type = type;
        a.addresses.push_back(boost::asio::ip::make_address("192.0.2.1"));
        return a;
    }
    int calls = 0;
};

}  // namespace

TEST_CASE("to_string names every status and type") {
    CHECK(to_string(DnsStatus::nxdomain) == "nxdomain");
    CHECK(to_string(DnsStatus::budget_exceeded) == "budget_exceeded");
    CHECK(to_string(RecordType::AAAA) == "AAAA");
    CHECK(to_string(RecordType::SPF) == "SPF");
    CHECK(detail::type_name(static_cast<RecordType>(65)) == "65");
    CHECK(detail::parse_type_name("MX") == RecordType::MX);
    CHECK(detail::parse_type_name("257") == static_cast<RecordType>(257));
    CHECK_FALSE(detail::parse_type_name("BOGUS").has_value());
    CHECK_FALSE(detail::parse_type_name("70000").has_value());
}

TEST_CASE("temporary failures are decided in one place") {
    CHECK(is_temporary_failure(DnsStatus::servfail));
    CHECK(is_temporary_failure(DnsStatus::refused));
    CHECK(is_temporary_failure(DnsStatus::timeout));
    CHECK(is_temporary_failure(DnsStatus::formerr));
    CHECK_FALSE(is_temporary_failure(DnsStatus::ok));
    CHECK_FALSE(is_temporary_failure(DnsStatus::nodata));
    CHECK_FALSE(is_temporary_failure(DnsStatus::nxdomain));
    CHECK_FALSE(is_temporary_failure(DnsStatus::budget_exceeded));
}

TEST_CASE("TxtRecord keeps strings apart and joins them without separators") {
    TxtRecord txt{{"v=spf1 ", "ip4:192.0.2.0/24", " -all"}};
    CHECK(txt.strings.size() == 3);
    CHECK(txt.joined() == "v=spf1 ip4:192.0.2.0/24 -all");
    CHECK(TxtRecord{}.joined().empty());
}

TEST_CASE("Answer::empty looks at the field of the asked type") {
    Answer a;
    a.type = RecordType::MX;
    a.addresses.push_back(boost::asio::ip::make_address("192.0.2.1"));
    CHECK(a.empty());
    a.mx.push_back({10, "mail.example.com"});
    CHECK_FALSE(a.empty());
    a.type = RecordType::SPF;
    CHECK(a.empty());
    a.txt.push_back({{"v=spf1"}});
    CHECK_FALSE(a.empty());
}

TEST_CASE("Server::parse accepts address literals with optional ports") {
    auto s = Server::parse("127.0.0.1");
    CHECK(s.host == "127.0.0.1");
    CHECK(s.port == 53);
    s = Server::parse("127.0.0.1:5353");
    CHECK(s.host == "127.0.0.1");
    CHECK(s.port == 5353);
    s = Server::parse("[::1]:5353");
    CHECK(s.host == "::1");
    CHECK(s.port == 5353);
    s = Server::parse("::1");
    CHECK(s.host == "::1");
    CHECK(s.port == 53);
    s = Server::parse("2001:db8::53");
    CHECK(s.host == "2001:db8::53");
    CHECK(Server::parse("[2001:db8::53]").port == 53);

    CHECK_THROWS_AS(Server::parse(""), DnsConfigError);
    CHECK_THROWS_AS(Server::parse("dns.example.com"), DnsConfigError);
    CHECK_THROWS_AS(Server::parse("127.0.0.1:0"), DnsConfigError);
    CHECK_THROWS_AS(Server::parse("127.0.0.1:65536"), DnsConfigError);
    CHECK_THROWS_AS(Server::parse("127.0.0.1:53x"), DnsConfigError);
    CHECK_THROWS_AS(Server::parse("[::1"), DnsConfigError);
    CHECK_THROWS_AS(Server::parse("[::1]5353"), DnsConfigError);
    CHECK_THROWS_WITH_AS(Server::parse("300.1.1.1"), doctest::Contains("300.1.1.1"),
                         DnsConfigError);
}

TEST_CASE("resolv.conf nameserver lines") {
    const auto servers = detail::parse_resolv_conf(
        "# comment\nsearch example.com\nnameserver 10.0.0.1\nnameserver\t::1 # local\n"
        "nameserver fe80::1%eth0\nnameserver bogus\nnameserverx 10.9.9.9\n"
        "options ndots:2\nnameserver 192.0.2.53\r\n");
    REQUIRE(servers.size() == 3);
    CHECK(servers[0].host == "10.0.0.1");
    CHECK(servers[1].host == "::1");
    CHECK(servers[2].host == "192.0.2.53");
    CHECK(servers[2].port == 53);
    CHECK(detail::parse_resolv_conf("").empty());
}

TEST_CASE("names are normalized: lower case, no trailing dot, limits enforced") {
    CHECK(detail::normalize_name("Example.COM.") == "example.com");
    CHECK(detail::normalize_name("example.com") == "example.com");
    CHECK(detail::normalize_name(".") == ".");
    CHECK(detail::normalize_name("_dmarc.Example.com") == "_dmarc.example.com");
    CHECK_FALSE(detail::normalize_name("").has_value());
    CHECK_FALSE(detail::normalize_name("a..b").has_value());
    CHECK_FALSE(detail::normalize_name(".a").has_value());
    CHECK_FALSE(detail::normalize_name(std::string(64, 'a') + ".com").has_value());
    CHECK(detail::normalize_name(std::string(63, 'a') + ".com").has_value());
    std::string long_name;
    for (int i = 0; i < 64; ++i)
        long_name += "abc.";
    CHECK_FALSE(detail::normalize_name(long_name).has_value());  // 256 octets
}

TEST_CASE("parent_name strips one label and respects escaped dots") {
    CHECK(detail::parent_name("a.b.c") == "b.c");
    CHECK(detail::parent_name("c") == ".");
    CHECK_FALSE(detail::parent_name(".").has_value());
    CHECK(detail::parent_name("a\\.b.c") == "c");
}

TEST_CASE("QueryBudget counts queries and stops at the limit without asking") {
    CountingResolver inner;
    QueryBudget budget(inner, 2);
    CHECK(budget.query("a.example.com", RecordType::A).ok());
    CHECK(budget.query("b.example.com", RecordType::A).ok());
    CHECK(budget.used() == 2);
    const auto third = budget.query("C.example.com.", RecordType::TXT);
    CHECK(third.status == DnsStatus::budget_exceeded);
    CHECK(third.name == "c.example.com");
    CHECK(third.type == RecordType::TXT);
    CHECK(third.detail.find('2') != std::string::npos);
    CHECK(inner.calls == 2);
    CHECK(budget.used() == 2);
    CHECK(budget.limit() == 2);

    QueryBudget none(inner, 0);
    CHECK(none.query("example.com", RecordType::A).status == DnsStatus::budget_exceeded);
    CHECK(inner.calls == 2);
}
