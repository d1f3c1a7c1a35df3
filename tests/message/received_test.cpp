// Received field parsing: one test per MTA dialect, then edge cases and hostile input.
#include <mailverdict/message/received.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>

using namespace mailverdict;
using namespace std::chrono;

namespace {

boost::asio::ip::address addr(const char* text) {
    return boost::asio::ip::make_address(text);
}

sys_seconds utc(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
    return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

}  // namespace

TEST_CASE("received: Postfix") {
    const Hop hop = parse_received(
        "from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.net (Postfix) "
        "with ESMTPS id 4ABC for <u@example.net>; Tue, 3 Nov 2026 10:00:00 +0000 (UTC)");
    CHECK(hop.from_name == "mail.example.com");
    CHECK(hop.helo == "mail.example.com");
    CHECK(hop.reverse_name == "mail.example.com");
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("192.0.2.1"));
    CHECK(hop.by_name == "mx.example.net");
    CHECK(hop.with == "ESMTPS");
    CHECK(hop.id == "4ABC");
    CHECK(hop.for_address == "u@example.net");
    CHECK(hop.date_text == "Tue, 3 Nov 2026 10:00:00 +0000 (UTC)");
    REQUIRE(hop.date);
    CHECK(*hop.date == utc(2026, 11, 3, 10, 0, 0));
}

TEST_CASE("received: Postfix with unknown reverse name, TLS comment and IPv6") {
    const Hop hop = parse_received(
        "from helo.example.org (unknown [IPv6:2001:db8::25])\n\t(using TLSv1.3 with cipher "
        "TLS_AES_256_GCM_SHA384 (256/256 bits)\n\t key-exchange X25519 server-signature "
        "RSA-PSS (2048 bits) server-digest SHA256)\n\t(No client certificate requested)\n\tby "
        "mx.example.net (Postfix) with ESMTPS id 4N1x2y3z4; Tue,  3 Nov 2026 11:30:15 +0100 "
        "(CET)");
    CHECK(hop.from_name == "helo.example.org");
    CHECK(hop.helo == "helo.example.org");
    CHECK(hop.reverse_name.empty());  // "unknown" is Postfix's way of saying none
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("2001:db8::25"));
    CHECK(hop.by_name == "mx.example.net");
    CHECK(hop.with == "ESMTPS");
    CHECK(hop.id == "4N1x2y3z4");
    CHECK(hop.for_address.empty());
    REQUIRE(hop.date);
    CHECK(*hop.date == utc(2026, 11, 3, 10, 30, 15));
}

TEST_CASE("received: Sendmail with (may be forged)") {
    const Hop hop = parse_received(
        "from host (host.example [192.0.2.3] (may be forged))\n\tby mx.example.net "
        "(8.17.1/8.17.1) with ESMTP id 4A3FxQ0a012345\n\t(version=TLSv1.3 "
        "cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)\n\tfor <rcpt@example.net>; Tue, 3 "
        "Nov 2026 05:00:00 -0500");
    CHECK(hop.from_name == "host");
    CHECK(hop.helo == "host");
    CHECK(hop.reverse_name == "host.example");
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("192.0.2.3"));
    CHECK(hop.by_name == "mx.example.net");
    CHECK(hop.with == "ESMTP");
    CHECK(hop.id == "4A3FxQ0a012345");
    CHECK(hop.for_address == "rcpt@example.net");
    REQUIRE(hop.date);
    CHECK(*hop.date == utc(2026, 11, 3, 10, 0, 0));
}

TEST_CASE("received: Sendmail local submission has no client") {
    const Hop hop = parse_received(
        "(from alice@localhost)\n\tby host.example.com (8.17.1/8.17.1/Submit) id "
        "4A3G0a1b000123; Tue, 3 Nov 2026 10:00:00 GMT");
    CHECK(hop.from_name.empty());
    CHECK_FALSE(hop.ip);
    CHECK(hop.by_name == "host.example.com");
    CHECK(hop.id == "4A3G0a1b000123");
    REQUIRE(hop.date);
    CHECK(*hop.date == utc(2026, 11, 3, 10, 0, 0));
}

