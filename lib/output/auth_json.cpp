// JSON renderings of DMARC, ARC and Authentication-Results values.
#include <mailverdict/output/auth_json.hpp>

#include <boost/json/array.hpp>

namespace mailverdict::output {

namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& v) {
    json::array a;
    for (const auto& s : v) {
        a.emplace_back(s);
    }
    return a;
}

json::array uris(const std::vector<dmarc::ReportUri>& v) {
    json::array a;
    for (const auto& u : v) {
        json::object o{{"uri", u.uri}};
        if (u.max_bytes) {
            o["max_bytes"] = *u.max_bytes;
        }
        a.emplace_back(std::move(o));
    }
    return a;
}

}  // namespace

json::object to_json(const psl::ListInfo& info) {
    return json::object{{"path", info.path},   {"version", info.version},
                        {"date", info.date},   {"sha256", info.sha256},
                        {"rules", info.rules}, {"libpsl", info.libpsl_version}};
}

json::object to_json(const dmarc::DmarcRecord& r) {
    json::object o;
    o["p"] = dmarc::to_string(r.policy);
    o["sp"] = r.subdomain_policy ? json::value(dmarc::to_string(*r.subdomain_policy)) : nullptr;
    o["np"] = r.nonexistent_policy ? json::value(dmarc::to_string(*r.nonexistent_policy)) : nullptr;
    o["pct"] = r.percent;
    o["adkim"] = dmarc::to_string(r.dkim_alignment);
    o["aspf"] = dmarc::to_string(r.spf_alignment);
    o["rua"] = uris(r.aggregate_uris);
    o["ruf"] = uris(r.failure_uris);
    o["fo"] = r.failure_options;
    o["rf"] = strings(r.report_formats);
    o["ri"] = r.report_interval;
    o["treated_as_none"] = r.treated_as_none;
    o["policy_problem"] = r.policy_problem;
    o["unknown_tags"] = strings(r.unknown_tags);
    o["warnings"] = strings(r.warnings);
    o["text"] = r.text;
    return o;
}

json::object to_json(const dmarc::DmarcResult& r) {
    json::object o;
    o["result"] = dmarc::to_string(r.result);
    o["policy"] = dmarc::to_string(r.policy);
    o["action"] = dmarc::to_string(r.action);
    o["microsoft_result"] = r.microsoft_result();
    o["reason"] = dmarc::to_string(r.reason);
    o["detail"] = r.detail;
    o["from_domain"] = r.from_domain;
    o["author_domains"] = strings(r.author_domains);
    o["author_problem"] = dmarc::to_string(r.author_problem);
    o["organizational_domain"] = r.organizational_domain;
    o["record_domain"] = r.record_domain;
    o["record"] = r.record ? json::value(to_json(*r.record)) : nullptr;
    o["policy_source"] = dmarc::to_string(r.policy_source);
    o["disposition"] = dmarc::to_string(r.disposition);
    o["pct"] = r.record ? r.record->percent : 100U;
    o["sample"] = r.sample;
    o["sampled_in"] = r.sampled_in;
    o["nonexistent"] = r.nonexistent;
    o["spf_aligned"] = r.spf_aligned;
    o["dkim_aligned"] = r.dkim_aligned;
    o["aligned_dkim_domain"] = r.aligned_dkim_domain;
    o["best_guess_pass"] = r.best_guess_pass;
    o["psl"] = r.psl_version;
    json::array trace;
    for (const auto& s : r.trace) {
        trace.emplace_back(
            json::object{{"rule", s.rule}, {"input", s.input}, {"outcome", s.outcome}});
    }
    o["trace"] = std::move(trace);
    return o;
}

json::object to_json(const authres::AuthenticationResults& a) {
    json::object o;
    o["authserv_id"] = a.authserv_id;
    o["version"] = a.version ? json::value(*a.version) : nullptr;
    o["none"] = a.no_result;
    json::array results;
    for (const auto& r : a.results) {
        json::object ro;
        ro["method"] = r.method;
        ro["version"] = r.method_version ? json::value(*r.method_version) : nullptr;
        ro["result"] = r.result;
        ro["reason"] = r.reason ? json::value(*r.reason) : nullptr;
        json::object props;
        for (const auto& p : r.properties) {
            props[p.ptype + "." + p.property] = p.value;
        }
        ro["properties"] = std::move(props);
        ro["comments"] = strings(r.comments);
        json::object extras;
        for (const auto& e : r.extras) {
            extras[e.key] = e.value;
        }
        ro["extras"] = std::move(extras);
        results.emplace_back(std::move(ro));
    }
    o["results"] = std::move(results);
    o["deviations"] = strings(a.deviations);
    return o;
}

json::object to_json(const arc::ArcResult& r) {
    json::object o;
    o["cv"] = arc::to_string(r.cv);
    o["instances"] = r.instances;
    o["reason"] = arc::to_string(r.reason);
    o["detail"] = r.detail;
    o["failed_instance"] = r.failed_instance ? json::value(*r.failed_instance) : nullptr;
    o["oldest_pass"] = r.oldest_pass;
    o["temporary"] = r.temporary;
    json::array sets;
    for (const auto& s : r.sets) {
        json::object so;
        so["instance"] = s.instance;
        so["cv"] = arc::to_string(s.cv);
        so["seal_domain"] = s.seal_domain;
        so["seal_selector"] = s.seal_selector;
        so["ams_domain"] = s.ams_domain;
        so["ams_selector"] = s.ams_selector;
        so["algorithm"] = s.algorithm;
        so["ams_valid"] = s.ams_valid ? json::value(*s.ams_valid) : nullptr;
        so["seal_valid"] = s.seal_valid ? json::value(*s.seal_valid) : nullptr;
        so["problem"] = s.problem;
        so["results"] = s.results ? json::value(to_json(*s.results)) : nullptr;
        sets.emplace_back(std::move(so));
    }
    o["sets"] = std::move(sets);
    return o;
}

}  // namespace mailverdict::output
