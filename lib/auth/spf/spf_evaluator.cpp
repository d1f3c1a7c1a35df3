// RFC 7208 4-6: check_host() over a dns::Resolver.
#include <mailverdict/auth/spf.hpp>
#include <mailverdict/message/message.hpp>

#include "auth/ascii.hpp"

#include "auth/spf/spf_ip.hpp"
#include "auth/spf/spf_macro.hpp"

#include <algorithm>
#include <utility>

namespace mailverdict::spf {

namespace {

using mailverdict::iequals;

using boost::asio::ip::address;

std::string_view strip_dot(std::string_view name) noexcept {
    if (!name.empty() && name.back() == '.') {
        name.remove_suffix(1);
    }
    return name;
}

// A name DNS can carry: non-empty labels of at most 63 octets, at most 253 in all.
// Any octet may appear in a label (RFC 2181 11): RFC 7208 7.3 expands %_ to a space and
// %% to "%", and puts no character restriction on the expanded target-name (RFC 7208
// 4.8), so "a:x%_y.example.com" queries the name whose first label is "x y".
bool is_queryable(std::string_view name) noexcept {
    name = strip_dot(name);
    if (name.empty() || name.size() > 253) {
        return false;
    }
    std::size_t label = 0;
    for (char c : name) {
        if (c == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
        } else if (++label > 63) {
            return false;
        }
    }
    return label != 0;
}

// The resolver takes names in presentation format (RFC 1035 5.1); an expanded SPF name
// is raw octets with every "." a label separator. Escapes "\\" and the octets outside
// the visible ASCII range as \DDD so that a label holding a space or a backslash
// reaches DNS as those octets.
std::string query_name(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (char c : raw) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>('0' + u / 100));
            out.push_back(static_cast<char>('0' + (u / 10) % 10));
            out.push_back(static_cast<char>('0' + u % 10));
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// RFC 7208 4.3: the checked <domain> must be a fully qualified, multi-label domain name
// (LDH labels, underscores tolerated; a numeric last label is an address, not a name).
bool is_valid_domain(std::string_view name) noexcept {
    name = strip_dot(name);
    if (!is_queryable(name) || name.find('.') == std::string_view::npos) {
        return false;
    }
    bool numeric_last = true;
    for (char c : name) {
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-' && c != '_' && c != '.') {
            return false;
        }
        if (c == '.') {
            numeric_last = true;
        } else if (!(c >= '0' && c <= '9')) {
            numeric_last = false;
        }
    }
    return !numeric_last;
}

// True when `name` is `domain` or a subdomain of it (RFC 7208 5.5), ignoring case.
bool is_within(std::string_view name, std::string_view domain) noexcept {
    name = strip_dot(name);
    domain = strip_dot(domain);
    if (name.size() == domain.size()) {
        return iequals(name, domain);
    }
    return name.size() > domain.size() && name[name.size() - domain.size() - 1] == '.' &&
           iequals(name.substr(name.size() - domain.size()), domain);
}

// How an answer counts for SPF. Temporary versus permanent is dns::is_temporary_failure's
// decision (RFC 7208 5: RCODE other than 0 or 3, or a timeout, is a temperror).
enum class Lookup { records, empty, temporary, budget };

Lookup classify(const dns::Answer& answer) noexcept {
    if (answer.status == dns::DnsStatus::budget_exceeded) {
        return Lookup::budget;
    }
    if (dns::is_temporary_failure(answer.status)) {
        return Lookup::temporary;
    }
    // RFC 7208 5: "If the server returns "Name Error" (RCODE 3), then evaluation of the
    // mechanism continues as if the server returned no error (RCODE 0) and zero answer
    // records."
    if (answer.status == dns::DnsStatus::ok && !answer.empty()) {
        return Lookup::records;
    }
    if (answer.status == dns::DnsStatus::ok || answer.status == dns::DnsStatus::nodata ||
        answer.status == dns::DnsStatus::nxdomain) {
        return Lookup::empty;
    }
    return Lookup::temporary;
}

std::string describe(const dns::Answer& answer, std::string_view name, dns::RecordType type) {
    std::string out(dns::to_string(type));
    out += " lookup of ";
    out += name;
    out += ": ";
    out += dns::to_string(answer.status);
    if (!answer.detail.empty()) {
        out += " (";
        out += answer.detail;
        out += ")";
    }
    return out;
}

enum class Match { match, no_match, error };

// What one level of check_host() decided.
struct Outcome {
    Result result = Result::none;
    std::string reason;
    std::string problem;
    std::string mechanism;
    std::string explanation;
};

Outcome error_outcome(Result result, std::string_view reason, std::string problem) {
    Outcome o;
    o.result = result;
    o.reason = reason;
    o.problem = std::move(problem);
    return o;
}

class Evaluation final : public detail::MacroValues {
public:
    Evaluation(dns::Resolver& resolver, const SpfRequest& request, const SpfOptions& options,
               SpfResult& out)
        : resolver_(resolver),
          options_(options),
          limits_(options.limits),
          out_(out),
          ip_(detail::unmapped(request.client_ip)),
          v4_(ip_.is_v4()),
          helo_(request.helo),
          tracing_(options.trace) {
        // RFC 7208 4.3: "If the <sender> has no local-part, substitute the string
        // "postmaster" for the local-part."
        const std::string_view sender = request.sender;
        const std::size_t at = sender.rfind('@');
        const std::string_view local =
            at == std::string_view::npos ? std::string_view() : sender.substr(0, at);
        const std::string_view domain =
            at == std::string_view::npos ? sender : sender.substr(at + 1);
        sender_.assign(local.empty() ? std::string_view("postmaster") : local);
        local_size_ = sender_.size();
        sender_ += '@';
        sender_ += domain;
    }

