// Received chain (RFC 5321 4.4, RFC 5322 3.6.7) and the envelope of a saved message.
#pragma once

#include <mailverdict/message/message.hpp>
#include <mailverdict/message/network.hpp>

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict {

// One Received field. Every part is optional because real MTAs omit or reorder them.
struct Hop {
    std::size_t index = 0;                       // 0 = topmost (most recent) Received field
    std::string from_name;                       // name after "from", as written
    std::string helo;                            // the HELO/EHLO name (see parse_received)
    std::string reverse_name;                    // reverse-DNS (PTR) name of the client, if shown
    std::optional<boost::asio::ip::address> ip;  // client address (IPv4 or IPv6 literal)
    std::string by_name;                         // receiving host
    std::string with;                            // protocol (ESMTP, ESMTPS, SMTP, LMTP, HTTP...)
    std::string id;
    std::string for_address;                       // envelope recipient of the "for" clause
    std::string date_text;                         // after the final ';'
    std::optional<std::chrono::sys_seconds> date;  // parsed date-time (UTC)
    std::string raw;                               // unfolded field value
};

// At most this many Received fields are parsed per message (the topmost ones). Real
// chains have fewer than 30 hops; RFC 5321 6.3 suggests a loop limit of 100.
inline constexpr std::size_t max_received_hops = 100;

// Parses one Received field value (unfolded). Tolerant of Postfix, Sendmail, Exim,
// Exchange/Office 365, Gmail and qmail layouts. Returns a hop with whatever it found
// (all parts empty for garbage). Linear in the size of the value, no recursion.
//
// helo is the HELO name the MTA shows explicitly ("(HELO x)" of qmail, "helo=x" of Exim)
// or else the from name (RFC 5321 4.4: the FROM clause carries the EHLO name).
// reverse_name is the name before the address literal in the TCP-info comment (Postfix,
// Sendmail, Gmail, Exchange), or the from name when the MTA puts the looked-up name there
// (qmail with a HELO comment, Exim). "unknown" is never a reverse name.
Hop parse_received(std::string_view value);

// RFC 5322 3.3 date-time, with the obsolete forms of 4.3 (alphabetic zones, 2- and 3-digit
// years, no day of week, comments). Unknown zones count as -0000 (4.3). nullopt if invalid.
std::optional<std::chrono::sys_seconds> parse_date_time(std::string_view text);

// All Received fields of a message, topmost first (received bytes order), at most max_hops.
// A field that yields no hop information (no from, by or client address) and, when
// the chain is cut at `max_hops`, the cut are reported to `defects` when given.
std::vector<Hop> received_chain(const Message& message, std::size_t max_hops = max_received_hops,
                                std::vector<Defect>* defects = nullptr);

// Where an envelope value came from (reported with the verdict).
enum class EnvelopeSource {
    none,             // not found anywhere
    argument,         // given by the caller (command line)
    boundary_hop,     // the topmost hop whose `by` matched a boundary pattern
    first_untrusted,  // the first hop from outside the trusted hosts/networks
    skip_listed,      // past a connector's skip-listed ranges (enhanced filtering)
    return_path,      // Return-Path field
    delivered_to,     // Delivered-To field
    x_original_to,    // X-Original-To field
    received_for,     // the "for" clause of a Received field
    to_cc,            // To and Cc fields
};
std::string_view to_string(EnvelopeSource source) noexcept;

struct Envelope {
    std::optional<boost::asio::ip::address> client_ip;
    std::string helo;
    std::string reverse_name;
    std::optional<std::string> mail_from;  // "" = null sender (<>); nullopt = unknown
    std::vector<std::string> recipients;
    EnvelopeSource client_source = EnvelopeSource::none;  // for client_ip and reverse_name
    EnvelopeSource helo_source = EnvelopeSource::none;
    EnvelopeSource mail_from_source = EnvelopeSource::none;
    EnvelopeSource recipients_source = EnvelopeSource::none;
    std::optional<std::size_t> hop_index;  // the hop the client was taken from
};

// How to find the client of a saved message.
struct EnvelopeOptions {
    // Host-name patterns ("*.mail.protection.outlook.com") matched against a hop's `by`:
    // the client is the `from` of the topmost matching hop. When no hop matches, the
    // trusted-host rule below applies.
    std::vector<std::string> boundary_patterns;
    // Otherwise: the first hop whose client is not trusted. A hop is trusted when its
    // client IP is in trusted_networks or its reverse name (its from name when no reverse
    // name is shown) is a suffix's domain or a sub-domain of it. With neither configured,
    // the topmost hop that shows a client IP.
    std::vector<std::string> trusted_host_suffixes;
    std::vector<IpNetwork> trusted_networks;
    // Enhanced filtering (EFSkipIPs): hops whose client is in these ranges are skipped,
    // and the client is the first hop before them.
    std::vector<IpNetwork> skip_listed_networks;
    // Enhanced filtering with EFSkipLastIP: the hop found above is skipped, whatever its
    // address, and the client is the one before it.
    bool skip_last_ip = false;

    // Values given by the caller win over derived ones.
    std::optional<boost::asio::ip::address> client_ip;
    std::optional<std::string> helo;
    std::optional<std::string> mail_from;
    std::vector<std::string> recipients;
};

Envelope derive_envelope(const Message& message, const std::vector<Hop>& chain,
                         const EnvelopeOptions& options);

// Glob-like host pattern: "*.example.com" matches any sub-domain (not example.com itself),
// "*" any host, otherwise exact; case-insensitive, a trailing dot ignored on both sides.
bool host_matches(std::string_view host, std::string_view pattern) noexcept;

}  // namespace mailverdict
