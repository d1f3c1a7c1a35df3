// DMARC (RFC 7489, with the np tag of RFC 9091): the record parser and the evaluator,
// plus Microsoft's extra outcome (bestguesspass) and action values.
//
// Compose, never recompute: the evaluator takes SPF and DKIM results already computed
// (DmarcInput, filled by the caller from spf::SpfResult / dkim::DkimResult or from a
// trusted Authentication-Results header). It queries DNS only for DMARC records and, when
// a record has np=, for the existence of the From domain. Pure given a Resolver and a
// Public Suffix List: no clock, no randomness (pct sampling is a hash), no globals.
#pragma once

#include <mailverdict/auth/org_domain.hpp>
#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/message/message.hpp>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::dmarc {

// RFC 7489 6.3 p=, sp=, np= values.
enum class Policy : std::uint8_t { none, quarantine, reject };
std::string_view to_string(Policy policy) noexcept;

// RFC 7489 3.1 identifier alignment modes (adkim=, aspf=).
enum class AlignmentMode : std::uint8_t { relaxed, strict };
std::string_view to_string(AlignmentMode mode) noexcept;  // "r", "s"

// ---------------------------------------------------------------------------------------
// Records (RFC 7489 6.3, 6.4)

// A reporting URI (RFC 7489 6.4 dmarc-uri): the URI and the optional "!size" limit.
struct ReportUri {
    std::string uri;                         // "mailto:dmarc@example.com"
    std::optional<std::uint64_t> max_bytes;  // "!10m" -> 10485760
    bool operator==(const ReportUri&) const = default;
};

struct DmarcParseError {
    std::size_t offset = 0;  // of the offending tag in the record text
    std::string tag;         // the tag name ("" when the record itself is wrong)
    std::string message;     // "invalid p value 'block'", "duplicate tag 'p'", ...
    [[nodiscard]] std::string to_string() const;
};

[[noreturn]] void throw_exception_from_error(const DmarcParseError& error,
                                             const boost::source_location& location);

struct DmarcRecord {
    std::string text;                          // the record as published (TXT strings joined)
    Policy policy = Policy::none;              // p=
    std::optional<Policy> subdomain_policy;    // sp= (absent: p applies)
    std::optional<Policy> nonexistent_policy;  // np= (RFC 9091; absent: sp, then p)
    unsigned percent = 100;                    // pct=
    AlignmentMode dkim_alignment = AlignmentMode::relaxed;  // adkim=
    AlignmentMode spf_alignment = AlignmentMode::relaxed;   // aspf=
    std::vector<ReportUri> aggregate_uris;                  // rua= (syntactically valid ones)
    std::vector<ReportUri> failure_uris;                    // ruf=
    std::string failure_options = "0";                      // fo= as given ("0", "1:d", ...)
    std::vector<std::string> report_formats{"afrf"};        // rf=
    std::uint32_t report_interval = 86400;                  // ri=
    // RFC 7489 6.6.3 step 6: p= missing or invalid (or sp=/np= invalid) but rua= holds a
    // valid URI: the record acts as "v=DMARC1; p=none". `policy_problem` says what was wrong.
    bool treated_as_none = false;
    std::string policy_problem;
    std::vector<std::string> unknown_tags;  // ignored (RFC 7489 6.3)
    std::vector<std::string> warnings;      // tolerated deviations (bad URIs, tag order)

    // True when `text` starts with the version tag "v=DMARC1" (RFC 7489 6.6.3 step 3:
    // other TXT records at _dmarc are discarded). "v" is case-insensitive (ABNF quoted
    // string), "DMARC1" is not (ABNF %x literals).
    static bool is_dmarc1(std::string_view text) noexcept;

    // The whole record; errors are permerror reasons. p=/sp=/np= problems follow RFC 7489
    // 6.6.3 step 6 (see treated_as_none); an invalid value of any other known tag, a
    // duplicate tag or a malformed tag is an error.
    static boost::system::result<DmarcRecord, DmarcParseError> parse(std::string_view text);
};

