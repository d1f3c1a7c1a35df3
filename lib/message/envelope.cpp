// The SMTP envelope of a saved message: client, HELO, MAIL FROM and RCPT TO as the
// receiving service saw them, rebuilt from the Received chain and envelope fields.
//
// Loopback and private addresses (127.0.0.1 of a local content filter, 10.x of an
// internal relay) get no special treatment: they are addresses like any other, and are
// passed over only when the caller lists them as trusted or skip-listed. Guessing which
// hops are internal would silently pick a different client for different sites.
#include <mailverdict/message/received.hpp>

#include "message/received_text.hpp"

#include <array>
#include <set>

namespace mailverdict {

namespace {

using received_text::clean_address;
using received_text::iends_with;
using received_text::iequal;
using received_text::lower;
using received_text::trim;

std::string_view strip_dots(std::string_view name) noexcept {
    while (!name.empty() && name.back() == '.') {
        name.remove_suffix(1);
    }
    return name;
}

// The name equals the suffix or is a sub-domain of it ("example.com" and ".example.com"
// both cover mx.example.com and example.com; label boundaries are respected, so
// badexample.com is not covered).
bool within_suffix(std::string_view name, std::string_view suffix) noexcept {
    name = strip_dots(name);
    suffix = strip_dots(suffix);
    while (!suffix.empty() && suffix.front() == '.') {
        suffix.remove_prefix(1);
    }
    if (name.empty() || suffix.empty()) {
        return false;
    }
    if (iequal(name, suffix)) {
        return true;
    }
    return name.size() > suffix.size() && iends_with(name, suffix) &&
           name[name.size() - suffix.size() - 1] == '.';
}

bool in_networks(const std::vector<IpNetwork>& networks,
                 const std::optional<boost::asio::ip::address>& ip) noexcept {
    if (!ip) {
        return false;
    }
    for (const auto& network : networks) {
        if (network.contains(*ip)) {
            return true;
        }
    }
    return false;
}

bool is_trusted(const Hop& hop, const EnvelopeOptions& options) noexcept {
    if (in_networks(options.trusted_networks, hop.ip)) {
        return true;
    }
    // The reverse name was looked up by the receiving MTA; the from name is whatever the
    // client said in HELO, so it only stands in when no reverse name is shown.
    const std::string_view name = hop.reverse_name.empty() ? hop.from_name : hop.reverse_name;
    for (const auto& suffix : options.trusted_host_suffixes) {
        if (within_suffix(name, suffix)) {
            return true;
        }
    }
    return false;
}

bool same_address(const boost::asio::ip::address& a, const boost::asio::ip::address& b) noexcept {
    return unmap(a) == unmap(b);
}

struct Choice {
    std::optional<std::size_t> index;
    EnvelopeSource source = EnvelopeSource::none;
};

Choice choose_client(const std::vector<Hop>& chain, const EnvelopeOptions& options) {
    Choice choice;
    // (a) mdo-behaviour.md 16: the client of the topmost hop received by the boundary.
    if (!options.boundary_patterns.empty()) {
        for (std::size_t i = 0; i < chain.size() && !choice.index; ++i) {
            for (const auto& pattern : options.boundary_patterns) {
                if (host_matches(chain[i].by_name, pattern)) {
                    choice = {i, EnvelopeSource::boundary_hop};
                    break;
                }
            }
        }
    }
    // (b) the first hop whose client is not trusted; (c) the topmost hop with a client IP.
    if (!choice.index) {
        const bool trust_configured =
            !options.trusted_host_suffixes.empty() || !options.trusted_networks.empty();
        for (std::size_t i = 0; i < chain.size(); ++i) {
            const Hop& hop = chain[i];
            if (trust_configured) {
                // A hop that names no client at all (local delivery "by host with LMTP")
                // is a hand-off inside the receiving system.
                if ((!hop.ip && hop.from_name.empty()) || is_trusted(hop, options)) {
                    continue;
                }
            } else if (!hop.ip) {
                continue;
            }
            choice = {i, EnvelopeSource::first_untrusted};
            break;
        }
    }
    if (!choice.index || !chain[*choice.index].ip) {
        return choice;
    }
    // Enhanced filtering (mdo-behaviour.md 9): the relays the connector skips handed the
    // message on; the client is whoever connected to the first relay not skipped. Hop i+1
    // is where the relay of hop i received the message. Hops showing no address are
    // internal hand-offs of the relay and are passed over too.
    std::size_t i = *choice.index;
    bool skipped = false;
    if (options.skip_last_ip) {
        ++i;
        skipped = true;
    }
    while (i < chain.size() &&
           (!chain[i].ip || in_networks(options.skip_listed_networks, chain[i].ip))) {
        skipped = skipped || chain[i].ip.has_value();
        ++i;
    }
    if (skipped) {
        // Nothing left before the skipped relays (every hop skip-listed, or no Received
        // field from before the relay): keep the connecting hop, as without skip listing.
        if (i < chain.size()) {
            choice = {i, EnvelopeSource::skip_listed};
        }
    }
    return choice;
}

std::vector<std::string> recipients_from(const Message& message, std::string_view name) {
    for (const HeaderField* field : message.find_all(name)) {
        std::string address = clean_address(field->value());
        if (!address.empty()) {
            // The topmost field only: each delivery adds one on top, so it names the
            // mailbox this copy was saved from; lower ones are earlier forwarding steps.
            return {std::move(address)};
        }
    }
    return {};
}

bool is_null_path(std::string_view value) noexcept {
    std::size_t kept = 0;
    std::array<char, 2> chars{};
    for (const char c : value) {
        if (received_text::is_space(c)) {
            continue;
        }
        if (kept == chars.size()) {
            return false;
        }
        chars[kept++] = c;
    }
    return kept == 2 && chars[0] == '<' && chars[1] == '>';
}

}  // namespace

std::string_view to_string(EnvelopeSource source) noexcept {
    switch (source) {
        case EnvelopeSource::none:
            return "none";
        case EnvelopeSource::argument:
            return "argument";
        case EnvelopeSource::boundary_hop:
            return "boundary_hop";
        case EnvelopeSource::first_untrusted:
            return "first_untrusted";
        case EnvelopeSource::skip_listed:
            return "skip_listed";
        case EnvelopeSource::return_path:
            return "return_path";
        case EnvelopeSource::delivered_to:
            return "delivered_to";
        case EnvelopeSource::x_original_to:
            return "x_original_to";
        case EnvelopeSource::received_for:
            return "received_for";
        case EnvelopeSource::to_cc:
            return "to_cc";
    }
    return "none";
}

bool host_matches(std::string_view host, std::string_view pattern) noexcept {
    host = strip_dots(trim(host));
    pattern = strip_dots(trim(pattern));
    if (host.empty() || pattern.empty()) {
        return false;
    }
    if (pattern == "*") {
        return true;
    }
    if (pattern.size() > 2 && pattern[0] == '*' && pattern[1] == '.') {
        const std::string_view suffix = pattern.substr(1);  // ".example.com"
        return host.size() > suffix.size() && iends_with(host, suffix);
    }
    return iequal(host, pattern);
}

Envelope derive_envelope(const Message& message, const std::vector<Hop>& chain,
                         const EnvelopeOptions& options) {
    Envelope envelope;

    const Choice choice = choose_client(chain, options);
    if (choice.index) {
        const Hop& hop = chain[*choice.index];
        envelope.client_ip = hop.ip;
        envelope.helo = hop.helo;
        envelope.reverse_name = hop.reverse_name;
        envelope.hop_index = choice.index;
        envelope.client_source = choice.source;
        envelope.helo_source = hop.helo.empty() ? EnvelopeSource::none : choice.source;
    }
    if (options.client_ip) {
        // The caller's address wins. HELO and reverse name are kept only from a hop that
        // shows that address, so they never describe a different client.
        envelope.client_ip = options.client_ip;
        envelope.client_source = EnvelopeSource::argument;
        const bool derived_matches =
            envelope.hop_index && chain[*envelope.hop_index].ip &&
            same_address(*chain[*envelope.hop_index].ip, *options.client_ip);
        if (!derived_matches) {
            envelope.helo.clear();
            envelope.reverse_name.clear();
            envelope.hop_index.reset();
            envelope.helo_source = EnvelopeSource::none;
            for (const Hop& hop : chain) {
                if (hop.ip && same_address(*hop.ip, *options.client_ip)) {
                    envelope.helo = hop.helo;
                    envelope.reverse_name = hop.reverse_name;
                    envelope.hop_index = hop.index;
                    envelope.helo_source =
                        hop.helo.empty() ? EnvelopeSource::none : EnvelopeSource::argument;
                    break;
                }
            }
        }
    }
    if (options.helo) {
        envelope.helo = *options.helo;
        envelope.helo_source = EnvelopeSource::argument;
    }

    // MAIL FROM: the topmost Return-Path, written at final delivery (RFC 5321 4.4).
    if (options.mail_from) {
        envelope.mail_from = options.mail_from;
        envelope.mail_from_source = EnvelopeSource::argument;
    } else if (const HeaderField* field = message.find("Return-Path")) {
        const std::string_view value = field->value();
        std::optional<std::string> path;
        if (is_null_path(value)) {
            path = std::string{};  // RFC 5321 4.5.5: <> is the null reverse-path of bounces
        } else if (std::string address = clean_address(value); !address.empty()) {
            path = std::move(address);
        }
        if (path) {
            envelope.mail_from = std::move(path);
            envelope.mail_from_source = EnvelopeSource::return_path;
        }
    }

    // RCPT TO: fields written by the delivering MTA, then the Received "for" clause, then
    // the header recipients (which may differ from the envelope: Bcc, lists, forwarding).
    if (!options.recipients.empty()) {
        envelope.recipients = options.recipients;
        envelope.recipients_source = EnvelopeSource::argument;
        return envelope;
    }
    if (auto found = recipients_from(message, "Delivered-To"); !found.empty()) {
        envelope.recipients = std::move(found);
        envelope.recipients_source = EnvelopeSource::delivered_to;
        return envelope;
    }
    if (auto found = recipients_from(message, "X-Original-To"); !found.empty()) {
        envelope.recipients = std::move(found);
        envelope.recipients_source = EnvelopeSource::x_original_to;
        return envelope;
    }
    for (const Hop& hop : chain) {
        if (!hop.for_address.empty()) {
            // The topmost clause: the recipient closest to the saved mailbox.
            envelope.recipients = {hop.for_address};
            envelope.recipients_source = EnvelopeSource::received_for;
            return envelope;
        }
    }
    std::set<std::string> seen;
    for (const std::string_view name : {std::string_view{"To"}, std::string_view{"Cc"}}) {
        for (const HeaderField* field : message.find_all(name)) {
            for (const Mailbox& mailbox : parse_address_list(field->value())) {
                std::string address = mailbox.address();
                if (address.empty()) {
                    continue;
                }
                std::string key = address;
                for (char& c : key) {
                    c = lower(c);
                }
                if (seen.insert(std::move(key)).second) {
                    envelope.recipients.push_back(std::move(address));
                }
            }
        }
    }
    if (!envelope.recipients.empty()) {
        envelope.recipients_source = EnvelopeSource::to_cc;
    }
    return envelope;
}

}  // namespace mailverdict
