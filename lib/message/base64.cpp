#include "message/base64.hpp"

#include <openssl/evp.h>

namespace mailverdict::base64 {

bool decode(std::string_view text, std::string& out, Padding padding) {
    out.clear();
    std::string clean;
    clean.reserve(text.size() + 3);
    std::size_t pad = 0;
    for (const char c : text) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        }
        if (c == '=') {
            ++pad;
        } else if (pad != 0) {
            return false;  // data after padding
        }
        clean.push_back(c);
    }
    const std::size_t symbols = clean.size() - pad;
    if (pad > 2 || symbols % 4 == 1) {
        return false;  // a lone sextet cannot encode a byte
    }
    if (pad != 0 && clean.size() % 4 != 0) {
        return false;  // padding that does not complete the quantum
    }
    if (clean.size() % 4 != 0) {
        if (padding == Padding::required) {
            return false;
        }
        const std::size_t missing = 4 - clean.size() % 4;
        clean.append(missing, '=');
        pad = missing;
    }
    if (clean.empty()) {
        return true;
    }
    // EVP_DecodeBlock decodes whole quanta and counts '=' as zero bytes: trim them.
    out.resize(clean.size() / 4 * 3);
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(clean.data()),
                                  static_cast<int>(clean.size()));
    if (n < 0 || static_cast<std::size_t>(n) < pad) {
        out.clear();
        return false;
    }
    out.resize(static_cast<std::size_t>(n) - pad);
    return true;
}

std::string encode(std::string_view bytes) {
    std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
    return out;
}

}  // namespace mailverdict::base64
