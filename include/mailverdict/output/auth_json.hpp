// JSON renderings (Boost.JSON) of DMARC, ARC and Authentication-Results values: the
// documents `mailverdict dmarc|arc|auth --format json` print and the "dmarc" / "arc"
// objects of verdict output. Keys are a contract (docs/dmarc-arc-authres.md).
#pragma once

#include <mailverdict/auth/arc.hpp>
#include <mailverdict/auth/auth_results.hpp>
#include <mailverdict/auth/dmarc.hpp>
#include <mailverdict/auth/org_domain.hpp>

#include <boost/json/object.hpp>

namespace mailverdict::output {

// {"result", "policy", "action", "microsoft_result", "reason", "detail", "from_domain",
//  "author_domains", "author_problem", "organizational_domain", "record_domain", "record",
//  "policy_source", "disposition", "pct", "sample", "sampled_in", "nonexistent",
//  "spf_aligned", "dkim_aligned", "aligned_dkim_domain", "psl", "trace"}
boost::json::object to_json(const dmarc::DmarcResult& result);
// The record's tags after parsing: {"p", "sp", "np", "pct", "adkim", "aspf", "rua", "ruf",
// "fo", "rf", "ri", "treated_as_none", "policy_problem", "warnings", "text"}
boost::json::object to_json(const dmarc::DmarcRecord& record);

// {"cv", "instances", "reason", "detail", "failed_instance", "oldest_pass", "temporary",
//  "sets": [{"instance", "cv", "seal_domain", "seal_selector", "ams_domain",
//  "ams_selector", "algorithm", "ams_valid", "seal_valid", "problem", "results"}]}
boost::json::object to_json(const arc::ArcResult& result);

// {"authserv_id", "version", "none", "results": [{"method", "version", "result",
//  "reason", "properties": {"smtp.mailfrom": ...}, "comments", "extras"}], "deviations"}
boost::json::object to_json(const authres::AuthenticationResults& results);

// {"path", "version", "date", "sha256", "rules", "libpsl"}
boost::json::object to_json(const psl::ListInfo& info);

}  // namespace mailverdict::output