    Outcome run(std::string_view domain) { return check_host(strip_dot(domain), 0, true); }

    std::size_t lookups() const noexcept { return lookups_; }
    std::size_t void_lookups() const noexcept { return void_lookups_; }

    // RFC 7208 7.2: the macro letters.
    std::string_view value(char letter, std::string& scratch) override {
        switch (letter) {
            case 's':
                return sender_;
            case 'l':
                return std::string_view(sender_).substr(0, local_size_);
            case 'o':
                return std::string_view(sender_).substr(local_size_ + 1);
            case 'd':
                return domain_;
            case 'i':
                scratch.clear();
                detail::append_dotted(ip_, scratch);
                return scratch;
            case 'p':
                return validated_name();
            case 'v':
                return v4_ ? "in-addr" : "ip6";
            case 'h':
                return helo_;
            case 'c':
                scratch = ip_.to_string();
                return scratch;
            case 'r':
                return options_.receiver;
            case 't':
                scratch = std::to_string(options_.now);
                return scratch;
            default:
                return {};
        }
    }

private:
    dns::Resolver& resolver_;
    const SpfOptions& options_;
    const SpfLimits& limits_;
    SpfResult& out_;
    address ip_;
    bool v4_;
    std::string sender_;
    std::size_t local_size_ = 0;
    std::string_view helo_;
    std::string_view domain_;  // <domain> of the record being evaluated (%{d})
    bool tracing_;
    std::size_t lookups_ = 0;
    std::size_t void_lookups_ = 0;
    // %{p} (RFC 7208 7.3): validated names of the client, looked up once per evaluation.
    bool ptr_done_ = false;
    std::vector<std::string> ptr_validated_;
    std::string why_;

    void step(unsigned depth, std::string_view term, std::string_view outcome) {
        if (!tracing_) {
            return;
        }
        out_.trace.push_back(
            SpfStep{depth, std::string(domain_), std::string(term), std::string(outcome), why_});
    }

    dns::RecordType address_type() const noexcept {
        return v4_ ? dns::RecordType::A : dns::RecordType::AAAA;
    }

    bool matches(const address& candidate, const Mechanism& m) const noexcept {
        return detail::in_network(ip_, detail::unmapped(candidate), v4_ ? m.cidr4 : m.cidr6);
    }