TEST_CASE("received: Exim without reverse name, helo in comment") {
    const Hop hop = parse_received(
        "from [192.0.2.4] (helo=mail.example.org)\n\tby mx.example.net with esmtps (TLS1.3) tls "
        "TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <a@b.example>)\n\tid "
        "1qABCD-000123-XY\n\tfor u@x.example; Tue, 03 Nov 2026 10:00:00 +0000");
    CHECK(hop.from_name == "[192.0.2.4]");
    CHECK(hop.helo == "mail.example.org");
    CHECK(hop.reverse_name.empty());
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("192.0.2.4"));
    CHECK(hop.by_name == "mx.example.net");
    CHECK(hop.with == "esmtps");  // "tls CIPHER" after the comment is not the protocol
    CHECK(hop.id == "1qABCD-000123-XY");
    CHECK(hop.for_address == "u@x.example");
    REQUIRE(hop.date);
    CHECK(*hop.date == utc(2026, 11, 3, 10, 0, 0));
}

TEST_CASE("received: Exim with reverse name and a different helo") {
    const Hop hop = parse_received(
        "from relay.example.org ([198.51.100.20]:41234 helo=smtp.example.org) by mx.example.net "
        "with esmtp (Exim 4.96) (envelope-from <a@b.example>) id 1qABCE-000456-Z9; Tue, 03 Nov "
        "2026 10:00:00 +0000");
    CHECK(hop.from_name == "relay.example.org");
    CHECK(hop.reverse_name == "relay.example.org");
    CHECK(hop.helo == "smtp.example.org");
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("198.51.100.20"));
    CHECK(hop.with == "esmtp");
    CHECK(hop.id == "1qABCE-000456-Z9");
}

TEST_CASE("received: Exim with matching helo shows the reverse name only") {
    const Hop hop = parse_received(
        "from relay.example.org ([198.51.100.20]) by mx.example.net with esmtp (Exim 4.96) id "
        "1qABCF-000789-AB; Tue, 03 Nov 2026 10:00:00 +0000");
    CHECK(hop.reverse_name == "relay.example.org");
    CHECK(hop.helo == "relay.example.org");
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("198.51.100.20"));
}

TEST_CASE("received: Exchange Online internal hop with bare IPv6") {
    const Hop hop = parse_received(
        "from DM6PR11MB4321.namprd11.prod.outlook.com (2603:10b6:5:1a2::3) by "
        "BN8PR11MB3456.namprd11.prod.outlook.com (2603:10b6:408:b1::13) with Microsoft SMTP "
        "Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id "
        "15.20.7000.20; Tue, 3 Nov 2026 10:00:00 +0000");
    CHECK(hop.from_name == "DM6PR11MB4321.namprd11.prod.outlook.com");
    CHECK(hop.helo == "DM6PR11MB4321.namprd11.prod.outlook.com");
    CHECK(hop.reverse_name.empty());
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("2603:10b6:5:1a2::3"));
    CHECK(hop.by_name == "BN8PR11MB3456.namprd11.prod.outlook.com");
    CHECK(hop.with == "Microsoft SMTP Server");
    CHECK(hop.id == "15.20.7000.20");
    REQUIRE(hop.date);
    CHECK(*hop.date == utc(2026, 11, 3, 10, 0, 0));
}

TEST_CASE("received: EOP front end") {
    const Hop hop = parse_received(
        "from mail.fabrikam.com (198.51.100.7) by BN1NAM02FT010.mail.protection.outlook.com "
        "(10.13.2.130) with Microsoft SMTP Server id 15.20.7000.20 via Frontend Transport; Tue, "
        "3 Nov 2026 10:00:01 +0000");
    CHECK(hop.from_name == "mail.fabrikam.com");
    CHECK(hop.helo == "mail.fabrikam.com");
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("198.51.100.7"));  // not the by host's 10.13.2.130
    CHECK(hop.by_name == "BN1NAM02FT010.mail.protection.outlook.com");
    CHECK(hop.with == "Microsoft SMTP Server");
    CHECK(hop.id == "15.20.7000.20");
    REQUIRE(hop.date);
    CHECK(*hop.date == utc(2026, 11, 3, 10, 0, 1));
}

TEST_CASE("received: Exchange from another tenant's outbound host") {
    const Hop hop = parse_received(
        "from NAM12-DM6-obe.outbound.protection.outlook.com "
        "(mail-dm6nam12on2101.outbound.protection.outlook.com [40.107.243.101]) by "
        "BN1NAM02FT010.mail.protection.outlook.com (10.13.2.130) with Microsoft SMTP Server "
        "(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7000.20 via "
        "Frontend Transport; Tue, 3 Nov 2026 10:00:02 +0000");
    CHECK(hop.helo == "NAM12-DM6-obe.outbound.protection.outlook.com");
    CHECK(hop.reverse_name == "mail-dm6nam12on2101.outbound.protection.outlook.com");
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("40.107.243.101"));
}

