// Received chain (RFC 5321 4.4, RFC 5322 3.6.7) and the envelope of a saved message.
#pragma once

#include <mailverdict/message/message.hpp>
#include <mailverdict/message/network.hpp>

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict {

// One Received field. Every part is optional because real MTAs omit or reorder them.
struct Hop {
    std::size_t index = 0;                 // 0 = topmost (most recent) Received field
    std::string from_name;                 // name after "from" (usually the HELO/EHLO)
    std::string helo;                      // the HELO/EHLO name when the MTA shows it
    std::string reverse_name;              // reverse-DNS (PTR) name of the client, if shown
    std::optional<boost::asio::ip::address> ip;  // client address (IPv4 or IPv6 literal)
    std::string by_name;                   // receiving host
    std::string with;                      // protocol (ESMTP, ESMTPS, SMTP, LMTP, HTTP...)
    std::string id;
    std::string for_address;               // envelope recipient from the "for" clause
    std::string date_text;                 // after the final ';'
    std::optional<std::chrono::sys_seconds> date;  // parsed date-time (UTC)
    std::string raw;                       // unfolded field value
};

// Parses one Received field value (unfolded). Tolerant of Postfix, Sendmail, Exim,
// Exchange/Office 365, Gmail and qmail layouts. Returns a hop with whatever it found.
Hop parse_received(std::string_view value);

// All Received fields of a message, topmost first (received bytes order).
std::vector<Hop> received_chain(const Message& message, std::size_t max_hops = 100);

// Where an envelope value came from (reported with the verdict).
enum class EnvelopeSource {
    none,              // not found anywhere
    argument,          // given by the caller (command line)
    boundary_hop,      // the topmost hop whose `by` matched a boundary pattern
    first_untrusted,   // the first hop from outside the trusted hosts/networks
    skip_listed,       // past a connector's skip-listed ranges (enhanced filtering)
    return_path,       // Return-Path field
    delivered_to,      // Delivered-To field
    x_original_to,     // X-Original-To field
    received_for,      // the "for" clause of a Received field
    to_cc,             // To and Cc fields
};
std::string_view to_string(EnvelopeSource source) noexcept;

struct Envelope {
    std::optional<boost::asio::ip::address> client_ip;
    std::string helo;
    std::string reverse_name;
    std::optional<std::string> mail_from;  // "" = null sender (<>); nullopt = unknown
    std::vector<std::string> recipients;
    EnvelopeSource client_source = EnvelopeSource::none;  // for client_ip, helo, reverse_name
    EnvelopeSource mail_from_source = EnvelopeSource::none;
    EnvelopeSource recipients_source = EnvelopeSource::none;
    std::optional<std::size_t> hop_index;  // the hop the client was taken from
};

// How to find the client of a saved message.
struct EnvelopeOptions {
    // Host-name patterns ("*.mail.protection.outlook.com") matched against a hop's `by`:
    // the client is the `from` of the topmost matching hop.
    std::vector<std::string> boundary_patterns;
    // Otherwise: the first hop whose client is not trusted. A hop is trusted when its
    // client IP is in trusted_networks or its from/reverse name ends with a suffix.
    std::vector<std::string> trusted_host_suffixes;
    std::vector<IpNetwork> trusted_networks;
    // Enhanced filtering: hops whose client is in these ranges are skipped, and the
    // client is the first hop before them.
    std::vector<IpNetwork> skip_listed_networks;

    // Values given by the caller win over derived ones.
    std::optional<boost::asio::ip::address> client_ip;
    std::optional<std::string> helo;
    std::optional<std::string> mail_from;
    std::vector<std::string> recipients;
};

Envelope derive_envelope(const Message& message, const std::vector<Hop>& chain,
                         const EnvelopeOptions& options);

// Glob-like host pattern: "*.example.com" matches any sub-domain, otherwise exact;
// case-insensitive, a trailing dot ignored.
bool host_matches(std::string_view host, std::string_view pattern) noexcept;

}  // namespace mailverdict
