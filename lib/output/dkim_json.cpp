#include <mailverdict/output/dkim_json.hpp>

#include <boost/json/array.hpp>

namespace mailverdict::output {

namespace json = boost::json;

json::object to_json(const dkim::SignatureResult& s) {
    json::object o;
    o["domain"] = s.domain;
    o["selector"] = s.selector;
    o["algorithm"] = s.algorithm;
    o["key_bits"] = s.key_bits;
    o["result"] = std::string(to_string(s.result));
    o["body_hash"] = std::string(to_string(s.body_hash));
    o["reason"] = std::string(dkim::reason_text(s.reason));
    o["reason_code"] = std::string(to_string(s.reason));
    o["detail"] = s.detail;
    o["identity"] = s.identity;
    o["canonicalization"] = s.canonicalization;
    o["body_length"] = s.body_length ? json::value(*s.body_length) : json::value(nullptr);
    o["timestamp"] = s.timestamp ? json::value(*s.timestamp) : json::value(nullptr);
    o["expiration"] = s.expiration ? json::value(*s.expiration) : json::value(nullptr);
    o["key_testing"] = s.key_testing;
    json::array warnings;
    for (const auto& w : s.warnings) {
        warnings.emplace_back(w);
    }
    o["warnings"] = std::move(warnings);
    // RFC 8601 2.7.1 / RFC 6008: the properties an Authentication-Results header carries.
    json::object ar;
    ar["header.d"] = s.domain;
    ar["header.s"] = s.selector;
    ar["header.i"] = s.identity;
    ar["header.a"] = s.algorithm;
    ar["header.b"] = s.header_b;
    o["auth_results"] = std::move(ar);
    return o;
}

json::object to_json(const dkim::DkimResult& result) {
    json::array signatures;
    for (const auto& s : result.signatures) {
        signatures.emplace_back(to_json(s));
    }
    json::object o;
    o["signatures"] = std::move(signatures);
    o["result"] = std::string(to_string(result.result));
    return o;
}

}  // namespace mailverdict::output