    // RFC 7208 4.6.4: "SPF implementations SHOULD limit "void lookups" to two ...
    // Exceeding the limit produces a "permerror" result." Returns false past the limit.
    // RFC 7208 4.6.4: at most `dns_terms` mechanisms and modifiers that query DNS per
    // evaluation. Counts one for `term`; past the limit, sets `outcome` to the permerror.
    bool charge_lookup(unsigned depth, std::string_view term, Outcome& outcome) {
        if (lookups_ >= limits_.dns_terms) {
            outcome = error_outcome(Result::permerror, "dns_lookup_limit",
                                    "more than " + std::to_string(limits_.dns_terms) +
                                        " DNS-querying terms, at '" + std::string(term) +
                                        "' (RFC 7208 4.6.4)");
            if (tracing_) {
                why_ = outcome.problem;
            }
            step(depth, term, "permerror");
            return false;
        }
        ++lookups_;
        return true;
    }

    bool count_void() noexcept { return ++void_lookups_ <= limits_.void_lookups; }

    Outcome void_limit_outcome(std::string_view name) const {
        return error_outcome(Result::permerror, "void_lookup_limit",
                             "more than " + std::to_string(limits_.void_lookups) +
                                 " void DNS lookups (last: " + std::string(name) +
                                 "; RFC 7208 4.6.4)");
    }

    // Expands a domain-spec (or takes <domain>) into a name to query (RFC 7208 4.8,
    // 7.3). False when the result is not a name DNS can carry.
    bool target_name(std::string_view spec, std::string& target) {
        target.clear();
        if (spec.empty()) {
            target.assign(domain_);
        } else if (detail::is_literal(spec)) {
            target.assign(spec);
        } else if (!detail::expand_macro_string(spec, detail::MacroContext::domain_spec, *this,
                                                target)) {
            return false;
        }
        // RFC 7208 7.3: names over 253 octets lose labels from the left.
        detail::truncate_domain(target, limits_.domain_length);
        return is_queryable(target);
    }

    const std::vector<std::string>& validated_names() {
        if (ptr_done_) {
            return ptr_validated_;
        }
        ptr_done_ = true;
        const std::string reverse = detail::reverse_name(ip_);
        const dns::Answer ptr = resolver_.query(reverse, dns::RecordType::PTR);
        if (classify(ptr) != Lookup::records) {
            return ptr_validated_;
        }
        // RFC 7208 4.6.4: "if this limit [10 PTR names] is exceeded, all records other
        // than the first 10 MUST be ignored."
        const std::size_t n = std::min(ptr.names.size(), limits_.ptr_names);
        for (std::size_t i = 0; i < n; ++i) {
            if (validate_name(ptr.names[i])) {
                ptr_validated_.push_back(ptr.names[i]);
            }
        }
        return ptr_validated_;
    }

    // RFC 7208 5.5: a PTR name is validated when one of its addresses is <ip>; a DNS
    // error on that lookup skips the name.
    bool validate_name(std::string_view name) {
        if (!is_queryable(name)) {
            return false;
        }
        const dns::Answer a = resolver_.query(name, address_type());
        if (classify(a) != Lookup::records) {
            return false;
        }
        return std::any_of(a.addresses.begin(), a.addresses.end(),
                           [&](const address& x) { return detail::unmapped(x) == ip_; });
    }

    // RFC 7208 7.3 "p": <domain> if validated, else a subdomain of it, else any
    // validated name, else "unknown".
    std::string_view validated_name() {
        const auto& names = validated_names();
        for (const auto& n : names) {
            if (is_within(n, domain_) && strip_dot(n).size() == strip_dot(domain_).size()) {
                return strip_dot(n);
            }
        }
        for (const auto& n : names) {
            if (is_within(n, domain_)) {
                return strip_dot(n);
            }
        }
        if (!names.empty()) {
            return strip_dot(names.front());
        }
        return "unknown";
    }

