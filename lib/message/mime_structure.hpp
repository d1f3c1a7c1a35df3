// RFC 2046 5.1 multipart structure checks of a parsed message (private to the message
// stage): the defects a broken or hostile MIME tree has, found without decoding any part.
#pragma once

#include <mailverdict/message/message.hpp>

#include <cstddef>
#include <string_view>
#include <vector>

namespace mailverdict::detail {

// Checks the entity whose Content-Type value is `content_type` and whose body is `body`
// (at `body_offset` in the raw message), recursing into the parts of a multipart up to
// `max_depth` levels. Appends at most one defect of each kind.
void check_mime_structure(std::string_view content_type, std::string_view body,
                          std::size_t body_offset, std::size_t max_depth,
                          std::vector<Defect>& defects);

}  // namespace mailverdict::detail
