// DMARC evaluation: RFC 7489 6.6 (with RFC 9091 np), Microsoft's bestguesspass and
// action values.
#include <mailverdict/auth/dmarc.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <array>

namespace mailverdict::dmarc {

namespace {

std::string to_lower(std::string_view s) {
    return psl::normalize_domain(s);
}

bool is_pass(std::string_view result) {
    return result.size() == 4 && (result[0] == 'p' || result[0] == 'P') && iequals(result, "pass");
}

Policy less_strict(Policy p) noexcept {
    // RFC 7489 6.6.4: messages not sampled get the next policy down: reject -> quarantine,
    // quarantine -> none.
    switch (p) {
        case Policy::reject:
            return Policy::quarantine;
        default:
            return Policy::none;
    }
}

enum class Discovery : std::uint8_t { none, found, multiple, temporary };

struct Lookup {
    Discovery kind = Discovery::none;
    std::string text;    // the record text when found
    std::string detail;  // DNS status or count
};

bool temporary(dns::DnsStatus status) noexcept {
    // One place decides temporary vs permanent (dns::is_temporary_failure); a used-up
    // query budget also leaves the question unanswered, so it is temporary here too.
    return dns::is_temporary_failure(status) || status == dns::DnsStatus::budget_exceeded;
}

// RFC 7489 6.6.3 steps 1, 3, 4: the TXT records at _dmarc.<domain>, keeping only those that
// start with v=DMARC1.
Lookup lookup(dns::Resolver& resolver, const std::string& domain) {
    const dns::Answer a = resolver.query("_dmarc." + domain, dns::RecordType::TXT);
    Lookup out;
    if (temporary(a.status)) {
        out.kind = Discovery::temporary;
        out.detail = std::string(dns::to_string(a.status)) +
                     (a.detail.empty() ? std::string() : " (" + a.detail + ")");
        return out;
    }
    if (!a.ok()) {
        out.detail = std::string(dns::to_string(a.status));
        return out;
    }
    std::vector<std::string> records;
    for (const auto& txt : a.txt) {
        std::string joined = txt.joined();
        if (DmarcRecord::is_dmarc1(joined)) {
            records.push_back(std::move(joined));
        }
    }
    if (records.empty()) {
        out.detail = std::to_string(a.txt.size()) + " TXT record(s), none v=DMARC1";
    } else if (records.size() > 1) {
        out.kind = Discovery::multiple;
        out.detail = std::to_string(records.size()) + " v=DMARC1 records";
    } else {
        out.kind = Discovery::found;
        out.text = std::move(records.front());
    }
    return out;
}

// RFC 9091 2.1: "a domain for which there is an NXDOMAIN or NODATA response for A, AAAA,
// and MX records".
enum class Existence : std::uint8_t { exists, nonexistent, temporary };
Existence existence(dns::Resolver& resolver, const std::string& domain, std::string& detail) {
    for (const auto type : {dns::RecordType::A, dns::RecordType::AAAA, dns::RecordType::MX}) {
        const dns::Answer a = resolver.query(domain, type);
        if (a.ok()) {
            detail = std::string(dns::to_string(type)) + " record found";
            return Existence::exists;
        }
        if (temporary(a.status)) {
            detail = std::string(dns::to_string(type)) +
                     " query: " + std::string(dns::to_string(a.status));
            return Existence::temporary;
        }
    }
    detail = "no A, AAAA or MX record";
    return Existence::nonexistent;
}

int strictness(Policy p) noexcept {
    return static_cast<int>(p);
}

// Rank for choosing the decisive result among several author domains (higher wins).
int rank(const DmarcResult& r) noexcept {
    switch (r.result) {
        case Result::fail:
            return 10 + strictness(r.disposition) * 3 + strictness(r.policy);
        case Result::temperror:
            return 5;
        case Result::permerror:
            return 4;
        case Result::none:
            return r.best_guess_pass ? 2 : 3;
        case Result::pass:
            return 1;
    }
    return 0;
}

}  // namespace

std::string_view to_string(Policy policy) noexcept {
    switch (policy) {
        case Policy::none:
            return "none";
        case Policy::quarantine:
            return "quarantine";
        case Policy::reject:
            return "reject";
    }
    return "none";
}

std::string_view to_string(AlignmentMode mode) noexcept {
    return mode == AlignmentMode::strict ? "s" : "r";
}

std::string_view to_string(AuthorProblem problem) noexcept {
    switch (problem) {
        case AuthorProblem::none:
            return "none";
        case AuthorProblem::no_from:
            return "no_from";
        case AuthorProblem::multiple_from:
            return "multiple_from";
        case AuthorProblem::multiple_mailboxes:
            return "multiple_mailboxes";
    }
    return "none";
}

std::string_view to_string(Result result) noexcept {
    switch (result) {
        case Result::none:
            return "none";
        case Result::pass:
            return "pass";
        case Result::fail:
            return "fail";
        case Result::temperror:
            return "temperror";
        case Result::permerror:
            return "permerror";
    }
    return "none";
}

std::string_view to_string(Reason reason) noexcept {
    switch (reason) {
        case Reason::aligned_spf_pass:
            return "aligned_spf_pass";
        case Reason::aligned_dkim_pass:
            return "aligned_dkim_pass";
        case Reason::not_aligned:
            return "not_aligned";
        case Reason::no_passing_identifier:
            return "no_passing_identifier";
        case Reason::no_record:
            return "no_record";
        case Reason::multiple_records:
            return "multiple_records";
        case Reason::no_author_domain:
            return "no_author_domain";
        case Reason::record_syntax:
            return "record_syntax";
        case Reason::dns_temporary_failure:
            return "dns_temporary_failure";
    }
    return "no_record";
}

std::string_view to_string(PolicySource source) noexcept {
    switch (source) {
        case PolicySource::none:
            return "none";
        case PolicySource::p:
            return "p";
        case PolicySource::sp:
            return "sp";
        case PolicySource::np:
            return "np";
    }
    return "none";
}

std::string_view to_string(Action action) noexcept {
    switch (action) {
        case Action::none:
            return "none";
        case Action::quarantine:
            return "quarantine";
        case Action::reject:
            return "reject";
        case Action::pct_quarantine:
            return "pct.quarantine";
        case Action::pct_reject:
            return "pct.reject";
        case Action::oreject:
            return "oreject";
        case Action::permerror:
            return "permerror";
        case Action::temperror:
            return "temperror";
    }
    return "none";
}

Action with_reject_overridden(Action action) noexcept {
    return action == Action::reject ? Action::oreject : action;
}

std::string_view DmarcResult::microsoft_result() const noexcept {
    return best_guess_pass ? std::string_view("bestguesspass") : to_string(result);
}

unsigned sample_of(std::string_view key) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int size = 0;
    if (EVP_Digest(key.data(), key.size(), md.data(), &size, EVP_sha256(), nullptr) != 1 ||
        size < 8) {
        return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        v = (v << 8U) | md[i];
    }
    return static_cast<unsigned>(v % 100U);
}