TEST_CASE("received: Exchange mapi hop with scoped link-local literal") {
    const Hop hop = parse_received(
        "from CH2PR11MB1234.namprd11.prod.outlook.com ([fe80::1234:5678:9abc:def0]) by "
        "CH2PR11MB1234.namprd11.prod.outlook.com ([fe80::1234:5678:9abc:def0%5]) with mapi id "
        "15.20.7000.020; Tue, 3 Nov 2026 10:00:00 +0000");
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("fe80::1234:5678:9abc:def0"));
    CHECK(hop.with == "mapi");
    CHECK(hop.id == "15.20.7000.020");
}

TEST_CASE("received: Gmail") {
    const Hop hop = parse_received(
        "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\n        by "
        "mx.google.com with SMTPS id a640c23a62f3a-7b1c2d3e4f5sor123456.41.2026.11.03.02.00.00\n "
        "       for <u@gmail.com>\n        (Google Transport Security);\n        Tue, 03 Nov 2026 "
        "02:00:00 -0800 (PST)");
    CHECK(hop.from_name == "mail-sor-f41.google.com");
    CHECK(hop.helo == "mail-sor-f41.google.com");
    CHECK(hop.reverse_name == "mail-sor-f41.google.com");  // root dot removed
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("209.85.220.41"));
    CHECK(hop.by_name == "mx.google.com");
    CHECK(hop.with == "SMTPS");
    CHECK(hop.id == "a640c23a62f3a-7b1c2d3e4f5sor123456.41.2026.11.03.02.00.00");
    CHECK(hop.for_address == "u@gmail.com");
    REQUIRE(hop.date);
    CHECK(*hop.date == utc(2026, 11, 3, 10, 0, 0));
}

TEST_CASE("received: Gmail internal hop without from") {
    const Hop hop = parse_received(
        "by 2002:a05:6402:1234:b0:5a1:2b3c:4d5e with SMTP id "
        "ab12csp1234567ede;\r\n        Tue, 3 Nov 2026 02:00:01 -0800 (PST)");
    CHECK(hop.from_name.empty());
    CHECK_FALSE(hop.ip);
    CHECK(hop.by_name == "2002:a05:6402:1234:b0:5a1:2b3c:4d5e");
    CHECK(hop.with == "SMTP");
    CHECK(hop.id == "ab12csp1234567ede");
    REQUIRE(hop.date);
    CHECK(*hop.date == utc(2026, 11, 3, 10, 0, 1));
}

TEST_CASE("received: qmail from network") {
    const Hop hop = parse_received(
        "from unknown (HELO mail.example.com) (192.0.2.9)\n  by mx.example.net with SMTP; 3 Nov "
        "2026 10:00:00 -0000");
    CHECK(hop.from_name == "unknown");
    CHECK(hop.helo == "mail.example.com");
    CHECK(hop.reverse_name.empty());
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("192.0.2.9"));
    CHECK(hop.by_name == "mx.example.net");
    CHECK(hop.with == "SMTP");
    REQUIRE(hop.date);
    CHECK(*hop.date == utc(2026, 11, 3, 10, 0, 0));
}

TEST_CASE("received: qmail with reverse name, ident and IPv4-mapped address") {
    const Hop hop = parse_received(
        "from relay.example.com (HELO smtp.example.com) (postmaster@::ffff:192.0.2.10)\n  by "
        "mx.example.net with ESMTPA; 3 Nov 2026 10:00:00 -0000");
    CHECK(hop.reverse_name == "relay.example.com");
    CHECK(hop.helo == "smtp.example.com");
    REQUIRE(hop.ip);
    CHECK(hop.ip->is_v4());  // mapped addresses are stored as IPv4 (RFC 7208 5)
    CHECK(*hop.ip == addr("192.0.2.10"));
}

TEST_CASE("received: qmail local invocation") {
    const Hop hop = parse_received("(qmail 12345 invoked from network); 3 Nov 2026 10:00:00 -0000");
    CHECK(hop.from_name.empty());
    CHECK(hop.by_name.empty());
    CHECK_FALSE(hop.ip);
    CHECK(hop.date_text == "3 Nov 2026 10:00:00 -0000");
    REQUIRE(hop.date);
    CHECK(*hop.date == utc(2026, 11, 3, 10, 0, 0));
}

