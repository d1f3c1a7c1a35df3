// JSON rendering of SPF results (keys are a contract: docs/spf.md).
#include <mailverdict/output/spf_json.hpp>

#include <boost/json/array.hpp>

namespace mailverdict::output {

boost::json::object to_json(const spf::SpfStep& step) {
    boost::json::object o;
    o["depth"] = step.depth;
    o["domain"] = step.domain;
    o["term"] = step.term;
    o["outcome"] = step.outcome;
    o["why"] = step.why;
    return o;
}

boost::json::object to_json(const spf::SpfResult& result) {
    boost::json::object o;
    o["result"] = spf::to_string(result.result);
    o["explanation"] = result.explanation;
    o["mechanism"] = result.mechanism;
    o["domain"] = result.domain;
    o["lookups"] = result.lookups;
    o["void_lookups"] = result.void_lookups;
    o["identity"] = spf::to_string(result.identity);
    o["reason"] = result.reason;
    o["problem"] = result.problem;
    o["client_ip"] = result.client_ip.to_string();
    o["sender"] = result.sender;
    o["helo"] = result.helo;
    o["received_spf"] = spf::received_spf(result);
    o["authentication_results"] = spf::auth_results_spf(result);
    boost::json::array trace;
    trace.reserve(result.trace.size());
    for (const auto& step : result.trace) {
        trace.emplace_back(to_json(step));
    }
    o["trace"] = std::move(trace);
    return o;
}

}  // namespace mailverdict::output
