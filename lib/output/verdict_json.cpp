// The `verdict --format jsonl` object (architecture.md contract; docs/verdict.md).
#include <mailverdict/output/verdict_json.hpp>

#include <mailverdict/output/auth_json.hpp>
#include <mailverdict/output/json.hpp>

#include <boost/json/array.hpp>

namespace mailverdict::output {

using verdict::RecipientVerdict;
using verdict::Verdict;

namespace {

boost::json::object trace_step(const verdict::TraceStep& s) {
    return {{"stage", s.stage},
            {"rule", s.rule},
            {"reference", s.reference},
            {"input", s.input},
            {"outcome", s.outcome}};
}

boost::json::object disposition(const verdict::Disposition& d) {
    return {{"action", d.action}, {"folder", verdict::to_string(d.folder)}, {"reason", d.reason}};
}

boost::json::object compauth_json(const verdict::CompAuth& c) {
    return {{"result", verdict::to_string(c.result)},
            {"reason", c.reason_text()},
            {"rule", verdict::to_string(c.rule)},
            {"detail", c.detail}};
}

boost::json::object auth_json(const Verdict& v, const RecipientVerdict* first) {
    const auto& a = v.auth;
    boost::json::object spf;
    spf["result"] = a.dmarc_input.spf.result.empty() ? "none" : a.dmarc_input.spf.result;
    spf["domain"] = a.dmarc_input.spf.domain;
    spf["identity"] = a.dmarc_input.spf.helo ? "helo" : "mailfrom";
    spf["source"] = a.trusted ? "trusted_header" : (a.spf ? "local" : "not_checked");
    spf["explanation"] = a.spf ? a.spf->explanation : std::string();
    spf["mechanism"] = a.spf ? a.spf->mechanism : std::string();
    spf["lookups"] = a.spf ? a.spf->lookups : 0;
    spf["note"] = a.spf_note;
    boost::json::array dkim;
    for (const auto& d : a.dmarc_input.dkim) {
        dkim.push_back(boost::json::object{
            {"domain", d.domain}, {"selector", d.selector}, {"result", d.result}});
    }
    boost::json::object arc{
        {"cv", arc::to_string(a.arc.cv)},
        {"instances", a.arc.instances},
        {"reason", arc::to_string(a.arc.reason)},
        {"trusted_sealer", a.trusted_arc ? boost::json::value(a.trusted_arc->seal_domain)
                                         : boost::json::value(nullptr)}};
    const auto& d = a.dmarc;
    boost::json::object dmarc{
        {"result", d.microsoft_result()},
        {"policy",
         d.record ? boost::json::value(dmarc::to_string(d.policy)) : boost::json::value(nullptr)},
        {"action", first != nullptr && !first->dmarc_action.empty()
                       ? first->dmarc_action
                       : std::string(dmarc::to_string(d.action))},
        {"from_domain", d.from_domain},
        {"reason", dmarc::to_string(d.reason)},
        {"pct", d.record ? boost::json::value(d.record->percent) : boost::json::value(nullptr)},
        {"sampled_in", d.sampled_in},
        {"spf_aligned", d.spf_aligned},
        {"dkim_aligned", d.dkim_aligned}};
    boost::json::object out{
        {"spf", std::move(spf)},
        {"dkim", std::move(dkim)},
        {"arc", std::move(arc)},
        {"dmarc", std::move(dmarc)},
        {"compauth", compauth_json(v.compauth)},
        {"system_compauth", compauth_json(v.system_compauth)},
        {"trusted_header", a.trusted ? boost::json::value(to_json(a.trusted->results))
                                     : boost::json::value(nullptr)}};
    return out;
}

boost::json::object impersonation_json(const verdict::ImpersonationEvidence& e) {
    return {{"kind", e.kind},
            {"impersonated", e.impersonated},
            {"part", e.part},
            {"sender_value", e.sender_value},
            {"technique", e.technique},
            {"score", e.score},
            {"distance", e.distance},
            {"allowed", e.suppression.empty() ? boost::json::value(nullptr)
                                              : boost::json::value(e.suppression)},
            {"summary", e.summary}};
}

boost::json::object recipient_json(const Verdict& v, const RecipientVerdict& r) {
    boost::json::array detections;
    for (const auto& d : r.detections) {
        boost::json::object o{{"cat", verdict::category(d.detection)},
                              {"name", verdict::to_string(d.detection)},
                              {"source", d.source},
                              {"detail", d.detail}};
        if (d.impersonation) {
            const auto& e = *d.impersonation;
            o["matched"] = e.impersonated;
            o["part"] = e.part;
            o["sender_value"] = e.sender_value;
            o["technique"] = e.technique;
            o["score"] = e.score;
        }
        detections.push_back(std::move(o));
    }
    boost::json::array impersonation;
    for (const auto& e : r.impersonation) {
        impersonation.push_back(impersonation_json(e));
    }
    boost::json::array overrides;
    for (const auto& o : r.overrides) {
        overrides.push_back(boost::json::object{{"mechanism", o.mechanism},
                                                {"source", o.source},
                                                {"entry", o.entry},
                                                {"applied", o.applied},
                                                {"effect", o.effect}});
    }
    boost::json::array tips;
    for (const auto& t : r.safety_tips) {
        tips.push_back(boost::json::value(t));
    }
    boost::json::object headers;
    for (const auto& [name, value] : verdict_headers(v, r)) {
        headers[name] = value;
    }
    boost::json::array trace;
    for (const auto& s : v.trace) {
        trace.push_back(trace_step(s));
    }
    for (const auto& s : r.trace) {
        trace.push_back(trace_step(s));
    }
    return {{"address", r.address},
            {"policy", boost::json::object{{"anti_phishing", r.anti_phish_policy},
                                           {"anti_spam", r.anti_spam_policy}}},
            {"detections", std::move(detections)},
            {"sfv", r.sfv},
            {"cat", r.cat},
            {"scl", r.scl},
            {"sfty", r.sfty},
            {"system", disposition(r.system)},
            {"final", disposition(r.final)},
            {"overrides", std::move(overrides)},
            {"safety_tips", std::move(tips)},
            {"impersonation", std::move(impersonation)},
            {"headers", std::move(headers)},
            {"trace", std::move(trace)}};
}

}  // namespace

boost::json::object to_json(const Verdict& v, const std::string& file) {
    boost::json::object o;
    o["file"] = file;
    o["parsed"] = v.parsed;
    boost::json::array defects;
    for (const auto& d : v.defects) {
        defects.push_back(to_json(d));
    }
    o["defects"] = std::move(defects);
    o["message_id"] = v.message_id;
    if (v.from) {
        o["from"] = boost::json::object{{"display_name", v.from->display_name},
                                        {"address", v.from->address()},
                                        {"domain", v.from->domain}};
    } else {
        o["from"] = nullptr;
    }
    o["envelope"] = boost::json::object{
        {"client_ip", v.envelope.client_ip
                          ? boost::json::value(unmap(*v.envelope.client_ip).to_string())
                          : boost::json::value(nullptr)},
        {"helo", v.envelope.helo},
        {"mail_from", v.envelope.mail_from ? boost::json::value(*v.envelope.mail_from)
                                           : boost::json::value(nullptr)},
        {"source", to_string(v.envelope.client_source)},
        {"connecting_ip", v.connecting_ip ? boost::json::value(unmap(*v.connecting_ip).to_string())
                                          : boost::json::value(nullptr)},
        {"connector", v.connector},
        {"enhanced_filtering", v.enhanced_filtering},
        {"ptr", v.ptr},
        {"sending_infrastructure", v.infrastructure.value}};
    o["auth"] = auth_json(v, v.first());
    boost::json::array recipients;
    for (const auto& r : v.recipients) {
        recipients.push_back(recipient_json(v, r));
    }
    o["recipients"] = std::move(recipients);
    const auto* first = v.first();
    o["scl"] = first != nullptr ? boost::json::value(first->scl) : boost::json::value(nullptr);
    o["folder"] = first != nullptr ? boost::json::value(verdict::to_string(first->final.folder))
                                   : boost::json::value(nullptr);
    o["bcl"] = v.bcl ? boost::json::value(*v.bcl) : boost::json::value(nullptr);
    return o;
}

}  // namespace mailverdict::output