TEST_CASE("received: Sendmail IPv6 literal with the IPv6: tag") {
    const Hop hop = parse_received(
        "from mail.example.org (mail.example.org [IPv6:2001:db8:0:0:0:0:0:1]) by mx.example.net; "
        "Tue, 3 Nov 2026 10:00:00 +0000");
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("2001:db8::1"));
    CHECK(hop.reverse_name == "mail.example.org");
}

TEST_CASE("received: the HELO literal does not beat the TCP-info address") {
    const Hop hop = parse_received(
        "from [10.0.0.5] (unknown [203.0.113.50]) by mx.example.net (Postfix) with ESMTP id "
        "X1; Tue, 3 Nov 2026 10:00:00 +0000");
    CHECK(hop.helo == "[10.0.0.5]");
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("203.0.113.50"));
}

TEST_CASE("received: missing parts") {
    SUBCASE("no date") {
        const Hop hop = parse_received("from a.example (a.example [192.0.2.1]) by b.example");
        CHECK(hop.by_name == "b.example");
        CHECK(hop.date_text.empty());
        CHECK_FALSE(hop.date);
    }
    SUBCASE("only a date") {
        const Hop hop = parse_received("; Tue, 3 Nov 2026 10:00:00 +0000");
        CHECK(hop.from_name.empty());
        REQUIRE(hop.date);
        CHECK(*hop.date == utc(2026, 11, 3, 10, 0, 0));
    }
    SUBCASE("from without comment") {
        const Hop hop = parse_received("from a.example by b.example with SMTP; junk");
        CHECK(hop.from_name == "a.example");
        CHECK_FALSE(hop.ip);
        CHECK(hop.date_text == "junk");
        CHECK_FALSE(hop.date);
    }
    SUBCASE("empty") {
        const Hop hop = parse_received("");
        CHECK(hop.from_name.empty());
        CHECK(hop.by_name.empty());
        CHECK_FALSE(hop.ip);
        CHECK_FALSE(hop.date);
    }
    SUBCASE("keywords without values") {
        const Hop hop = parse_received("from by with id for");
        CHECK(hop.from_name.empty());
        CHECK(hop.by_name.empty());
        CHECK(hop.with.empty());
        CHECK(hop.id.empty());
        CHECK(hop.for_address.empty());
    }
}

TEST_CASE("received: for clause") {
    CHECK(parse_received("from a by b for <x@example.net>, <y@example.net>; junk").for_address ==
          "x@example.net");
    CHECK(parse_received("from a by b for Postmaster; junk").for_address == "Postmaster");
    CHECK(parse_received("from a by b for multiple recipients; junk").for_address.empty());
    CHECK(parse_received("from a by b for <\"a b\"@example.net>; junk").for_address ==
          "\"a b\"@example.net");
}

TEST_CASE("received: an address as from name is not a reverse name") {
    const Hop hop =
        parse_received("from 192.0.2.9 (HELO x.example) (192.0.2.9) by mx.example.net with SMTP");
    CHECK(hop.reverse_name.empty());
    CHECK(hop.helo == "x.example");
    REQUIRE(hop.ip);
    CHECK(*hop.ip == addr("192.0.2.9"));
}

TEST_CASE("received: comments and semicolons") {
    SUBCASE("a ';' inside a comment does not start the date") {
        const Hop hop = parse_received(
            "from a.example (a.example [192.0.2.1]) by b.example (note; not a date) id X; Tue, 3 "
            "Nov 2026 10:00:00 +0000");
        CHECK(hop.id == "X");
        REQUIRE(hop.date);
        CHECK(*hop.date == utc(2026, 11, 3, 10, 0, 0));
    }
    SUBCASE("nested and escaped parentheses") {
        const Hop hop = parse_received(
            "from a.example (x (y (z \\) ) ) a.example [192.0.2.7]) by b.example; 3 Nov 2026 "
            "10:00 +0000");
        CHECK(hop.by_name == "b.example");
        REQUIRE(hop.ip);
        CHECK(*hop.ip == addr("192.0.2.7"));
        REQUIRE(hop.date);
        CHECK(*hop.date == utc(2026, 11, 3, 10, 0, 0));
    }
    SUBCASE("unclosed comment swallows the rest") {
        const Hop hop = parse_received("from a.example (a.example [192.0.2.1] by b.example; x");
        CHECK(hop.from_name == "a.example");
        REQUIRE(hop.ip);
        CHECK(hop.by_name.empty());
        CHECK_FALSE(hop.date);
    }
    SUBCASE("stray closing parentheses are dropped") {
        const Hop hop = parse_received(")) from a.example ) by b.example");
        CHECK(hop.from_name == "a.example");
        CHECK(hop.by_name == "b.example");
    }
}