bool aligned(std::string_view a, std::string_view b, AlignmentMode mode,
             const psl::PublicSuffixList& list) {
    const std::string x = to_lower(a);
    const std::string y = to_lower(b);
    if (x.empty() || y.empty()) {
        return false;
    }
    if (x == y) {
        return true;
    }
    // RFC 7489 3.1.1 / 3.1.2: relaxed alignment compares organizational domains.
    return mode == AlignmentMode::relaxed &&
           list.organizational_domain(x) == list.organizational_domain(y);
}

DmarcInput author_input(const Message& message) {
    DmarcInput in;
    const auto fields = message.find_all("From");
    for (const auto& mb : message.from()) {
        // RFC 7489 6.6.1: U-labels are converted to A-labels for processing.
        std::string d = to_lower(mb.domain_ascii.empty() ? mb.domain : mb.domain_ascii);
        if (!d.empty() && std::find(in.author_domains.begin(), in.author_domains.end(), d) ==
                              in.author_domains.end()) {
            in.author_domains.push_back(std::move(d));
        }
    }
    if (fields.empty() || in.author_domains.empty()) {
        in.author_problem = AuthorProblem::no_from;
    } else if (fields.size() > 1) {
        in.author_problem = AuthorProblem::multiple_from;
    } else if (in.author_domains.size() > 1) {
        in.author_problem = AuthorProblem::multiple_mailboxes;
    }
    in.sampling_key = message.message_id();
    return in;
}

