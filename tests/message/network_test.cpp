// IP networks: CIDR parsing, membership, IPv4-mapped addresses, prefix comparison.
#include <mailverdict/message/network.hpp>

#include <doctest/doctest.h>

using namespace mailverdict;

namespace {

boost::asio::ip::address addr(const char* text) {
    return boost::asio::ip::make_address(text);
}

IpNetwork net(const char* text) {
    auto parsed = IpNetwork::parse(text);
    REQUIRE_MESSAGE(parsed.has_value(), text);
    return *parsed;
}

}  // namespace

TEST_CASE("network: parse valid CIDR") {
    CHECK(net("192.0.2.0/24").to_string() == "192.0.2.0/24");
    CHECK(net("192.0.2.77/24").to_string() == "192.0.2.0/24");  // host bits cleared
    CHECK(net("192.0.2.77/25").to_string() == "192.0.2.0/25");
    CHECK(net("192.0.2.200/25").to_string() == "192.0.2.128/25");
    CHECK(net("192.0.2.1").to_string() == "192.0.2.1/32");
    CHECK(net("0.0.0.0/0").to_string() == "0.0.0.0/0");
    CHECK(net("10.1.2.3/0").to_string() == "0.0.0.0/0");
    CHECK(net("10.255.255.255/9").to_string() == "10.128.0.0/9");
    CHECK(net("2001:db8::/32").to_string() == "2001:db8::/32");
    CHECK(net("2001:DB8:1:2::5/48").to_string() == "2001:db8:1::/48");
    CHECK(net("2001:db8::1").to_string() == "2001:db8::1/128");
    CHECK(net("2001:db8:ffff::/33").to_string() == "2001:db8:8000::/33");
    CHECK(net("::/0").to_string() == "::/0");
    CHECK(net("::ffff:192.0.2.0/120").to_string() == "192.0.2.0/24");  // mapped -> IPv4
    CHECK(net("::ffff:192.0.2.9").to_string() == "192.0.2.9/32");
    CHECK(net("::ffff:0:0/80").to_string() == "::/80");  // wider than mapped space: IPv6
}

TEST_CASE("network: parse rejects garbage") {
    for (const char* bad : {"",
                            "/",
                            "/24",
                            "1.2.3.4/",
                            "1.2.3.4/33",
                            "1.2.3.4/-1",
                            "1.2.3.4/+8",
                            "1.2.3.4/024",
                            "1.2.3.4/00",
                            "1.2.3.4/8/8",
                            "1.2.3.4/ 8",
                            " 1.2.3.4/8",
                            "1.2.3.4/1000",
                            "1.2.3.04",  // leading zero: octal to inet_aton, refused
                            "01.2.3.4",
                            "1.2.3",
                            "1.2.3.4.5",
                            "256.0.0.0",
                            "127.1",
                            "1",
                            "0x7f.0.0.1",
                            "2001:db8::/129",
                            "2001:db8:::1",
                            "2001:db8::g",
                            "fe80::1%eth0",
                            "fe80::1%1",
                            "[2001:db8::1]",
                            "::ffff:1.2.3.04",
                            "1.2.3.4\n",
                            "1.2.3.4/8x"}) {
        CAPTURE(bad);
        CHECK_FALSE(IpNetwork::parse(bad).has_value());
    }
}

