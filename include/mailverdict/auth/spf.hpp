// SPF (RFC 7208): the record parser, check_host() and the Received-SPF /
// Authentication-Results renderings of its result.
//
// Parse apart from fetch: SpfRecord::parse() is a pure function of the record text;
// the evaluator fetches records through a dns::Resolver and consumes parsed records.
// Outcomes are values (temperror and permerror included); nothing here throws for a
// bad record or a DNS failure.
#pragma once

#include <mailverdict/dns/resolver.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::spf {

// RFC 7208 2.6: the seven results of check_host().
enum class Result : std::uint8_t { none, neutral, pass, fail, softfail, temperror, permerror };
std::string_view to_string(Result result) noexcept;

// RFC 7208 4.6.2: "+" pass (the default), "-" fail, "~" softfail, "?" neutral.
enum class Qualifier : std::uint8_t { pass, fail, softfail, neutral };
Result to_result(Qualifier qualifier) noexcept;

enum class MechanismKind : std::uint8_t { all, include, a, mx, ptr, ip4, ip6, exists };
std::string_view to_string(MechanismKind kind) noexcept;

// RFC 7208 4.6.4: include, a, mx, ptr and exists (and the redirect modifier) query DNS.
bool queries_dns(MechanismKind kind) noexcept;

// Which identity check_host() was asked about (RFC 7208 2.3, 2.4).
enum class Identity : std::uint8_t { mailfrom, helo };
std::string_view to_string(Identity identity) noexcept;

// A piece of the record text: offset and length in SpfRecord::text().
struct TextSpan {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    [[nodiscard]] bool empty() const noexcept { return length == 0; }
};

struct Mechanism {
    Qualifier qualifier = Qualifier::pass;
    MechanismKind kind = MechanismKind::all;
    TextSpan term;         // the whole term as written, qualifier included
    TextSpan domain_spec;  // include, a, mx, ptr, exists: the ":" argument (empty: <domain>)
    bool domain_has_macros = false;
    // ip4, ip6: the network as written (host bits kept; matching uses the prefix).
    boost::asio::ip::address network;
    // RFC 7208 5.3, 5.4 dual-cidr-length (a, mx) and ip4/ip6 prefixes.
    std::uint8_t cidr4 = 32;
    std::uint8_t cidr6 = 128;
};

// A syntax error: where it is and what is wrong, with the offending term quoted.
struct SpfParseError {
    std::size_t offset = 0;  // byte offset of the offending term in the record text
    std::string term;        // the offending term ("" when the record itself is wrong)
    std::string message;     // "unknown mechanism", "bad CIDR length /33", ...
    [[nodiscard]] std::string to_string() const;  // "unknown mechanism 'foo' at offset 7"
};

// boost::system::result<T, SpfParseError>::value() throws this on an error (the
// evaluator never calls value() on an error; callers that do get an exception).
[[noreturn]] void throw_exception_from_error(const SpfParseError& error,
                                             const boost::source_location& location);

class SpfRecord;
using SpfParseResult = boost::system::result<SpfRecord, SpfParseError>;

// A syntactically valid "v=spf1" record (RFC 7208 4.5, 4.6, 12). Terms refer to the
// record text by offset, so a record is one string plus one vector: cheap to copy and
// to cache.
class SpfRecord {
public:
    // True when `text` is an SPF version 1 record: "v=spf1" (case-insensitive, RFC 7208
    // 12 ABNF) followed by a space or the end (RFC 7208 4.5).
    static bool is_spf1(std::string_view text) noexcept;

    // Checks the whole record (RFC 7208 4.6: a syntax error anywhere is a permerror
    // before anything is evaluated).
    static SpfParseResult parse(std::string_view text);

    [[nodiscard]] const std::string& text() const noexcept { return text_; }
    [[nodiscard]] std::span<const Mechanism> mechanisms() const noexcept { return mechanisms_; }
    [[nodiscard]] std::string_view view(TextSpan span) const noexcept {
        return std::string_view(text_).substr(span.offset, span.length);
    }
    [[nodiscard]] std::string_view term(const Mechanism& m) const noexcept { return view(m.term); }
    [[nodiscard]] std::string_view domain_spec(const Mechanism& m) const noexcept {
        return view(m.domain_spec);
    }
    // redirect= and exp= arguments (domain-specs), when present.
    [[nodiscard]] std::optional<std::string_view> redirect() const noexcept;
    [[nodiscard]] std::optional<std::string_view> explanation() const noexcept;
    [[nodiscard]] std::string_view redirect_term() const noexcept { return view(redirect_term_); }
    // Modifiers other than redirect and exp, ignored by evaluation (RFC 7208 6).
    [[nodiscard]] std::vector<std::string_view> unknown_modifiers() const;
    // RFC 7208 5.1: an "all" anywhere makes redirect= ignored.
    [[nodiscard]] bool has_all() const noexcept { return has_all_; }

private:
    std::string text_;
    std::vector<Mechanism> mechanisms_;
    std::vector<TextSpan> unknown_modifiers_;
    TextSpan redirect_term_;
    TextSpan redirect_;
    TextSpan explanation_;
    bool has_redirect_ = false;
    bool has_explanation_ = false;
    bool has_all_ = false;
    friend class SpfRecordParser;
};