DmarcResult DmarcEvaluator::evaluate(const DmarcInput& input) const {
    if (input.author_domains.empty() || input.author_problem == AuthorProblem::no_from) {
        DmarcResult r;
        r.result = Result::none;
        r.reason = Reason::no_author_domain;
        r.author_problem = AuthorProblem::no_from;
        r.detail = "no RFC5322.From domain to evaluate";
        r.psl_version = list_.summary();
        r.trace.push_back(
            {"RFC 7489 6.6.1", "RFC5322.From", "no author domain: no DMARC processing"});
        return r;
    }
    std::optional<DmarcResult> decisive;
    for (const auto& domain : input.author_domains) {
        DmarcResult r = evaluate_domain(input, domain);
        if (!decisive || rank(r) > rank(*decisive)) {
            decisive = std::move(r);
        }
    }
    DmarcResult r = std::move(*decisive);
    r.author_domains = input.author_domains;
    r.author_problem = input.author_problem;
    if (input.author_problem != AuthorProblem::none) {
        r.trace.insert(r.trace.begin(),
                       DmarcStep{"RFC 7489 6.6.1", std::string(to_string(input.author_problem)),
                                 "each of " + std::to_string(input.author_domains.size()) +
                                     " author domains evaluated; the strictest failing one "
                                     "decides (" +
                                     r.from_domain + ")"});
    }
    return r;
}