// ---------------------------------------------------------------------------------------
// Inputs: results already computed elsewhere

// The SPF result DMARC may use (RFC 7489 4.1: the domain SPF authenticated, normally the
// RFC5321.MailFrom domain; the HELO identity when MAIL FROM was null, RFC 7208 2.4).
struct SpfInput {
    std::string result;  // RFC 8601 2.7.2 value: "pass", "fail", "softfail", "none", ...
    std::string domain;  // the domain SPF checked
    bool helo = false;   // the domain is the HELO identity
};

// One DKIM signature's outcome (RFC 8601 2.7.1 value and its d=).
struct DkimInput {
    std::string result;    // "pass", "fail", "permerror", ...
    std::string domain;    // d=
    std::string selector;  // s= (reported only)
};

// The author domain(s): RFC 7489 6.6.1.
enum class AuthorProblem : std::uint8_t {
    none,               // exactly one From field with one mailbox
    no_from,            // no From field, or no domain in it: nothing to evaluate
    multiple_from,      // several From fields (forbidden by RFC 5322 3.6): each checked
    multiple_mailboxes  // one From with several mailboxes of different domains: each checked
};
std::string_view to_string(AuthorProblem problem) noexcept;

struct DmarcInput {
    std::vector<std::string> author_domains;  // A-labels, distinct, in header order
    AuthorProblem author_problem = AuthorProblem::none;
    SpfInput spf;
    std::vector<DkimInput> dkim;
    // pct sampling key (RFC 7489 6.6.4 leaves the draw to the receiver); the Message-ID
    // makes it reproducible. Empty: the author domain is used.
    std::string sampling_key;
};

// The author domains, the problem if any and the Message-ID of a parsed message (the SPF
// and DKIM parts are left for the caller).
DmarcInput author_input(const Message& message);

// ---------------------------------------------------------------------------------------
// Results

// RFC 8601 2.7.4 / RFC 7489 11.2 result values.
enum class Result : std::uint8_t { none, pass, fail, temperror, permerror };
std::string_view to_string(Result result) noexcept;

// Precise reasons (stable identifiers, to_string gives them).
enum class Reason : std::uint8_t {
    aligned_spf_pass,       // pass: SPF passed and is aligned
    aligned_dkim_pass,      // pass: a DKIM signature passed and is aligned
    not_aligned,            // fail: no passing identifier is aligned with the From domain
    no_passing_identifier,  // fail: neither SPF nor any DKIM signature passed
    no_record,              // none: no DMARC record at the From or organizational domain
    multiple_records,       // none: several DMARC records at one name (RFC 7489 6.6.3 step 4)
    no_author_domain,       // none: no From domain to evaluate (RFC 7489 6.6.1)
    record_syntax,          // permerror: the record does not parse (reason in `detail`)
    dns_temporary_failure,  // temperror: a DMARC or existence query failed temporarily
};
std::string_view to_string(Reason reason) noexcept;

// Which tag of the record gave the applied policy.
enum class PolicySource : std::uint8_t { none, p, sp, np };
std::string_view to_string(PolicySource source) noexcept;

// What Microsoft prints after dmarc=...: action=none|quarantine|reject|pct.quarantine|
// pct.reject|oreject|permerror|temperror (mdo-behaviour 1.7, 2.3).
enum class Action : std::uint8_t {
    none,
    quarantine,
    reject,
    pct_quarantine,  // failed with p=quarantine, pct < 100, the draw skipped the policy
    pct_reject,      // failed with p=reject, pct < 100, the draw skipped the policy
    oreject,         // p=reject overridden by the receiver (set by the verdict stage)
    permerror,
    temperror,
};
std::string_view to_string(Action action) noexcept;  // "pct.quarantine"...
// The tenant does not reject on p=reject (DmarcRejectAction=Quarantine): Microsoft
// prints oreject instead of reject. Other actions are returned unchanged.
Action with_reject_overridden(Action action) noexcept;

