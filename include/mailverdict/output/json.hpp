// JSON renderings (Boost.JSON) shared by the CLI and library callers: the CLI prints
// exactly these values, so a caller can get anything the CLI shows.
#pragma once

#include <mailverdict/message/message.hpp>
#include <mailverdict/message/received.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>

namespace mailverdict::output {

boost::json::object to_json(const Mailbox& mailbox);
boost::json::object to_json(const Defect& defect);
boost::json::object to_json(const Hop& hop);
boost::json::object to_json(const Envelope& envelope);

// Summary of a parsed message for `mailverdict parse`: message_id, subject, date,
// from, to, defects, hops and the derived envelope.
boost::json::object message_summary(const Message& message, const std::vector<Hop>& chain,
                                    const Envelope& envelope);

// JSON text of a value: pretty() with two-space indentation (one document), compact()
// on one line (JSON Lines). Both always produce valid UTF-8: bytes of a string that
// are not UTF-8 (mail is not always UTF-8) become U+FFFD. Use these, not
// boost::json::serialize, for anything read from a message or from DNS.
std::string pretty(const boost::json::value& value);
std::string compact(const boost::json::value& value);

}  // namespace mailverdict::output