    // Evaluates one mechanism. On Match::error, `error` holds the temperror/permerror.
    Match evaluate(const SpfRecord& record, const Mechanism& m, unsigned depth, Outcome& error) {
        switch (m.kind) {
            case MechanismKind::all:
                // RFC 7208 5.1: "The "all" mechanism is a test that always matches."
                if (tracing_) {
                    why_ = "all matches every address (RFC 7208 5.1)";
                }
                return Match::match;
            case MechanismKind::ip4:
            case MechanismKind::ip6: {
                // RFC 7208 5.6: match when <ip> is in the network; an IPv4 client never
                // matches ip6 and an IPv6 client never matches ip4.
                const bool family = (m.kind == MechanismKind::ip4) == v4_;
                const bool hit = family && matches(m.network, m);
                if (tracing_) {
                    why_ = ip_.to_string();
                    why_ +=
                        hit ? " is in " : (family ? " is not in " : " is not of the family of ");
                    why_ += record.term(m).substr(record.term(m).find(':') + 1);
                    why_ += " (RFC 7208 5.6)";
                }
                return hit ? Match::match : Match::no_match;
            }
            case MechanismKind::a:
            case MechanismKind::mx:
            case MechanismKind::ptr:
            case MechanismKind::exists:
            case MechanismKind::include:
                break;
        }
        std::string target;
        if (!target_name(record.domain_spec(m), target)) {
            error = error_outcome(Result::permerror, "invalid_target",
                                  "'" + std::string(record.term(m)) +
                                      "' does not expand to a valid domain name ('" + target +
                                      "'; RFC 7208 4.8)");
            if (tracing_) {
                why_ = error.problem;
            }
            return Match::error;
        }
        switch (m.kind) {
            case MechanismKind::include:
                return evaluate_include(record, m, target, depth, error);
            case MechanismKind::a:
                return evaluate_a(m, target, error);
            case MechanismKind::mx:
                return evaluate_mx(m, target, error);
            case MechanismKind::ptr:
                return evaluate_ptr(target, error);
            case MechanismKind::exists:
                return evaluate_exists(target, error);
            default:
                return Match::no_match;
        }
    }

    // A lookup whose answer decides the mechanism; returns false (with `error` or a
    // no_match in `match`) unless it has records.
    bool lookup(std::string_view name, dns::RecordType type, dns::Answer& answer, Match& match,
                Outcome& error) {
        answer = resolver_.query(query_name(name), type);
        switch (classify(answer)) {
            case Lookup::records:
                return true;
            case Lookup::temporary:
                // RFC 7208 5: a DNS error or timeout makes the topmost check_host()
                // return "temperror".
                error = error_outcome(Result::temperror, "dns_temporary_failure",
                                      describe(answer, name, type) + " (RFC 7208 5)");
                match = Match::error;
                break;
            case Lookup::budget:
                error = error_outcome(Result::permerror, "dns_budget_exceeded",
                                      describe(answer, name, type) + " (RFC 7208 4.6.4)");
                match = Match::error;
                break;
            case Lookup::empty:
                if (!count_void()) {
                    error = void_limit_outcome(name);
                    match = Match::error;
                } else {
                    match = Match::no_match;
                }
                break;
        }
        if (tracing_) {
            why_ = match == Match::error
                       ? error.problem
                       : describe(answer, name, type) + " counts as a void lookup (RFC 7208 4.6.4)";
        }
        return false;
    }

    // RFC 7208 5.3: match when an address of the target is in <ip>'s network.
    Match evaluate_a(const Mechanism& m, const std::string& target, Outcome& error) {
        dns::Answer answer;
        Match match = Match::no_match;
        if (!lookup(target, address_type(), answer, match, error)) {
            return match;
        }
        for (const auto& x : answer.addresses) {
            if (matches(x, m)) {
                if (tracing_) {
                    why_ = target;
                    why_ += " has address ";
                    why_ += x.to_string();
                    why_ += " (RFC 7208 5.3)";
                }
                return Match::match;
            }
        }
        if (tracing_) {
            why_ = "no address of " + target + " covers " + ip_.to_string() + " (RFC 7208 5.3)";
        }
        return Match::no_match;
    }