TEST_CASE("network: contains") {
    const IpNetwork v4 = net("192.0.2.0/24");
    CHECK(v4.contains(addr("192.0.2.0")));
    CHECK(v4.contains(addr("192.0.2.255")));
    CHECK_FALSE(v4.contains(addr("192.0.3.0")));
    CHECK_FALSE(v4.contains(addr("192.0.1.255")));
    CHECK(v4.contains(addr("::ffff:192.0.2.44")));  // IPv4-mapped counts as IPv4
    CHECK_FALSE(v4.contains(addr("::ffff:192.0.3.44")));
    CHECK_FALSE(v4.contains(addr("::c000:22c")));  // IPv4-compatible is plain IPv6

    const IpNetwork v6 = net("2001:db8::/32");
    CHECK(v6.contains(addr("2001:db8:ffff::1")));
    CHECK_FALSE(v6.contains(addr("2001:db9::1")));
    CHECK_FALSE(v6.contains(addr("192.0.2.1")));

    CHECK(net("0.0.0.0/0").contains(addr("203.0.113.9")));
    CHECK_FALSE(net("0.0.0.0/0").contains(addr("2001:db8::1")));
    CHECK(net("::/0").contains(addr("2001:db8::1")));
    CHECK_FALSE(net("::/0").contains(addr("::ffff:192.0.2.1")));  // RFC 7208 5: IPv4 client

    CHECK(net("203.0.113.7").contains(addr("203.0.113.7")));
    CHECK_FALSE(net("203.0.113.7").contains(addr("203.0.113.6")));

    // A network built by hand from a mapped address still acts as the IPv4 network.
    IpNetwork mapped{addr("::ffff:198.51.100.0"), 120};
    CHECK(mapped.contains(addr("198.51.100.200")));
    CHECK_FALSE(mapped.contains(addr("198.51.101.1")));
}

TEST_CASE("network: prefix_equal and unmap") {
    CHECK(prefix_equal(addr("192.0.2.1"), addr("192.0.2.254"), 24));
    CHECK_FALSE(prefix_equal(addr("192.0.2.1"), addr("192.0.2.254"), 25));
    CHECK(prefix_equal(addr("192.0.2.1"), addr("192.0.2.127"), 25));
    CHECK(prefix_equal(addr("10.0.0.1"), addr("11.0.0.1"), 7));
    CHECK_FALSE(prefix_equal(addr("10.0.0.1"), addr("11.0.0.1"), 8));
    CHECK(prefix_equal(addr("1.2.3.4"), addr("200.2.3.4"), 0));
    CHECK(prefix_equal(addr("1.2.3.4"), addr("1.2.3.4"), 32));
    CHECK_FALSE(prefix_equal(addr("1.2.3.4"), addr("1.2.3.5"), 32));
    CHECK_FALSE(prefix_equal(addr("1.2.3.4"), addr("1.2.3.4"), 33));
    CHECK(prefix_equal(addr("2001:db8:1234::1"), addr("2001:db8:1235::1"), 47));
    CHECK_FALSE(prefix_equal(addr("2001:db8:1234::1"), addr("2001:db8:1235::1"), 48));
    CHECK(prefix_equal(addr("2001:db8::1"), addr("2001:db8::1"), 128));
    CHECK_FALSE(prefix_equal(addr("2001:db8::1"), addr("2001:db8::1"), 129));
    CHECK_FALSE(prefix_equal(addr("192.0.2.1"), addr("2001:db8::1"), 0));
    CHECK(prefix_equal(addr("::ffff:192.0.2.1"), addr("192.0.2.99"), 24));

    CHECK(unmap(addr("::ffff:192.0.2.1")) == addr("192.0.2.1"));
    CHECK(unmap(addr("::ffff:192.0.2.1")).is_v4());
    CHECK(unmap(addr("2001:db8::1")) == addr("2001:db8::1"));
    CHECK(unmap(addr("192.0.2.1")) == addr("192.0.2.1"));
}

TEST_CASE("network: parse_address") {
    CHECK(parse_address("192.0.2.1") == addr("192.0.2.1"));
    CHECK(parse_address("2001:DB8::1") == addr("2001:db8::1"));
    CHECK(parse_address("::ffff:192.0.2.1") == addr("::ffff:192.0.2.1"));
    CHECK_FALSE(parse_address("192.0.2.1/32"));
    CHECK_FALSE(parse_address("192.0.2.010"));
    CHECK_FALSE(parse_address("fe80::1%lo"));
    CHECK_FALSE(parse_address("localhost"));
    CHECK_FALSE(parse_address("1111:2222:3333:4444:5555:6666:7777:8888:9999"));
}
