// Base64 (RFC 4648 4) through OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock, for RFC 2047
// B-encoded words and the DKIM/ARC b=, bh= and p= tags: one codec for the project.
#pragma once

#include <string>
#include <string_view>

namespace mailverdict::base64 {

enum class Padding {
    required,   // '=' must complete the last quantum when it is partial
    tolerated,  // a partial last quantum without '=' is accepted (RFC 2047 practice)
};

// Decodes `text`, skipping whitespace (RFC 6376 3.5 lets b=, bh= and p= contain FWS).
// False for characters outside the alphabet, data after '=', a lone final sextet, or
// more than two '='.
bool decode(std::string_view text, std::string& out, Padding padding = Padding::tolerated);

std::string encode(std::string_view bytes);

}  // namespace mailverdict::base64
