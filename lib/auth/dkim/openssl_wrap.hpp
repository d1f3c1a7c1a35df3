// OpenSSL 3 EVP, wrapped once with RAII for the DKIM code (never in a public header).
// Only EVP interfaces are used: the RSA_* functions are deprecated in OpenSSL 3.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::dkim {
class KeyCache;
}  // namespace mailverdict::dkim

namespace mailverdict::dkim::detail {

struct PkeyFree {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

// A running SHA-1 or SHA-256 digest.
class Digest {
public:
    explicit Digest(bool sha1);
    void update(std::string_view data) noexcept;
    // The digest; the object is done afterwards.
    std::vector<unsigned char> finish();
    [[nodiscard]] bool ok() const noexcept { return ok_; }

private:
    MdCtxPtr ctx_;
    bool ok_ = false;
};

// A public key loaded for verification, with its size in bits.
struct PublicKey {
    PkeyPtr pkey;
    bool is_rsa = false;
    unsigned bits = 0;
};

// RSA: SubjectPublicKeyInfo DER, or a bare PKCS#1 RSAPublicKey (seen in the wild).
// Ed25519: the raw 32-byte key (RFC 8463 4.2). Empty pkey on failure, with `error` set.
PublicKey load_public_key(bool rsa, const std::vector<unsigned char>& der, std::string& error);

// The same through `cache` (may be null) when it holds the key already: decoding an RSA
// key costs OpenSSL 3 several verifications. Null on failure, with `error` set.
std::shared_ptr<const PublicKey> load_public_key(bool rsa, const std::vector<unsigned char>& der,
                                                 KeyCache* cache, std::string& error);

// Verifies `signature` over an already computed digest of the header data:
// RSA PKCS#1 v1.5 with `sha1`/SHA-256 DigestInfo; Ed25519 (PureEdDSA) over the digest
// bytes themselves (RFC 8463 3: the SHA-256 hash is what Ed25519 signs).
bool verify_digest(const PublicKey& key, bool sha1, const std::vector<unsigned char>& digest,
                   const std::vector<unsigned char>& signature);

// Signs a digest the same way. Empty on failure.
std::vector<unsigned char> sign_digest(EVP_PKEY* key, bool rsa,
                                       const std::vector<unsigned char>& digest);

// Base64 (RFC 4648) without line breaks.
std::string base64_encode(const unsigned char* data, std::size_t size);
// Strict decode; FWS characters are skipped (DKIM values may be folded). False on a bad
// character, bad padding or a stray bit pattern.
bool base64_decode(std::string_view text, std::vector<unsigned char>& out);

}  // namespace mailverdict::dkim::detail