DmarcResult DmarcEvaluator::evaluate_domain(const DmarcInput& input,
                                            const std::string& domain) const {
    DmarcResult r;
    r.from_domain = to_lower(domain);
    r.author_domains = {r.from_domain};
    r.organizational_domain = list_.organizational_domain(r.from_domain);
    r.psl_version = list_.summary();
    r.trace.push_back(
        {"RFC 7489 3.2", r.from_domain,
         "organizational domain " + r.organizational_domain + " (" + r.psl_version + ")"});

    // RFC 7489 6.6.3 steps 1-2: the From domain, then the organizational domain when the
    // first lookup found no record (not after a temporary error or several records).
    Lookup found = lookup(resolver_, r.from_domain);
    std::string record_domain = r.from_domain;
    r.trace.push_back({"RFC 7489 6.6.3", "_dmarc." + r.from_domain + " TXT",
                       found.kind == Discovery::found ? "record: " + found.text : found.detail});
    if (found.kind == Discovery::none && r.organizational_domain != r.from_domain) {
        found = lookup(resolver_, r.organizational_domain);
        record_domain = r.organizational_domain;
        r.trace.push_back(
            {"RFC 7489 6.6.3", "_dmarc." + r.organizational_domain + " TXT",
             found.kind == Discovery::found ? "record: " + found.text : found.detail});
    }

    std::optional<boost::system::result<DmarcRecord, DmarcParseError>> parsed;
    if (found.kind == Discovery::found) {
        parsed = DmarcRecord::parse(found.text);
        r.record_domain = record_domain;
    }
    const bool usable = parsed && parsed->has_value();
    if (usable) {
        r.record = parsed->value();
    }

    // Alignment (RFC 7489 3.1), with the record's modes, or relaxed (the defaults) when
    // there is no usable record: Microsoft's bestguesspass and compauth need it then too.
    const AlignmentMode aspf = usable ? r.record->spf_alignment : AlignmentMode::relaxed;
    const AlignmentMode adkim = usable ? r.record->dkim_alignment : AlignmentMode::relaxed;
    const bool spf_pass = is_pass(input.spf.result);
    if (spf_pass) {
        r.spf_aligned = aligned(input.spf.domain, r.from_domain, aspf, list_);
        r.trace.push_back(
            {std::string("RFC 7489 3.1.2 (aspf=") + std::string(to_string(aspf)) + ")",
             "SPF pass for " + (input.spf.helo ? std::string("HELO ") : std::string()) +
                 input.spf.domain,
             r.spf_aligned ? "aligned" : "not aligned"});
    }
    bool any_dkim_pass = false;
    for (const auto& d : input.dkim) {
        if (!is_pass(d.result)) {
            continue;
        }
        any_dkim_pass = true;
        const bool ok = aligned(d.domain, r.from_domain, adkim, list_);
        r.trace.push_back(
            {std::string("RFC 7489 3.1.1 (adkim=") + std::string(to_string(adkim)) + ")",
             "DKIM pass d=" + d.domain, ok ? "aligned" : "not aligned"});
        if (ok && !r.dkim_aligned) {
            r.dkim_aligned = true;
            r.aligned_dkim_domain = to_lower(d.domain);
        }
    }
    const bool aligned_pass = r.spf_aligned || r.dkim_aligned;

    switch (found.kind) {
        case Discovery::temporary:
            r.result = Result::temperror;
            r.reason = Reason::dns_temporary_failure;
            r.detail = "DMARC record lookup failed: " + found.detail;
            r.action = Action::temperror;
            return r;
        case Discovery::multiple:
            // RFC 7489 6.6.3 step 4: more than one record -> no DMARC processing.
            r.result = Result::none;
            r.reason = Reason::multiple_records;
            r.detail = found.detail + " at _dmarc." + record_domain;
            r.record_domain = record_domain;
            r.trace.push_back({"RFC 7489 6.6.3 step 4", found.detail, "no DMARC processing"});
            return r;
        case Discovery::none:
            r.result = Result::none;
            r.reason = Reason::no_record;
            r.detail = "no DMARC record";
            // Microsoft: "would pass if a record existed" -> dmarc=bestguesspass.
            r.best_guess_pass = aligned_pass;
            r.trace.push_back({"Microsoft bestguesspass", "no record, relaxed alignment",
                               aligned_pass ? "bestguesspass" : "none"});
            return r;
        case Discovery::found:
            break;
    }
    if (!usable) {
        r.result = Result::permerror;
        r.reason = Reason::record_syntax;
        r.detail = parsed->error().to_string();
        r.action = Action::permerror;
        r.trace.push_back({"RFC 7489 6.6.3 step 6", found.text, "unusable record: " + r.detail});
        return r;
    }
    const DmarcRecord& rec = *r.record;
    if (rec.treated_as_none) {
        r.trace.push_back({"RFC 7489 6.6.3 step 6", rec.policy_problem, "treated as p=none"});
    }

    if (aligned_pass) {
        r.result = Result::pass;
        r.reason = r.spf_aligned ? Reason::aligned_spf_pass : Reason::aligned_dkim_pass;
        r.detail = r.spf_aligned ? "SPF " + to_lower(input.spf.domain) + " aligned"
                                 : "DKIM d=" + r.aligned_dkim_domain + " aligned";
    } else {
        r.result = Result::fail;
        r.reason =
            (spf_pass || any_dkim_pass) ? Reason::not_aligned : Reason::no_passing_identifier;
        r.detail = (spf_pass || any_dkim_pass)
                       ? "passing identifiers are not aligned with " + r.from_domain
                       : "neither SPF nor DKIM passed";
    }

    // Policy selection: p for the domain that published the record; for a subdomain
    // covered by its organizational domain's record, np (RFC 9091 4) when it does not
    // exist, else sp, else p (RFC 7489 6.3). The existence test costs three queries and
    // only matters when the policy is applied, so it runs on failures only.
    r.policy = rec.policy;
    r.policy_source = PolicySource::p;
    if (r.record_domain != r.from_domain) {
        bool use_np = false;
        if (rec.nonexistent_policy && options_.use_np && r.result == Result::fail) {
            std::string detail;
            const Existence e = existence(resolver_, r.from_domain, detail);
            r.trace.push_back({"RFC 9091 2.1", r.from_domain + " A/AAAA/MX", detail});
            if (e == Existence::temporary) {
                r.result = Result::temperror;
                r.reason = Reason::dns_temporary_failure;
                r.detail = "existence test of " + r.from_domain + " failed: " + detail;
                r.action = Action::temperror;
                return r;
            }
            use_np = e == Existence::nonexistent;
            r.nonexistent = use_np;
        }
        if (use_np) {
            r.policy = *rec.nonexistent_policy;
            r.policy_source = PolicySource::np;
        } else if (rec.subdomain_policy) {
            r.policy = *rec.subdomain_policy;
            r.policy_source = PolicySource::sp;
        }
    }
    r.trace.push_back({"RFC 7489 6.3", std::string(to_string(r.policy_source)) + "=",
                       "policy " + std::string(to_string(r.policy))});

    // pct (RFC 7489 6.6.4), drawn from a hash so a replay gives the same answer.
    r.sample = options_.sample
                   ? std::min(*options_.sample, 99U)
                   : sample_of(input.sampling_key.empty() ? r.from_domain : input.sampling_key);
    r.sampled_in = r.sample < rec.percent;
    if (r.result == Result::pass || r.policy == Policy::none) {
        r.disposition = Policy::none;
        r.action = Action::none;
    } else if (r.sampled_in) {
        r.disposition = r.policy;
        r.action = r.policy == Policy::reject ? Action::reject : Action::quarantine;
    } else {
        r.disposition = less_strict(r.policy);
        r.action = r.policy == Policy::reject ? Action::pct_reject : Action::pct_quarantine;
    }
    if (r.result == Result::fail && rec.percent < 100) {
        r.trace.push_back(
            {"RFC 7489 6.6.4",
             "pct=" + std::to_string(rec.percent) + ", sample " + std::to_string(r.sample),
             r.sampled_in ? "policy applied" : "policy not applied (next less strict)"});
    }
    r.trace.push_back({"RFC 7489 6.6.2", std::string(to_string(r.result)),
                       "disposition " + std::string(to_string(r.disposition)) + ", action " +
                           std::string(to_string(r.action))});
    return r;
}

DmarcResult evaluate(dns::Resolver& resolver, const psl::PublicSuffixList& list,
                     const DmarcInput& input, const DmarcOptions& options) {
    return DmarcEvaluator(resolver, list, options).evaluate(input);
}

std::string auth_results_dmarc(const DmarcResult& result) {
    // RFC 7489 11.2: ptype "header", property "from". The comment follows OpenDMARC's
    // layout ("p=... sp=... dis=..."); policy.dmarc carries the disposition.
    std::string s = "dmarc=" + std::string(to_string(result.result));
    if (result.record) {
        s += " (p=" + std::string(to_string(result.record->policy));
        if (result.record->subdomain_policy) {
            s += " sp=" + std::string(to_string(*result.record->subdomain_policy));
        }
        s += " dis=" + std::string(to_string(result.disposition)) + ")";
    } else if (!result.detail.empty()) {
        s += " (" + result.detail + ")";
    }
    if (!result.from_domain.empty()) {
        s += " header.from=" + result.from_domain;
    }
    return s;
}

}  // namespace mailverdict::dmarc