TEST_CASE("received: garbage in address positions") {
    CHECK_FALSE(parse_received("from a (a [999.1.2.3]) by b").ip);
    CHECK_FALSE(parse_received("from a (a [192.0.2]) by b").ip);
    CHECK_FALSE(parse_received("from a (a [192.0.2.01]) by b").ip);
    CHECK_FALSE(parse_received("from a (a [IPv6:zz::1]) by b").ip);
    CHECK_FALSE(parse_received("from a (a [192.0.2.1) by b").ip);
    CHECK_FALSE(parse_received("from a (256/256 bits) by b").ip);
    CHECK_FALSE(parse_received("from a (2048) by b").ip);
}

TEST_CASE("received: hostile input stays linear") {
    std::string deep = "from a.example ";
    deep.append(200000, '(');
    deep += "[192.0.2.1]";
    deep.append(200000, ')');
    deep += " by b.example; 3 Nov 2026 10:00:00 +0000";
    const Hop hop = parse_received(deep);
    CHECK(hop.from_name == "a.example");
    CHECK(hop.by_name == "b.example");
    CHECK_FALSE(hop.ip);  // the literal is nested, not TCP-info
    REQUIRE(hop.date);

    std::string many;
    for (int i = 0; i < 50000; ++i) {
        many += "from x (y [192.0.2.1]) ; ";
    }
    const Hop last = parse_received(many);
    CHECK(last.from_name == "x");
    CHECK_FALSE(last.date);
}

TEST_CASE("date: RFC 5322 3.3 and obsolete forms of 4.3") {
    CHECK(parse_date_time("Tue, 3 Nov 2026 10:00:00 +0000") == utc(2026, 11, 3, 10, 0, 0));
    CHECK(parse_date_time("3 Nov 2026 10:00:00 +0000") == utc(2026, 11, 3, 10, 0, 0));
    CHECK(parse_date_time("Tue 3 Nov 2026 10:00 +0000") == utc(2026, 11, 3, 10, 0, 0));
    CHECK(parse_date_time("Tue, 3 Nov 2026 10:00:00 +0530") == utc(2026, 11, 3, 4, 30, 0));
    CHECK(parse_date_time("Tue, 3 Nov 2026 00:30:00 +0100") == utc(2026, 11, 2, 23, 30, 0));
    CHECK(parse_date_time("Tue, 3 Nov 2026 10:00:00 EST") == utc(2026, 11, 3, 15, 0, 0));
    CHECK(parse_date_time("Tue, 3 Nov 2026 10:00:00 EDT") == utc(2026, 11, 3, 14, 0, 0));
    CHECK(parse_date_time("Tue, 3 Nov 2026 10:00:00 PDT") == utc(2026, 11, 3, 17, 0, 0));
    CHECK(parse_date_time("Tue, 3 Nov 2026 10:00:00 GMT") == utc(2026, 11, 3, 10, 0, 0));
    CHECK(parse_date_time("Tue, 3 Nov 2026 10:00:00 UT") == utc(2026, 11, 3, 10, 0, 0));
    CHECK(parse_date_time("Tue, 3 Nov 2026 10:00:00 Z") == utc(2026, 11, 3, 10, 0, 0));
    // Military letters other than Z are taken as -0000 (4.3), not as their 822 offsets.
    CHECK(parse_date_time("Tue, 3 Nov 2026 10:00:00 A") == utc(2026, 11, 3, 10, 0, 0));
    CHECK(parse_date_time("Tue, 3 Nov 2026 10:00:00 CEST") == utc(2026, 11, 3, 10, 0, 0));
    CHECK(parse_date_time("Fri, 31 Dec 99 23:59:59 +0000") == utc(1999, 12, 31, 23, 59, 59));
    CHECK(parse_date_time("Sat, 1 Jan 26 00:00:00 +0000") == utc(2026, 1, 1, 0, 0, 0));
    CHECK(parse_date_time("1 Jan 49 00:00:00 +0000") == utc(2049, 1, 1, 0, 0, 0));
    CHECK(parse_date_time("1 Jan 50 00:00:00 +0000") == utc(1950, 1, 1, 0, 0, 0));
    CHECK(parse_date_time("1 Jan 126 00:00:00 +0000") == utc(2026, 1, 1, 0, 0, 0));
    CHECK(parse_date_time("(c) Tue, (x) 3 (y) Nov 2026 10:00:00 +0000 (UTC)") ==
          utc(2026, 11, 3, 10, 0, 0));
    CHECK(parse_date_time("Thu, 29 Feb 2024 23:59:60 +0000") == utc(2024, 3, 1, 0, 0, 0));
    CHECK(parse_date_time("Tue, 3 Nov 2026 10:00:00.5432 +0000") == utc(2026, 11, 3, 10, 0, 0));
    CHECK(parse_date_time("tue, 3 NOV 2026 10:00:00 +0000") == utc(2026, 11, 3, 10, 0, 0));
    CHECK(parse_date_time("3 November 2026 10:00:00 +0000") == utc(2026, 11, 3, 10, 0, 0));
}