// One decision, appended when it is taken.
struct DmarcStep {
    std::string rule;     // "RFC 7489 6.6.3", "RFC 9091 4", "Microsoft bestguesspass"...
    std::string input;    // what was looked at
    std::string outcome;  // what it gave
};

struct DmarcResult {
    Result result = Result::none;
    Reason reason = Reason::no_record;
    std::string detail;  // specifics: the parse error, the DNS status, the domains compared

    // Microsoft: no DMARC record, but SPF or DKIM passed aligned (relaxed) with the From
    // domain; Microsoft prints dmarc=bestguesspass. `result` stays none (RFC value).
    bool best_guess_pass = false;

    std::string from_domain;                  // the author domain evaluated
    std::vector<std::string> author_domains;  // all of them (several: 6.6.1)
    AuthorProblem author_problem = AuthorProblem::none;
    std::string organizational_domain;
    std::string record_domain;  // where the record was found (no "_dmarc.")
    std::optional<DmarcRecord> record;

    // Alignment (with the record's modes; relaxed when there is no usable record).
    bool spf_aligned = false;  // SPF passed and its domain is aligned
    bool dkim_aligned = false;
    std::string aligned_dkim_domain;  // d= of the first aligned passing signature

    PolicySource policy_source = PolicySource::none;
    Policy policy = Policy::none;  // the requested policy (p, sp or np) for this domain
    bool nonexistent = false;      // the From domain was found not to exist (np)
    // pct (RFC 7489 6.6.4): sample in 0..99 drawn from the sampling key; the policy
    // applies when sample < pct.
    unsigned sample = 0;
    bool sampled_in = true;
    // RFC 7489 6.6.4: what the receiver should do; pct keeps the next-less-strict one.
    Policy disposition = Policy::none;
    Action action = Action::none;

    std::string psl_version;  // ListInfo::summary() of the list used
    std::vector<DmarcStep> trace;

    // "bestguesspass" when best_guess_pass, else to_string(result): what Microsoft prints.
    [[nodiscard]] std::string_view microsoft_result() const noexcept;
};

struct DmarcOptions {
    bool use_np = true;  // RFC 9091: honour np= (tests the From domain's existence)
    // Fixed sample (0..99) instead of the hash, for what-if runs.
    std::optional<unsigned> sample;
};

// The deterministic pct draw: the first 8 bytes of SHA-256(key), modulo 100.
unsigned sample_of(std::string_view key);

// RFC 7489 6.6: discovers the record for each author domain, checks alignment, selects
// p/sp/np, applies pct. Several author domains: each is evaluated and the decisive one
// is returned (a fail with the strictest disposition, then temperror, permerror, none,
// pass: 6.6.1 "apply the most strict policy selected among the checks that fail").
class DmarcEvaluator {
public:
    DmarcEvaluator(dns::Resolver& resolver, const psl::PublicSuffixList& list,
                   DmarcOptions options = {})
        : resolver_(resolver), list_(list), options_(options) {}
    [[nodiscard]] DmarcResult evaluate(const DmarcInput& input) const;

private:
    [[nodiscard]] DmarcResult evaluate_domain(const DmarcInput& input,
                                              const std::string& domain) const;
    dns::Resolver& resolver_;
    const psl::PublicSuffixList& list_;
    DmarcOptions options_;
};

DmarcResult evaluate(dns::Resolver& resolver, const psl::PublicSuffixList& list,
                     const DmarcInput& input, const DmarcOptions& options = {});

// RFC 7489 3.1.1 / 3.1.2: strict = the same domain; relaxed = the same organizational
// domain. Case-insensitive, trailing dots ignored.
bool aligned(std::string_view a, std::string_view b, AlignmentMode mode,
             const psl::PublicSuffixList& list);

// "dmarc=pass header.from=example.com" (RFC 7489 11.2, RFC 8601 2.7.4), with
// policy.dmarc when a record applied; Microsoft's form adds "action=...".
std::string auth_results_dmarc(const DmarcResult& result);

}  // namespace mailverdict::dmarc
