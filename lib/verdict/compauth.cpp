// compauth rules (brief 1.8 and 16; docs/compauth.md is the table of codes).
#include <mailverdict/verdict/compauth.hpp>

#include <cstdio>

namespace mailverdict::verdict {

std::string_view to_string(CompAuthResult result) noexcept {
    switch (result) {
        case CompAuthResult::pass:
            return "pass";
        case CompAuthResult::fail:
            return "fail";
        case CompAuthResult::softpass:
            return "softpass";
        case CompAuthResult::none:
            break;
    }
    return "none";
}

std::string_view to_string(CompAuthRule rule) noexcept {
    switch (rule) {
        case CompAuthRule::not_checked:
            return "not_checked";
        case CompAuthRule::bypassed:
            return "bypassed";
        case CompAuthRule::dmarc_pass:
            return "dmarc_pass";
        case CompAuthRule::best_guess_pass:
            return "best_guess_pass";
        case CompAuthRule::trusted_arc:
            return "trusted_arc";
        case CompAuthRule::dmarc_fail_explicit:
            return "dmarc_fail_explicit";
        case CompAuthRule::dmarc_fail_intra_org:
            return "dmarc_fail_intra_org";
        case CompAuthRule::permerror_aligned:
            return "permerror_aligned";
        case CompAuthRule::relayed_m365_tenant:
            return "relayed_m365_tenant";
        case CompAuthRule::implicit_fail:
            return "implicit_fail";
        case CompAuthRule::implicit_fail_intra_org:
            return "implicit_fail_intra_org";
        case CompAuthRule::spoof_pair_block:
            return "spoof_pair_block";
        case CompAuthRule::spoof_pair_allow:
            break;
    }
    return "spoof_pair_allow";
}

std::string CompAuth::reason_text() const {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%03d", reason < 0 ? 0 : reason % 1000);
    return buf;
}

bool dkim_pass_by_onmicrosoft(const dmarc::DmarcInput& input) {
    constexpr std::string_view suffix = "onmicrosoft.com";
    for (const auto& d : input.dkim) {
        const std::string domain = psl::normalize_domain(d.domain);
        if (d.result != "pass") {
            continue;
        }
        if (domain == suffix ||
            (domain.size() > suffix.size() &&
             domain.compare(domain.size() - suffix.size(), suffix.size(), suffix) == 0 &&
             domain[domain.size() - suffix.size() - 1] == '.')) {
            return true;
        }
    }
    return false;
}

std::optional<int> oda_of(const std::vector<std::string>& comments) {
    for (const auto& c : comments) {
        const auto at = c.find("oda=");
        if (at != std::string::npos && at + 4 < c.size() &&
            (c[at + 4] == '0' || c[at + 4] == '1')) {
            return c[at + 4] - '0';
        }
    }
    return std::nullopt;
}

namespace {

CompAuth make(CompAuthResult result, int reason, CompAuthRule rule, std::string detail) {
    return CompAuth{result, reason, rule, std::move(detail)};
}

// Brief 16 rule 4: "dmarc=fail with action quarantine, reject, oreject or opctreject".
// pct.reject (the draw skipped p=reject) is the opctreject case; pct.quarantine is not
// listed and falls to the implicit rule (docs/compauth.md).
bool explicit_dmarc_failure(const dmarc::DmarcResult& d) {
    if (d.result != dmarc::Result::fail) {
        return false;
    }
    switch (d.action) {
        case dmarc::Action::quarantine:
        case dmarc::Action::reject:
        case dmarc::Action::oreject:
        case dmarc::Action::pct_reject:
            return true;
        default:
            return false;
    }
}

CompAuth before_spoof_pairs(const CompAuthInput& in) {
    const auto& d = *in.dmarc;
    const auto& codes = in.codes;
    if (d.author_problem == dmarc::AuthorProblem::no_from || d.from_domain.empty()) {
        return make(CompAuthResult::none, codes.not_checked, CompAuthRule::not_checked,
                    "no From domain to authenticate (brief 1.8 3xx)");
    }
    if (in.internal) {
        return make(CompAuthResult::none, codes.bypass, CompAuthRule::bypassed,
                    "internal mail from an on-premises connector (brief 1.8 4xx)");
    }
    if (d.result == dmarc::Result::pass) {
        return make(CompAuthResult::pass, 100, CompAuthRule::dmarc_pass,
                    "dmarc=pass for " + d.from_domain + " (brief 16 rule 1)");
    }
    if (d.best_guess_pass) {
        return make(CompAuthResult::pass, 109, CompAuthRule::best_guess_pass,
                    "no DMARC record, SPF or DKIM passed aligned with " + d.from_domain +
                        ": dmarc=bestguesspass (brief 16 rule 2)");
    }
    if (in.trusted_arc_pass) {
        return make(CompAuthResult::pass, 130, CompAuthRule::trusted_arc,
                    "a trusted ARC sealer's passing chain overrides dmarc=" +
                        std::string(d.microsoft_result()) + " (brief 2.4, 16 rule 3)");
    }
    if (explicit_dmarc_failure(d)) {
        if (in.from_accepted_domain) {
            return make(CompAuthResult::fail, 10, CompAuthRule::dmarc_fail_intra_org,
                        "dmarc=fail action=" + std::string(dmarc::to_string(d.action)) + " and " +
                            d.from_domain + " is an accepted domain (brief 1.8 010)");
        }
        return make(
            CompAuthResult::fail, 0, CompAuthRule::dmarc_fail_explicit,
            "dmarc=fail action=" + std::string(dmarc::to_string(d.action)) + " (brief 16 rule 4)");
    }
    if (d.result == dmarc::Result::permerror && (d.spf_aligned || d.dkim_aligned)) {
        return make(CompAuthResult::pass, 111, CompAuthRule::permerror_aligned,
                    "dmarc=permerror but " + std::string(d.spf_aligned ? "SPF" : "DKIM") +
                        " passed aligned (brief 16 rule 5)");
    }
    const auto& di = *in.dmarc_input;
    if (di.spf.result == "none" && dkim_pass_by_onmicrosoft(di) && in.own_arc &&
        in.own_arc->result == "pass" && in.own_arc->oda == 0) {
        return make(CompAuthResult::pass, 115, CompAuthRule::relayed_m365_tenant,
                    "spf=none, DKIM pass by an onmicrosoft.com domain, arc=pass oda=0: relayed "
                    "from another Microsoft 365 tenant (brief 16 rule 6)");
    }
    const std::string why = "no aligned pass (dmarc=" + std::string(d.microsoft_result()) +
                            " action=" + std::string(dmarc::to_string(d.action)) + ")";
    if (in.from_accepted_domain) {
        return make(CompAuthResult::fail, codes.intra_org, CompAuthRule::implicit_fail_intra_org,
                    why + " and " + d.from_domain +
                        " is an accepted domain: intra-org spoof (brief 1.8 6xx, 3.1)");
    }
    return make(CompAuthResult::fail, 1, CompAuthRule::implicit_fail,
                why + ": implicit failure (brief 16 rule 7)");
}

}  // namespace

CompAuth compute_compauth(const CompAuthInput& in) {
    CompAuth c = before_spoof_pairs(in);
    // Spoofed-sender entries act only on a failing pair (an authenticated sender is not
    // spoofing): block -> 002 (brief 1.8), allow -> softpass (brief 3.3 "Allowed = passed
    // implicit authentication"). docs/compauth.md.
    if (c.failed() && in.spoof_pair) {
        if (*in.spoof_pair == policy::ListAction::block) {
            return make(CompAuthResult::fail, 2, CompAuthRule::spoof_pair_block,
                        c.detail +
                            "; the spoofed-user/sending-infrastructure pair is blocked "
                            "(brief 1.8 002)");
        }
        return make(CompAuthResult::softpass, in.codes.softpass, CompAuthRule::spoof_pair_allow,
                    c.detail +
                        "; the spoofed-user/sending-infrastructure pair is allowed "
                        "(brief 3.3, 6.2 TABL spoof allow)");
    }
    return c;
}

}  // namespace mailverdict::verdict