    // RFC 7208 5.4: the addresses of the target's MX hosts, no implicit MX.
    Match evaluate_mx(const Mechanism& m, const std::string& target, Outcome& error) {
        dns::Answer answer;
        Match match = Match::no_match;
        if (!lookup(target, dns::RecordType::MX, answer, match, error)) {
            return match;
        }
        // RFC 7208 4.6.4: "the evaluation of each "MX" record MUST NOT result in
        // querying more than 10 address records ... If this limit is exceeded, the "mx"
        // mechanism MUST produce a "permerror" result."
        if (answer.mx.size() > limits_.mx_names) {
            error = error_outcome(Result::permerror, "mx_limit",
                                  target + " has " + std::to_string(answer.mx.size()) +
                                      " MX records, more than " + std::to_string(limits_.mx_names) +
                                      " (RFC 7208 4.6.4)");
            if (tracing_) {
                why_ = error.problem;
            }
            return Match::error;
        }
        for (const auto& mx : answer.mx) {
            const std::string_view exchange = strip_dot(mx.exchange);
            if (exchange.empty()) {
                continue;  // RFC 7505 null MX: no host to check
            }
            const dns::Answer hosts = resolver_.query(exchange, address_type());
            switch (classify(hosts)) {
                case Lookup::temporary:
                    error =
                        error_outcome(Result::temperror, "dns_temporary_failure",
                                      describe(hosts, exchange, address_type()) + " (RFC 7208 5)");
                    if (tracing_) {
                        why_ = error.problem;
                    }
                    return Match::error;
                case Lookup::budget:
                    error = error_outcome(Result::permerror, "dns_budget_exceeded",
                                          describe(hosts, exchange, address_type()));
                    if (tracing_) {
                        why_ = error.problem;
                    }
                    return Match::error;
                case Lookup::empty:
                    continue;
                case Lookup::records:
                    break;
            }
            for (const auto& x : hosts.addresses) {
                if (matches(x, m)) {
                    if (tracing_) {
                        why_ = "MX host ";
                        why_ += exchange;
                        why_ += " of ";
                        why_ += target;
                        why_ += " has address ";
                        why_ += x.to_string();
                        why_ += " (RFC 7208 5.4)";
                    }
                    return Match::match;
                }
            }
        }
        if (tracing_) {
            why_ = "no MX host of " + target + " covers " + ip_.to_string() + " (RFC 7208 5.4)";
        }
        return Match::no_match;
    }

    // RFC 7208 5.5: a validated reverse name of <ip> within the target. DNS errors make
    // it not match rather than fail.
    Match evaluate_ptr(const std::string& target, Outcome& error) {
        const std::string reverse = detail::reverse_name(ip_);
        const dns::Answer ptr = resolver_.query(reverse, dns::RecordType::PTR);
        switch (classify(ptr)) {
            case Lookup::records:
                break;
            case Lookup::empty:
                if (!count_void()) {
                    error = void_limit_outcome(reverse);
                    if (tracing_) {
                        why_ = error.problem;
                    }
                    return Match::error;
                }
                [[fallthrough]];
            default:
                // RFC 7208 5.5: "If a DNS error occurs while doing the PTR RR lookup,
                // then this mechanism fails to match."
                if (tracing_) {
                    why_ = describe(ptr, reverse, dns::RecordType::PTR) + " (RFC 7208 5.5)";
                }
                return Match::no_match;
        }
        const std::size_t n = std::min(ptr.names.size(), limits_.ptr_names);
        for (std::size_t i = 0; i < n; ++i) {
            // Only names within the target can make it match, so only those are
            // validated (fewer lookups, same result).
            if (is_within(ptr.names[i], target) && validate_name(ptr.names[i])) {
                if (tracing_) {
                    why_ = ip_.to_string() + " has validated name " + ptr.names[i] + " within " +
                           target + " (RFC 7208 5.5)";
                }
                return Match::match;
            }
        }
        if (tracing_) {
            why_ =
                "no validated name of " + ip_.to_string() + " within " + target + " (RFC 7208 5.5)";
        }
        return Match::no_match;
    }

    // RFC 7208 5.7: match when the name has an A record (A even for IPv6 clients).
    Match evaluate_exists(const std::string& target, Outcome& error) {
        dns::Answer answer;
        Match match = Match::no_match;
        if (!lookup(target, dns::RecordType::A, answer, match, error)) {
            return match;
        }
        if (tracing_) {
            why_ = target + " has an A record (RFC 7208 5.7)";
        }
        return Match::match;
    }

