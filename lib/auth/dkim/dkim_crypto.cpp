// OpenSSL 3 EVP behind openssl_wrap.hpp: digests, key loading, verify and sign.
#include "auth/dkim/openssl_wrap.hpp"
#include "message/base64.hpp"

#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <memory>

namespace mailverdict::dkim::detail {

namespace {

struct MdFree {
    void operator()(EVP_MD* md) const noexcept { EVP_MD_free(md); }
};

// OpenSSL 3 (crypto(7), "Performance"): EVP_sha256() makes every init fetch the
// implementation again (a lock and a lookup); it is fetched once for the process and kept.
// A constant once made; if the fetch fails, the implicit fetch is used as before.
const EVP_MD* message_digest(bool sha1) {
    static const std::unique_ptr<EVP_MD, MdFree> sha256(EVP_MD_fetch(nullptr, "SHA2-256", nullptr));
    static const std::unique_ptr<EVP_MD, MdFree> sha1_md(EVP_MD_fetch(nullptr, "SHA1", nullptr));
    if (sha1) {
        return sha1_md ? sha1_md.get() : EVP_sha1();
    }
    return sha256 ? sha256.get() : EVP_sha256();
}

}  // namespace

Digest::Digest(bool sha1) : ctx_(EVP_MD_CTX_new()) {
    ok_ = ctx_ && EVP_DigestInit_ex(ctx_.get(), message_digest(sha1), nullptr) == 1;
}

void Digest::update(std::string_view data) noexcept {
    if (ok_ && !data.empty()) {
        ok_ = EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) == 1;
    }
}

std::vector<unsigned char> Digest::finish() {
    std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
    unsigned int size = 0;
    if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), out.data(), &size) != 1) {
        ok_ = false;
        return {};
    }
    out.resize(size);
    ok_ = false;
    return out;
}

PublicKey load_public_key(bool rsa, const std::vector<unsigned char>& der, std::string& error) {
    PublicKey key;
    key.is_rsa = rsa;
    if (der.empty()) {
        error = "empty key";
        return key;
    }
    if (!rsa) {
        // RFC 8463 4.2: p= is the bare 32-byte Ed25519 public key, not an SPKI.
        if (der.size() != 32) {
            error = "Ed25519 key is " + std::to_string(der.size()) + " bytes, not 32";
            return key;
        }
        key.pkey.reset(
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, der.data(), der.size()));
        if (!key.pkey) {
            error = "not an Ed25519 public key";
            return key;
        }
        key.bits = 256;
        return key;
    }
    const long size = static_cast<long>(der.size());
    const unsigned char* p = der.data();
    // RFC 6376 3.6.1: p= is an RSAPublicKey inside a SubjectPublicKeyInfo ...
    key.pkey.reset(d2i_PUBKEY(nullptr, &p, size));
    if (!key.pkey || p != der.data() + der.size()) {
        // ... but some publishers put the bare PKCS#1 RSAPublicKey; accept it too.
        p = der.data();
        key.pkey.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, size));
        if (key.pkey && p != der.data() + der.size()) {
            key.pkey.reset();
        }
    }
    if (!key.pkey) {
        error = "p= is not a DER RSA public key";
        return key;
    }
    if (EVP_PKEY_is_a(key.pkey.get(), "RSA") != 1) {
        error = "p= holds a non-RSA key";
        key.pkey.reset();
        return key;
    }
    key.bits = static_cast<unsigned>(EVP_PKEY_get_bits(key.pkey.get()));
    return key;
}

bool verify_digest(const PublicKey& key, bool sha1, const std::vector<unsigned char>& digest,
                   const std::vector<unsigned char>& signature) {
    if (!key.pkey || signature.empty()) {
        return false;
    }
    if (!key.is_rsa) {
        MdCtxPtr ctx(EVP_MD_CTX_new());
        if (!ctx ||
            EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.pkey.get()) != 1) {
            return false;
        }
        return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), digest.data(),
                                digest.size()) == 1;
    }
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.pkey.get(), nullptr));
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), message_digest(sha1)) != 1) {
        return false;
    }
    return EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(),
                           digest.size()) == 1;
}

std::vector<unsigned char> sign_digest(EVP_PKEY* key, bool rsa,
                                       const std::vector<unsigned char>& digest) {
    std::vector<unsigned char> sig;
    std::size_t size = 0;
    if (!rsa) {
        MdCtxPtr ctx(EVP_MD_CTX_new());
        if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1 ||
            EVP_DigestSign(ctx.get(), nullptr, &size, digest.data(), digest.size()) != 1) {
            return {};
        }
        sig.resize(size);
        if (EVP_DigestSign(ctx.get(), sig.data(), &size, digest.data(), digest.size()) != 1) {
            return {};
        }
        sig.resize(size);
        return sig;
    }
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), message_digest(false)) != 1 ||
        EVP_PKEY_sign(ctx.get(), nullptr, &size, digest.data(), digest.size()) != 1) {
        return {};
    }
    sig.resize(size);
    if (EVP_PKEY_sign(ctx.get(), sig.data(), &size, digest.data(), digest.size()) != 1) {
        return {};
    }
    sig.resize(size);
    return sig;
}

std::string base64_encode(const unsigned char* data, std::size_t size) {
    return base64::encode({reinterpret_cast<const char*>(data), size});
}

bool base64_decode(std::string_view text, std::vector<unsigned char>& out) {
    // RFC 6376 3.5/3.6.1: b=, bh= and p= are base64 with FWS allowed; a missing final
    // padding is tolerated as other verifiers do.
    std::string bytes;
    if (!base64::decode(text, bytes, base64::Padding::tolerated)) {
        out.clear();
        return false;
    }
    out.assign(bytes.begin(), bytes.end());
    return true;
}

}  // namespace mailverdict::dkim::detail