// RFC 7208 4.6.4 processing limits, with the RFC's defaults.
struct SpfLimits {
    std::size_t dns_terms = 10;       // include, a, mx, ptr, exists, redirect per evaluation
    std::size_t void_lookups = 2;     // lookups answering NXDOMAIN or no records
    std::size_t mx_names = 10;        // exchanges looked up per mx (more: permerror)
    std::size_t ptr_names = 10;       // PTR names validated per ptr / %{p} (others ignored)
    std::size_t domain_length = 253;  // RFC 7208 7.3: expanded names truncated from the left
};

// Everything check_host() uses besides DNS. The receiving host name (%{r}) and the time
// (%{t}) are inputs: the evaluator reads no clock and no host name.
struct SpfOptions {
    SpfLimits limits;
    std::string receiver = "unknown";  // RFC 7208 7.2 "r": the checking host's domain
    std::int64_t now = 0;              // RFC 7208 7.2 "t": seconds since the epoch
    // RFC 7208 6.2: used for a fail when there is no (usable) exp=; macro-expanded with
    // the explanation rules (c, r, t allowed).
    std::string default_explanation = "domain of %{o} does not designate %{c} as permitted sender";
    bool trace = true;  // record the steps (a little slower when on)
};

// The inputs of check_host() (RFC 7208 4.1).
struct SpfRequest {
    boost::asio::ip::address client_ip;  // IPv4-mapped IPv6 is evaluated as IPv4 (RFC 7208 5)
    std::string domain;                  // <domain>
    std::string sender;                  // <sender>: local-part@domain ("postmaster" if none)
    std::string helo;                    // %{h}
    std::string mail_from;               // as given in MAIL FROM ("" = null sender), for headers
    Identity identity = Identity::mailfrom;
};

// One step of the evaluation, appended when the decision is taken.
struct SpfStep {
    unsigned depth = 0;   // 0 for the checked domain, +1 per include/redirect
    std::string domain;   // the <domain> whose record holds the term
    std::string term;     // the term as written ("record" for the record lookup itself)
    std::string outcome;  // "match", "no match", "pass", "permerror", ...
    std::string why;      // in words, with the RFC section
};

struct SpfResult {
    Result result = Result::none;
    Identity identity = Identity::mailfrom;
    // Precise reason (stable identifiers): matched, default_neutral, no_record,
    // invalid_domain, multiple_records, syntax_error, dns_lookup_limit,
    // void_lookup_limit, mx_limit, include_none, redirect_none, invalid_target,
    // dns_temporary_failure, dns_budget_exceeded.
    std::string reason;
    std::string problem;      // for temperror / permerror: what went wrong, in words
    std::string mechanism;    // the matching term as written, "default" when none matched
    std::string explanation;  // for fail only (RFC 7208 6.2): exp= text or the default
    std::string domain;       // the domain checked
    std::string sender;       // <sender> used
    std::string mail_from;    // MAIL FROM as given ("" = null sender)
    std::string helo;
    std::string receiver;
    boost::asio::ip::address client_ip;
    std::size_t lookups = 0;       // DNS-querying terms evaluated (RFC 7208 4.6.4)
    std::size_t void_lookups = 0;  // of which void (NXDOMAIN or no records)
    std::vector<SpfStep> trace;
};

// RFC 7208 4: check_host(<ip>, <domain>, <sender>).
SpfResult check_host(dns::Resolver& resolver, const SpfRequest& request,
                     const SpfOptions& options = {});

// The MAIL FROM identity (RFC 7208 2.4): `mail_from` as given, with or without angle
// brackets; "" or "<>" is the null sender, checked as postmaster@<helo>. A domain that
// is not a valid FQDN gives none (RFC 7208 4.3).
SpfResult check_mail_from(dns::Resolver& resolver, const boost::asio::ip::address& client_ip,
                          std::string_view mail_from, std::string_view helo,
                          const SpfOptions& options = {});

// The HELO identity (RFC 7208 2.3), checked with <sender> postmaster@<helo>.
SpfResult check_helo(dns::Resolver& resolver, const boost::asio::ip::address& client_ip,
                     std::string_view helo, const SpfOptions& options = {});

// RFC 7208 9.1 Received-SPF header field (name included, no CRLF), e.g.
// Received-SPF: pass (mx.example.org: domain of a@example.com designates 192.0.2.1 as
//  permitted sender) client-ip=192.0.2.1; envelope-from="a@example.com"; ...
std::string received_spf(const SpfResult& result);

// RFC 8601 2.7.2: the SPF property of Authentication-Results: "smtp.mailfrom=example.com"
// (the domain checked) or "smtp.helo=mail.example.com".
struct AuthResultsProperty {
    std::string ptype = "smtp";
    std::string property;  // "mailfrom" or "helo"
    std::string value;
};
AuthResultsProperty auth_results_property(const SpfResult& result);
// "spf=pass smtp.mailfrom=example.com"
std::string auth_results_spf(const SpfResult& result);

}  // namespace mailverdict::spf