TEST_CASE("date: invalid") {
    CHECK_FALSE(parse_date_time(""));
    CHECK_FALSE(parse_date_time("   (only a comment)"));
    CHECK_FALSE(parse_date_time("Tue, 31 Nov 2026 10:00:00 +0000"));  // no 31 November
    CHECK_FALSE(parse_date_time("Fri, 29 Feb 2026 10:00:00 +0000"));  // not a leap year
    CHECK_FALSE(parse_date_time("Tue, 3 Nov 2026 24:00:00 +0000"));
    CHECK_FALSE(parse_date_time("Tue, 3 Nov 2026 10:60:00 +0000"));
    CHECK_FALSE(parse_date_time("Tue, 3 Nov 2026 10:00:61 +0000"));
    CHECK_FALSE(parse_date_time("Tue, 3 Nov 2026 10:00:00 +0060"));
    CHECK_FALSE(parse_date_time("Tue, 3 Nov 2026 10:00:00 +000"));
    CHECK_FALSE(parse_date_time("Tue, 3 Nox 2026 10:00:00 +0000"));
    CHECK_FALSE(parse_date_time("Xyz, 3 Nov 2026 10:00:00 +0000"));
    CHECK_FALSE(parse_date_time("Tue, 3 Nov 1899 10:00:00 +0000"));
    CHECK_FALSE(parse_date_time("Tue, 3 Nov 20260 10:00:00 +0000"));
    CHECK_FALSE(parse_date_time("Tue, 3 Nov 2026"));
    CHECK_FALSE(parse_date_time("Tue, 3 Nov 2026 10"));
    CHECK_FALSE(parse_date_time("Tue, 0 Nov 2026 10:00:00 +0000"));
}

TEST_CASE("received_chain reports a Received field without hop information as a defect") {
    const auto m = mailverdict::Message::parse(
        "Received: ; Tue, 3 Nov 2026 10:00:00 +0000\r\n"
        "Received: from a.example ([192.0.2.1]) by b.example; Tue, 3 Nov 2026 09:59:00 +0000\r\n"
        "From: x@example.com\r\n\r\n");
    std::vector<mailverdict::Defect> defects;
    const auto chain = mailverdict::received_chain(m, mailverdict::max_received_hops, &defects);
    REQUIRE(chain.size() == 2);
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == mailverdict::DefectKind::received_unparsable);
    CHECK(defects[0].offset == 0);
    CHECK(defects[0].detail.find("#0") != std::string::npos);
}

TEST_CASE("received_chain stops at max_hops and says so") {
    std::string text;
    for (int i = 0; i < 5; ++i) {
        text += "Received: from h" + std::to_string(i) +
                ".example by mx.example; 1 Nov 2026 00:00 +0000\r\n";
    }
    const auto m = mailverdict::Message::parse(text + "From: x@example.com\r\n\r\n");
    std::vector<mailverdict::Defect> defects;
    const auto chain = mailverdict::received_chain(m, 3, &defects);
    CHECK(chain.size() == 3);
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].detail.find("5 Received fields") != std::string::npos);
}
