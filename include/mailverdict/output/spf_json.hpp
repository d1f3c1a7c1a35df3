// JSON rendering (Boost.JSON) of an SPF result: the document `mailverdict spf
// --format json` prints, and the "spf" object of verdict output.
#pragma once

#include <mailverdict/auth/spf.hpp>

#include <boost/json/object.hpp>

namespace mailverdict::output {

// {"result", "explanation", "mechanism", "domain", "lookups", "void_lookups", "trace",
//  plus "identity", "reason", "problem", "client_ip", "sender", "helo",
//  "received_spf", "authentication_results"}; trace steps are
//  {"depth", "domain", "term", "outcome", "why"}.
boost::json::object to_json(const spf::SpfResult& result);
boost::json::object to_json(const spf::SpfStep& step);

}  // namespace mailverdict::output
