// Envelope of a saved message: client by boundary host, trusted hosts, skip listing;
// MAIL FROM and recipients; caller overrides.
#include <mailverdict/message/received.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

using namespace mailverdict;

namespace {

boost::asio::ip::address addr(const char* text) {
    return boost::asio::ip::make_address(text);
}

IpNetwork net(const char* text) {
    auto parsed = IpNetwork::parse(text);
    REQUIRE(parsed.has_value());
    return *parsed;
}

std::string read_data(const char* name) {
    std::ifstream in{std::string{MV_SOURCE_DIR} + "/tests/message/data/received/" + name,
                     std::ios::binary};
    REQUIRE_MESSAGE(in.good(), name);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

Envelope derive(const Message& message, const EnvelopeOptions& options = {}) {
    return derive_envelope(message, received_chain(message), options);
}

// Mail from fabrikam.com relayed by a third-party gateway (gw.filter.example, 203.0.113.10)
// into Exchange Online, saved from the recipient's mailbox.
const char* const gateway_message =
    "Received: from BN8PR11MB3456.namprd11.prod.outlook.com (2603:10b6:408:b1::13)\r\n"
    " by DM6PR11MB4321.namprd11.prod.outlook.com with HTTPS; Tue, 3 Nov 2026 10:00:05 +0000\r\n"
    "Received: from BN1NAM02FT010.eop-nam02.prod.protection.outlook.com (2603:10b6:408:e1::4)\r\n"
    " by BN8PR11MB3456.namprd11.prod.outlook.com (2603:10b6:408:b1::13) with Microsoft SMTP\r\n"
    " Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7000.20;\r\n"
    " Tue, 3 Nov 2026 10:00:04 +0000\r\n"
    "Received: from gw.filter.example (203.0.113.10) by\r\n"
    " BN1NAM02FT010.mail.protection.outlook.com (10.13.2.130) with Microsoft SMTP Server id\r\n"
    " 15.20.7000.20 via Frontend Transport; Tue, 3 Nov 2026 10:00:03 +0000\r\n"
    "Received: from localhost (localhost [127.0.0.1])\r\n"
    " by gw.filter.example (Postfix) with ESMTP id AAA1 for <bob@contoso.com>;\r\n"
    " Tue, 3 Nov 2026 10:00:02 +0000\r\n"
    "Received: by gw.filter.example (Postfix, from userid 0) id AAA0; Tue, 3 Nov 2026 10:00:02 "
    "+0000\r\n"
    "Received: from mail.fabrikam.com (mail.fabrikam.com [198.51.100.7])\r\n"
    " by gw.filter.example (Postfix) with ESMTPS id AAA9 for <bob@contoso.com>;\r\n"
    " Tue, 3 Nov 2026 10:00:01 +0000\r\n"
    "Return-Path: <alice@fabrikam.com>\r\n"
    "From: Alice <alice@fabrikam.com>\r\n"
    "To: Bob <bob@contoso.com>, carol@contoso.com\r\n"
    "Cc: BOB@contoso.com, dave@contoso.com\r\n"
    "Subject: test\r\n"
    "Date: Tue, 3 Nov 2026 10:00:00 +0000\r\n"
    "\r\n"
    "body\r\n";

}  // namespace

TEST_CASE("envelope: EOP boundary host gives the connecting client") {
    const Message message = Message::parse(gateway_message);
    const auto chain = received_chain(message);
    REQUIRE(chain.size() == 6);
    CHECK(chain[2].index == 2);

    EnvelopeOptions options;
    options.boundary_patterns = {"*.mail.protection.outlook.com"};
    const Envelope envelope = derive_envelope(message, chain, options);
    REQUIRE(envelope.client_ip);
    CHECK(*envelope.client_ip == addr("203.0.113.10"));
    CHECK(envelope.helo == "gw.filter.example");
    CHECK(envelope.client_source == EnvelopeSource::boundary_hop);
    CHECK(envelope.helo_source == EnvelopeSource::boundary_hop);
    CHECK(envelope.hop_index == 2u);
}

TEST_CASE("envelope: skip-listed gateway (enhanced filtering)") {
    const Message message = Message::parse(gateway_message);
    EnvelopeOptions options;
    options.boundary_patterns = {"*.mail.protection.outlook.com"};
    options.skip_listed_networks = {net("203.0.113.0/28")};

    SUBCASE("the local content filter is not skipped unless listed") {
        // Hop 3 is the gateway's own amavis-style loopback hop: 127.0.0.1 is an address
        // like any other, so it becomes the client.
        const Envelope envelope = derive(message, options);
        REQUIRE(envelope.client_ip);
        CHECK(*envelope.client_ip == addr("127.0.0.1"));
        CHECK(envelope.client_source == EnvelopeSource::skip_listed);
        CHECK(envelope.hop_index == 3u);
    }
    SUBCASE("listing loopback too reaches the real sender past a hop without address") {
        options.skip_listed_networks.push_back(net("127.0.0.0/8"));
        const Envelope envelope = derive(message, options);
        REQUIRE(envelope.client_ip);
        CHECK(*envelope.client_ip == addr("198.51.100.7"));
        CHECK(envelope.helo == "mail.fabrikam.com");
        CHECK(envelope.reverse_name == "mail.fabrikam.com");
        CHECK(envelope.client_source == EnvelopeSource::skip_listed);
        CHECK(envelope.hop_index == 5u);
    }
    SUBCASE("EFSkipLastIP skips the connecting hop whatever its address") {
        options.skip_listed_networks.clear();
        options.skip_last_ip = true;
        const Envelope envelope = derive(message, options);
        REQUIRE(envelope.client_ip);
        CHECK(*envelope.client_ip == addr("127.0.0.1"));
        CHECK(envelope.client_source == EnvelopeSource::skip_listed);
    }
    SUBCASE("everything skip-listed keeps the connecting hop") {
        options.skip_listed_networks = {net("0.0.0.0/0")};
        const Envelope envelope = derive(message, options);
        REQUIRE(envelope.client_ip);
        CHECK(*envelope.client_ip == addr("203.0.113.10"));
        CHECK(envelope.client_source == EnvelopeSource::boundary_hop);
    }
    SUBCASE("a skip list that does not match changes nothing") {
        options.skip_listed_networks = {net("192.0.2.0/24")};
        const Envelope envelope = derive(message, options);
        REQUIRE(envelope.client_ip);
        CHECK(*envelope.client_ip == addr("203.0.113.10"));
        CHECK(envelope.client_source == EnvelopeSource::boundary_hop);
    }
}

TEST_CASE("envelope: mail from another Microsoft 365 tenant") {
    // The sender's tenant relays through *.outbound.protection.outlook.com: that host is
    // the client, so "first hop from outside outlook.com" would be wrong.
    const Message message = Message::parse(read_data("cross_tenant.eml"));
    EnvelopeOptions options;
    options.boundary_patterns = {"*.mail.protection.outlook.com"};
    const Envelope envelope = derive(message, options);
    REQUIRE(envelope.client_ip);
    CHECK(*envelope.client_ip == addr("40.107.243.101"));
    CHECK(envelope.helo == "NAM12-DM6-obe.outbound.protection.outlook.com");
    CHECK(envelope.reverse_name == "mail-dm6nam12on2101.outbound.protection.outlook.com");
    CHECK(envelope.hop_index == 2u);
    CHECK(envelope.client_source == EnvelopeSource::boundary_hop);
    // Return-Path: <> in the file
    REQUIRE(envelope.mail_from);
    CHECK(envelope.mail_from->empty());
    CHECK(envelope.mail_from_source == EnvelopeSource::return_path);
    // X-Original-To is absent, Delivered-To present
    CHECK(envelope.recipients == std::vector<std::string>{"bob@contoso.com"});
    CHECK(envelope.recipients_source == EnvelopeSource::delivered_to);
}

TEST_CASE("envelope: trusted hosts") {
    const Message message = Message::parse(gateway_message);

    SUBCASE("by network and by name suffix") {
        EnvelopeOptions options;
        options.trusted_networks = {net("2603:10b6::/32"), net("127.0.0.0/8")};
        options.trusted_host_suffixes = {"filter.example"};
        const Envelope envelope = derive(message, options);
        // hop 0, 1: trusted by network; hop 2: gw.filter.example by name (no reverse name
        // shown, so the from name counts); hop 3: loopback; hop 4: no client; hop 5 is it.
        REQUIRE(envelope.client_ip);
        CHECK(*envelope.client_ip == addr("198.51.100.7"));
        CHECK(envelope.client_source == EnvelopeSource::first_untrusted);
        CHECK(envelope.hop_index == 5u);
    }
    SUBCASE("suffixes respect label boundaries") {
        EnvelopeOptions options;
        options.trusted_networks = {net("2603:10b6::/32")};
        options.trusted_host_suffixes = {"ilter.example"};
        const Envelope envelope = derive(message, options);
        REQUIRE(envelope.client_ip);
        CHECK(*envelope.client_ip == addr("203.0.113.10"));
        CHECK(envelope.hop_index == 2u);
    }
    SUBCASE("everything trusted: no client") {
        EnvelopeOptions options;
        options.trusted_networks = {net("0.0.0.0/0"), net("::/0")};
        const Envelope envelope = derive(message, options);
        CHECK_FALSE(envelope.client_ip);
        CHECK(envelope.client_source == EnvelopeSource::none);
        CHECK_FALSE(envelope.hop_index);
    }
    SUBCASE("no configuration: topmost hop with an address") {
        const Envelope envelope = derive(message);
        REQUIRE(envelope.client_ip);
        CHECK(*envelope.client_ip == addr("2603:10b6:408:b1::13"));
        CHECK(envelope.hop_index == 0u);
        CHECK(envelope.client_source == EnvelopeSource::first_untrusted);
    }
    SUBCASE("boundary pattern matching nothing falls back to the trusted rule") {
        EnvelopeOptions options;
        options.boundary_patterns = {"*.nowhere.example"};
        const Envelope envelope = derive(message, options);
        REQUIRE(envelope.client_ip);
        CHECK(*envelope.client_ip == addr("2603:10b6:408:b1::13"));
        CHECK(envelope.client_source == EnvelopeSource::first_untrusted);
    }
    SUBCASE("the reverse name, not the HELO, decides when shown") {
        const Message forged = Message::parse(
            "Received: from mx.contoso.com (evil.example [192.0.2.66]) by mx.contoso.com; Tue, 3 "
            "Nov 2026 10:00:00 +0000\r\n"
            "From: a@b.example\r\n\r\n");
        EnvelopeOptions options;
        options.trusted_host_suffixes = {"contoso.com"};
        const Envelope envelope = derive(forged, options);
        REQUIRE(envelope.client_ip);
        CHECK(*envelope.client_ip == addr("192.0.2.66"));
    }
}

TEST_CASE("envelope: MAIL FROM and recipients") {
    SUBCASE("Return-Path address and To/Cc deduplicated") {
        const Message message = Message::parse(gateway_message);
        // The gateway message's Received "for" clauses name bob@contoso.com.
        const Envelope envelope = derive(message);
        REQUIRE(envelope.mail_from);
        CHECK(*envelope.mail_from == "alice@fabrikam.com");
        CHECK(envelope.mail_from_source == EnvelopeSource::return_path);
        CHECK(envelope.recipients == std::vector<std::string>{"bob@contoso.com"});
        CHECK(envelope.recipients_source == EnvelopeSource::received_for);
    }
    SUBCASE("To and Cc when nothing else names a recipient") {
        const Message message = Message::parse(
            "From: a@b.example\r\n"
            "To: Bob <bob@contoso.com>, carol@contoso.com\r\n"
            "Cc: BOB@contoso.com, dave@contoso.com\r\n"
            "\r\n");
        const Envelope envelope = derive(message);
        CHECK_FALSE(envelope.mail_from);
        CHECK(envelope.mail_from_source == EnvelopeSource::none);
        CHECK(envelope.recipients ==
              std::vector<std::string>{"bob@contoso.com", "carol@contoso.com", "dave@contoso.com"});
        CHECK(envelope.recipients_source == EnvelopeSource::to_cc);
        CHECK_FALSE(envelope.client_ip);
        CHECK(envelope.client_source == EnvelopeSource::none);
    }
    SUBCASE("X-Original-To before Received for; topmost Delivered-To first") {
        const Message message = Message::parse(
            "Delivered-To: final@example.net\r\n"
            "X-Original-To: alias@example.net\r\n"
            "Received: from a.example (a.example [192.0.2.1]) by mx.example.net with ESMTP id X "
            "for <alias@example.net>; Tue, 3 Nov 2026 10:00:00 +0000\r\n"
            "Delivered-To: earlier@example.org\r\n"
            "Return-Path: <@relay.example:bounce@example.org>\r\n"
            "From: a@b.example\r\n\r\n");
        const Envelope envelope = derive(message);
        CHECK(envelope.recipients == std::vector<std::string>{"final@example.net"});
        CHECK(envelope.recipients_source == EnvelopeSource::delivered_to);
        REQUIRE(envelope.mail_from);
        CHECK(*envelope.mail_from == "bounce@example.org");

        const Message no_delivered = Message::parse(
            "X-Original-To: alias@example.net\r\n"
            "Received: from a.example by mx.example.net for <other@example.net>; Tue, 3 Nov 2026 "
            "10:00:00 +0000\r\n\r\n");
        const Envelope second = derive(no_delivered);
        CHECK(second.recipients == std::vector<std::string>{"alias@example.net"});
        CHECK(second.recipients_source == EnvelopeSource::x_original_to);
    }
    SUBCASE("null sender with spaces") {
        const Message message = Message::parse("Return-Path: < >\r\nFrom: a@b.example\r\n\r\n");
        const Envelope envelope = derive(message);
        REQUIRE(envelope.mail_from);
        CHECK(envelope.mail_from->empty());
    }
}

TEST_CASE("envelope: caller arguments win") {
    const Message message = Message::parse(gateway_message);
    EnvelopeOptions options;
    options.boundary_patterns = {"*.mail.protection.outlook.com"};

    SUBCASE("an address shown by another hop brings that hop's names") {
        options.client_ip = addr("198.51.100.7");
        const Envelope envelope = derive(message, options);
        CHECK(envelope.client_ip == addr("198.51.100.7"));
        CHECK(envelope.client_source == EnvelopeSource::argument);
        CHECK(envelope.helo == "mail.fabrikam.com");
        CHECK(envelope.reverse_name == "mail.fabrikam.com");
        CHECK(envelope.hop_index == 5u);
    }
    SUBCASE("an address no hop shows leaves the names empty") {
        options.client_ip = addr("192.0.2.200");
        const Envelope envelope = derive(message, options);
        CHECK(envelope.client_ip == addr("192.0.2.200"));
        CHECK(envelope.helo.empty());
        CHECK(envelope.helo_source == EnvelopeSource::none);
        CHECK_FALSE(envelope.hop_index);
    }
    SUBCASE("all values") {
        options.client_ip = addr("192.0.2.200");
        options.helo = "helo.example";
        options.mail_from = "";
        options.recipients = {"x@example.net", "y@example.net"};
        const Envelope envelope = derive(message, options);
        CHECK(envelope.helo == "helo.example");
        CHECK(envelope.helo_source == EnvelopeSource::argument);
        REQUIRE(envelope.mail_from);
        CHECK(envelope.mail_from->empty());
        CHECK(envelope.mail_from_source == EnvelopeSource::argument);
        CHECK(envelope.recipients == std::vector<std::string>{"x@example.net", "y@example.net"});
        CHECK(envelope.recipients_source == EnvelopeSource::argument);
    }
    SUBCASE("HELO alone keeps the derived address") {
        options.helo = "helo.example";
        const Envelope envelope = derive(message, options);
        CHECK(envelope.client_ip == addr("203.0.113.10"));
        CHECK(envelope.client_source == EnvelopeSource::boundary_hop);
        CHECK(envelope.helo == "helo.example");
        CHECK(envelope.helo_source == EnvelopeSource::argument);
    }
}

TEST_CASE("envelope: max_hops bounds the chain") {
    std::string bytes;
    for (int i = 0; i < 150; ++i) {
        bytes += "Received: from h" + std::to_string(i) + ".example (h.example [192.0.2." +
                 std::to_string(i) + "]) by x.example; Tue, 3 Nov 2026 10:00:00 +0000\r\n";
    }
    bytes += "From: a@b.example\r\n\r\n";
    const Message message = Message::parse(bytes);
    const auto chain = received_chain(message);
    REQUIRE(chain.size() == max_received_hops);
    CHECK(chain.front().from_name == "h0.example");
    CHECK(chain.back().from_name == "h99.example");
    CHECK(chain.back().index == 99u);
    CHECK(received_chain(message, 3).size() == 3);
}

TEST_CASE("envelope: host_matches") {
    CHECK(
        host_matches("BN1NAM02FT010.mail.protection.outlook.com", "*.mail.protection.outlook.com"));
    CHECK(host_matches("a.b.mail.protection.outlook.com.", "*.MAIL.protection.outlook.com"));
    CHECK_FALSE(host_matches("mail.protection.outlook.com", "*.mail.protection.outlook.com"));
    CHECK_FALSE(host_matches("x.outbound.protection.outlook.com", "*.mail.protection.outlook.com"));
    CHECK_FALSE(host_matches("evilmail.protection.outlook.com", "*.mail.protection.outlook.com"));
    CHECK(host_matches("mx.example.net", "MX.example.net."));
    CHECK_FALSE(host_matches("mx.example.net", "example.net"));
    CHECK(host_matches("anything.example", "*"));
    CHECK_FALSE(host_matches("", "*"));
    CHECK_FALSE(host_matches("mx.example.net", ""));
}

TEST_CASE("envelope: to_string of sources") {
    CHECK(to_string(EnvelopeSource::boundary_hop) == "boundary_hop");
    CHECK(to_string(EnvelopeSource::skip_listed) == "skip_listed");
    CHECK(to_string(EnvelopeSource::x_original_to) == "x_original_to");
    CHECK(to_string(EnvelopeSource::to_cc) == "to_cc");
}