    // RFC 7208 5.2: recursive check_host() on the target, mapped by the table.
    Match evaluate_include(const SpfRecord& record, const Mechanism& m, const std::string& target,
                           unsigned depth, Outcome& error) {
        Outcome inner = check_host(target, depth + 1, false);
        switch (inner.result) {
            case Result::pass:
                if (tracing_) {
                    why_ = "the record of " + target + " gives pass (RFC 7208 5.2)";
                }
                return Match::match;
            case Result::fail:
            case Result::softfail:
            case Result::neutral:
                if (tracing_) {
                    why_ = "the record of " + target + " gives " +
                           std::string(to_string(inner.result)) + " (RFC 7208 5.2)";
                }
                return Match::no_match;
            case Result::temperror:
            case Result::permerror:
                error = std::move(inner);
                error.mechanism.clear();
                error.explanation.clear();
                if (tracing_) {
                    why_ = "the record of " + target + " gives " +
                           std::string(to_string(error.result)) + " (RFC 7208 5.2)";
                }
                return Match::error;
            case Result::none:
                // RFC 7208 5.2: an include of a domain without a record is a permerror.
                error = error_outcome(Result::permerror, "include_none",
                                      "'" + std::string(record.term(m)) + "': " + target +
                                          " has no SPF record (RFC 7208 5.2)");
                if (tracing_) {
                    why_ = error.problem;
                }
                return Match::error;
        }
        return Match::no_match;
    }

    // RFC 7208 4.4, 4.5: the one "v=spf1" TXT record of `domain`.
    std::optional<SpfRecord> fetch_record(std::string_view domain, unsigned depth,
                                          Outcome& outcome) {
        const dns::Answer answer = resolver_.query(query_name(domain), dns::RecordType::TXT);
        switch (classify(answer)) {
            case Lookup::temporary:
                outcome = error_outcome(
                    Result::temperror, "dns_temporary_failure",
                    describe(answer, domain, dns::RecordType::TXT) + " (RFC 7208 4.4)");
                break;
            case Lookup::budget:
                outcome = error_outcome(Result::permerror, "dns_budget_exceeded",
                                        describe(answer, domain, dns::RecordType::TXT));
                break;
            case Lookup::empty:
                // RFC 7208 4.3, 4.4: no such domain or no TXT records: "none".
                outcome = error_outcome(Result::none, "no_record",
                                        describe(answer, domain, dns::RecordType::TXT) +
                                            ": no SPF record (RFC 7208 4.5)");
                break;
            case Lookup::records:
                break;
        }
        if (classify(answer) != Lookup::records) {
            if (tracing_) {
                why_ = outcome.problem;
            }
            step(depth, "record", to_string(outcome.result));
            return std::nullopt;
        }
        // RFC 7208 4.5: keep the records beginning with "v=spf1"; the strings of one
        // TXT record are concatenated without separators (RFC 7208 3.3). Records of type
        // SPF (99) are not looked at (RFC 7208 3.1).
        const dns::TxtRecord* found = nullptr;
        std::size_t count = 0;
        for (const auto& txt : answer.txt) {
            const bool spf = txt.strings.size() == 1 ? SpfRecord::is_spf1(txt.strings.front())
                                                     : SpfRecord::is_spf1(txt.joined());
            if (spf) {
                found = &txt;
                ++count;
            }
        }
        if (count == 0) {
            outcome =
                error_outcome(Result::none, "no_record",
                              std::string(domain) + " has no \"v=spf1\" TXT record (RFC 7208 4.5)");
        } else if (count > 1) {
            outcome = error_outcome(Result::permerror, "multiple_records",
                                    std::string(domain) + " has " + std::to_string(count) +
                                        " \"v=spf1\" TXT records (RFC 7208 4.5)");
        }
        if (count != 1) {
            if (tracing_) {
                why_ = outcome.problem;
            }
            step(depth, "record", to_string(outcome.result));
            return std::nullopt;
        }
        auto parsed = found->strings.size() == 1 ? SpfRecord::parse(found->strings.front())
                                                 : SpfRecord::parse(found->joined());
        if (!parsed) {
            // RFC 7208 4.6: a syntax error anywhere in the record is a permerror before
            // any evaluation.
            outcome = error_outcome(Result::permerror, "syntax_error",
                                    "syntax error in the record of " + std::string(domain) + ": " +
                                        parsed.error().to_string() + " (RFC 7208 4.6)");
            if (tracing_) {
                why_ = outcome.problem;
            }
            step(depth, "record", "permerror");
            return std::nullopt;
        }
        if (tracing_) {
            why_ = parsed->text();
        }
        step(depth, "record", "found");
        return std::move(*parsed);
    }

