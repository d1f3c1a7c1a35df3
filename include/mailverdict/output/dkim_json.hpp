// JSON rendering of DKIM results (the `mailverdict dkim --format json` contract):
// {"signatures": [{"domain", "selector", "algorithm", "key_bits", "result", "body_hash",
//   "reason", ...}], "result": "<best overall>"}
#pragma once

#include <mailverdict/auth/dkim.hpp>

#include <boost/json/object.hpp>

namespace mailverdict::output {

// One signature: domain, selector, algorithm, key_bits, result, body_hash, reason (the
// sentence), reason_code, detail, identity, canonicalization, body_length, timestamp,
// expiration, key_testing, warnings, and auth_results (header.d/s/i/a/b of RFC 8601).
boost::json::object to_json(const dkim::SignatureResult& signature);
// {"signatures": [...], "result": "..."}
boost::json::object to_json(const dkim::DkimResult& result);

}  // namespace mailverdict::output
