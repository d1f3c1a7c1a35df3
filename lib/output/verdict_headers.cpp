// MDO-style header fields (brief 1.1-1.7, 1.10).
#include <mailverdict/output/verdict_json.hpp>

namespace mailverdict::output {

using verdict::RecipientVerdict;
using verdict::Verdict;

namespace {

std::string ip_of(const Verdict& v) {
    return v.envelope.client_ip ? unmap(*v.envelope.client_ip).to_string() : std::string();
}

std::string spf_part(const Verdict& v) {
    const auto& s = v.auth.dmarc_input.spf;
    std::string out = "spf=" + (s.result.empty() ? std::string("none") : s.result);
    const std::string ip = ip_of(v);
    if (!ip.empty()) {
        out += " (sender IP is " + ip + ")";
    }
    if (!s.domain.empty()) {
        out += (s.helo ? " smtp.helo=" : " smtp.mailfrom=") + s.domain;
    }
    return out;
}

std::string dkim_part(const Verdict& v) {
    const auto& sigs = v.auth.dmarc_input.dkim;
    if (sigs.empty()) {
        return "dkim=none (message not signed) header.d=none";
    }
    // Microsoft prints one dkim= clause: the aligned passing signature, else a passing
    // one, else the first.
    std::size_t pick = 0;
    bool found = false;
    for (std::size_t i = 0; i < sigs.size() && !found; ++i) {
        if (sigs[i].result == "pass" && sigs[i].domain == v.auth.dmarc.aligned_dkim_domain) {
            pick = i;
            found = true;
        }
    }
    for (std::size_t i = 0; i < sigs.size() && !found; ++i) {
        if (sigs[i].result == "pass") {
            pick = i;
            found = true;
        }
    }
    const auto& s = sigs[pick];
    std::string comment;
    if (s.result == "pass") {
        comment = " (signature was verified)";
    } else if (s.result == "fail") {
        bool body = false;
        if (pick < v.auth.dkim.signatures.size()) {
            body = v.auth.dkim.signatures[pick].body_hash == dkim::BodyHashStatus::fail;
        }
        comment = body ? " (body hash did not verify)" : " (signature did not verify)";
    } else if (s.result == "none") {
        comment = " (message not signed)";
    }
    return "dkim=" + s.result + comment + " header.d=" + (s.domain.empty() ? "none" : s.domain);
}

}  // namespace

std::string microsoft_auth_results(const Verdict& v, const RecipientVerdict& r) {
    const auto& d = v.auth.dmarc;
    std::string out = spf_part(v) + "; " + dkim_part(v) +
                      ";dmarc=" + std::string(d.microsoft_result()) +
                      " action=" + (r.dmarc_action.empty() ? std::string("none") : r.dmarc_action);
    if (!d.from_domain.empty()) {
        out += " header.from=" + d.from_domain;
    }
    out += ";compauth=" + std::string(verdict::to_string(v.compauth.result)) +
           " reason=" + v.compauth.reason_text();
    return out;
}

std::vector<std::pair<std::string, std::string>> verdict_headers(const Verdict& v,
                                                                 const RecipientVerdict& r) {
    std::vector<std::pair<std::string, std::string>> h;
    // Field order of the task brief / brief 1.1: CIP, CTRY, LANG, SCL, SRV, IPV, SFV, H,
    // PTR, CAT, SFTY, DIR. CTRY and LANG are unknown offline (empty); SFTY only when set.
    std::string report = "CIP:" + ip_of(v) + ";CTRY:;LANG:;SCL:" + std::to_string(r.scl) +
                         ";SRV:" + r.srv + ";IPV:" + r.ipv + ";SFV:" + r.sfv +
                         ";H:" + v.envelope.helo + ";PTR:" + v.ptr + ";CAT:" + r.cat + ";";
    if (!r.sfty.empty()) {
        report += "SFTY:" + r.sfty + ";";
    }
    report += "DIR:" + r.dir + ";";
    h.emplace_back("X-Forefront-Antispam-Report", report);
    h.emplace_back("X-MS-Exchange-Organization-SCL", std::to_string(r.scl));
    if (v.bcl) {
        h.emplace_back("X-Microsoft-Antispam", "BCL:" + std::to_string(*v.bcl) + ";");
    }
    h.emplace_back("Authentication-Results", microsoft_auth_results(v, r));
    if (v.enhanced_filtering && v.envelope.client_ip) {
        // Brief 1.10: stamped when skip listing succeeded (and, for the second, the
        // recipients are in EF scope, which the engine requires for EF to apply).
        const std::string value =
            "ip=[" + ip_of(v) + "];domain=" +
            (v.envelope.reverse_name.empty() ? v.envelope.helo : v.envelope.reverse_name);
        h.emplace_back("X-MS-Exchange-SkipListedInternetSender", value);
        h.emplace_back("X-MS-Exchange-ExternalOriginalInternetSender", value);
    }
    return h;
}

}  // namespace mailverdict::output