    // RFC 7208 6.2: the explanation for a fail decided by this record.
    std::string explanation(const SpfRecord& record, unsigned depth) {
        std::string text;
        if (auto spec = record.explanation()) {
            std::string target;
            bool used = false;
            if (target_name(*spec, target)) {
                // RFC 7208 4.6.4: the exp= lookup does not count against the limits.
                const dns::Answer answer =
                    resolver_.query(query_name(target), dns::RecordType::TXT);
                // RFC 7208 6.2: DNS errors, no record, several records or a syntax error
                // in the text: proceed as if there were no exp=.
                if (classify(answer) == Lookup::records && answer.txt.size() == 1) {
                    used = detail::expand_macro_string(answer.txt.front().joined(),
                                                       detail::MacroContext::explain_string, *this,
                                                       text);
                }
                if (tracing_) {
                    why_ = used ? "explanation from TXT " + target
                                : describe(answer, target, dns::RecordType::TXT) +
                                      ": not usable, default explanation (RFC 7208 6.2)";
                }
            } else if (tracing_) {
                why_ = "exp= does not expand to a valid name (RFC 7208 6.2)";
            }
            step(depth, "exp=" + std::string(*spec), used ? "used" : "ignored");
            if (used) {
                return text;
            }
            text.clear();
        }
        if (!detail::expand_macro_string(options_.default_explanation,
                                         detail::MacroContext::explain_string, *this, text)) {
            text = options_.default_explanation;
        }
        return text;
    }

    Outcome check_host(std::string_view domain, unsigned depth, bool want_explanation) {
        const std::string_view saved = domain_;
        domain_ = domain;
        Outcome outcome = evaluate_domain(depth, want_explanation);
        domain_ = saved;
        return outcome;
    }

    Outcome evaluate_domain(unsigned depth, bool want_explanation) {
        Outcome outcome;
        std::optional<SpfRecord> record = fetch_record(domain_, depth, outcome);
        if (!record) {
            return outcome;
        }
        Outcome error;
        for (const Mechanism& m : record->mechanisms()) {
            const std::string_view term = record->term(m);
            if (queries_dns(m.kind)) {
                // RFC 7208 4.6.4: at most 10 mechanisms and modifiers that query DNS per
                // check_host() evaluation, includes and redirects counted.
                if (!charge_lookup(depth, term, outcome)) {
                    return outcome;
                }
            }
            switch (evaluate(*record, m, depth, error)) {
                case Match::match:
                    step(depth, term, "match");
                    outcome.result = to_result(m.qualifier);
                    outcome.reason = "matched";
                    outcome.mechanism.assign(term);
                    if (outcome.result == Result::fail && want_explanation) {
                        outcome.explanation = explanation(*record, depth);
                    }
                    return outcome;
                case Match::no_match:
                    step(depth, term, "no match");
                    continue;
                case Match::error:
                    step(depth, term, to_string(error.result));
                    return error;
            }
        }
        // RFC 7208 6.1: redirect= applies when no mechanism matched, and is ignored when
        // the record has an "all" mechanism (RFC 7208 5.1).
        if (auto redirect = record->redirect(); redirect && !record->has_all()) {
            const std::string_view term = record->redirect_term();
            if (!charge_lookup(depth, term, outcome)) {
                return outcome;
            }
            std::string target;
            if (!target_name(*redirect, target)) {
                // RFC 7208 6.1: a malformed target-name is a permerror.
                outcome =
                    error_outcome(Result::permerror, "invalid_target",
                                  "'" + std::string(term) +
                                      "' does not expand to a valid domain name (RFC 7208 6.1)");
                if (tracing_) {
                    why_ = outcome.problem;
                }
                step(depth, term, "permerror");
                return outcome;
            }
            if (tracing_) {
                why_ = "no mechanism matched: the result is that of " + target + " (RFC 7208 6.1)";
            }
            step(depth, term, "follow");
            // RFC 7208 6.2: with redirect=, the target's exp= is used, not this one's.
            outcome = check_host(target, depth + 1, want_explanation);
            if (outcome.result == Result::none) {
                // RFC 7208 6.1: "if no SPF record is found ... the result is a
                // "permerror" rather than "none"."
                outcome = error_outcome(
                    Result::permerror, "redirect_none",
                    "'" + std::string(term) + "': " + target + " has no SPF record (RFC 7208 6.1)");
            }
            return outcome;
        }
        // RFC 7208 4.7: "If none of the mechanisms match and there is no "redirect"
        // modifier, then the check_host() returns a result of "neutral"".
        outcome.result = Result::neutral;
        outcome.reason = "default_neutral";
        outcome.mechanism = "default";
        if (tracing_) {
            why_ = "no mechanism matched and there is no redirect= (RFC 7208 4.7)";
        }
        step(depth, "default", "neutral");
        return outcome;
    }
};

SpfResult base_result(const SpfRequest& request, const SpfOptions& options) {
    SpfResult result;
    result.identity = request.identity;
    result.domain = std::string(strip_dot(request.domain));
    result.sender = request.sender;
    result.mail_from = request.mail_from;
    result.helo = request.helo;
    result.receiver = options.receiver;
    result.client_ip = detail::unmapped(request.client_ip);
    return result;
}

}  // namespace

