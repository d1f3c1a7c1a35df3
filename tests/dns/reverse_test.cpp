// Forward-confirmed reverse DNS against zone data written for the test.
#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/dns/reverse.hpp>

#include <doctest/doctest.h>

using namespace mailverdict::dns;
using boost::asio::ip::make_address;

TEST_CASE("reverse_name follows RFC 1035 3.5 and RFC 3596 2.5") {
    CHECK(reverse_name(make_address("192.0.2.1")) == "1.2.0.192.in-addr.arpa");
    CHECK(reverse_name(make_address("::ffff:192.0.2.1")) == "1.2.0.192.in-addr.arpa");
    // RFC 3596 2.5 example: 4321:0:1:2:3:4:567:89ab
    CHECK(reverse_name(make_address("4321:0:1:2:3:4:567:89ab")) ==
          "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa");
}

TEST_CASE("forward_confirmed_reverse accepts only a name that maps back to the address") {
    auto zone = zone_text(R"(
$TTL 300
example.com.            SOA ns.example.com. h.example.com. 1 3600 600 86400 60
mail.example.com.       A   192.0.2.10
mail.example.com.       A   192.0.2.12
liar.example.com.       A   192.0.2.99
2.0.192.in-addr.arpa.   SOA ns.example.com. h.example.com. 1 3600 600 86400 60
10.2.0.192.in-addr.arpa. PTR mail.example.com.
11.2.0.192.in-addr.arpa. PTR liar.example.com.
12.2.0.192.in-addr.arpa. PTR liar.example.com.
12.2.0.192.in-addr.arpa. PTR mail.example.com.
)");
    const auto ok = forward_confirmed_reverse(*zone, make_address("192.0.2.10"));
    CHECK(ok.status == DnsStatus::ok);
    REQUIRE(ok.verified);
    CHECK(*ok.verified == "mail.example.com");

    const auto liar = forward_confirmed_reverse(*zone, make_address("192.0.2.11"));
    CHECK(liar.names == std::vector<std::string>{"liar.example.com"});
    CHECK_FALSE(liar.verified);
    CHECK(liar.detail.find("resolves back") != std::string::npos);

    const auto none = forward_confirmed_reverse(*zone, make_address("192.0.2.13"));
    CHECK(none.status == DnsStatus::nxdomain);
    CHECK_FALSE(none.verified);

    // One of two PTR names maps back: that one is the verified name.
    const auto both = forward_confirmed_reverse(*zone, make_address("192.0.2.12"));
    CHECK(both.names.size() == 2);
    REQUIRE(both.verified);
    CHECK(*both.verified == "mail.example.com");

    // max_names bounds the forward lookups: with 0, nothing is checked.
    const auto bounded = forward_confirmed_reverse(*zone, make_address("192.0.2.12"), 0);
    CHECK(bounded.names.empty());
    CHECK_FALSE(bounded.verified);
}
