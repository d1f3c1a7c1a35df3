// Renderings of a verdict: the `verdict --format jsonl` object (keys are a contract,
// architecture.md), MDO-style header fields, and the terminal text.
#pragma once

#include <mailverdict/verdict/verdict.hpp>

#include <boost/json/object.hpp>

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace mailverdict::output {

// {"file", "parsed", "defects", "message_id", "from", "envelope", "auth", "recipients",
//  "scl", "folder", ...}; docs/verdict.md lists every key.
boost::json::object to_json(const verdict::Verdict& verdict, const std::string& file);

// The header fields Microsoft would stamp for one recipient, in order (name, value):
// X-Forefront-Antispam-Report, X-MS-Exchange-Organization-SCL, X-Microsoft-Antispam
// (when a BCL is known), Authentication-Results, and the enhanced-filtering fields.
std::vector<std::pair<std::string, std::string>> verdict_headers(
    const verdict::Verdict& verdict, const verdict::RecipientVerdict& recipient);

// Microsoft's Authentication-Results value for one recipient (brief 1.7):
// "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=x; dkim=none (message not signed)
//  header.d=none;dmarc=pass action=none header.from=x;compauth=pass reason=100".
std::string microsoft_auth_results(const verdict::Verdict& verdict,
                                   const verdict::RecipientVerdict& recipient);

// One block per message: the verdict first, then why.
void print_verdict_text(std::ostream& out, const verdict::Verdict& verdict, const std::string& file,
                        bool with_trace);

// The verdict table: a header line, then one line per recipient (file name, recipient,
// final and system folder, SFV, CAT, SCL, compauth, why) - for scanning a directory.
void print_verdict_table_header(std::ostream& out);
void print_verdict_table_rows(std::ostream& out, const verdict::Verdict& verdict,
                              const std::string& file);

}  // namespace mailverdict::output