SpfResult check_host(dns::Resolver& resolver, const SpfRequest& request,
                     const SpfOptions& options) {
    SpfResult result = base_result(request, options);
    // RFC 7208 4.3: a malformed <domain> or one that is not multi-label gives "none"
    // without any lookup.
    if (!is_valid_domain(request.domain)) {
        result.result = Result::none;
        result.reason = "invalid_domain";
        result.problem =
            "'" + request.domain + "' is not a fully qualified domain name (RFC 7208 4.3)";
        if (options.trace) {
            result.trace.push_back(SpfStep{0, request.domain, "domain", "none", result.problem});
        }
        return result;
    }
    Evaluation evaluation(resolver, request, options, result);
    Outcome outcome = evaluation.run(request.domain);
    result.result = outcome.result;
    result.reason = std::move(outcome.reason);
    result.problem = std::move(outcome.problem);
    result.mechanism = std::move(outcome.mechanism);
    result.explanation = std::move(outcome.explanation);
    result.lookups = evaluation.lookups();
    result.void_lookups = evaluation.void_lookups();
    return result;
}

SpfResult check_mail_from(dns::Resolver& resolver, const boost::asio::ip::address& client_ip,
                          std::string_view mail_from, std::string_view helo,
                          const SpfOptions& options) {
    std::string_view path = mail_from;
    while (!path.empty() && path.front() == ' ') {
        path.remove_prefix(1);
    }
    while (!path.empty() && path.back() == ' ') {
        path.remove_suffix(1);
    }
    if (path.size() >= 2 && path.front() == '<' && path.back() == '>') {
        path = path.substr(1, path.size() - 2);
    }
    SpfRequest request;
    request.client_ip = client_ip;
    request.helo = std::string(helo);
    request.mail_from = std::string(path);
    request.identity = Identity::mailfrom;
    if (path.empty()) {
        // RFC 7208 2.4: with the null reverse-path, <sender> is postmaster@<HELO>.
        request.domain = std::string(helo);
        request.sender = "postmaster@" + std::string(helo);
    } else {
        const std::size_t at = path.rfind('@');
        request.domain = std::string(at == std::string_view::npos ? path : path.substr(at + 1));
        // RFC 7208 4.3: no local-part means "postmaster".
        request.sender = (at == std::string_view::npos || at == 0) ? "postmaster@" + request.domain
                                                                   : std::string(path);
    }
    return check_host(resolver, request, options);
}

SpfResult check_helo(dns::Resolver& resolver, const boost::asio::ip::address& client_ip,
                     std::string_view helo, const SpfOptions& options) {
    SpfRequest request;
    request.client_ip = client_ip;
    request.helo = std::string(helo);
    request.domain = std::string(helo);
    // RFC 7208 2.3: the HELO identity is checked with <sender> postmaster@<HELO>.
    request.sender = "postmaster@" + std::string(helo);
    request.identity = Identity::helo;
    return check_host(resolver, request, options);
}

}  // namespace mailverdict::spf
