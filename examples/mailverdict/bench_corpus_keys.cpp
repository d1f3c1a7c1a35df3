// Deterministic RSA keys for the benchmark corpus: primes searched from a seeded
// generator, so the same seed gives the same keys (and so the same signatures).
#include "bench_corpus.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace mvcli::bench_corpus {

namespace {

struct BnFree {
    void operator()(BIGNUM* b) const noexcept { BN_clear_free(b); }
};
struct CtxFree {
    void operator()(BN_CTX* c) const noexcept { BN_CTX_free(c); }
};
struct BldFree {
    void operator()(OSSL_PARAM_BLD* b) const noexcept { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
    void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* c) const noexcept { EVP_PKEY_CTX_free(c); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct BioFree {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

Bn bn() {
    Bn b(BN_new());
    if (!b) {
        throw std::runtime_error("BN_new failed");
    }
    return b;
}

void check(int ok, const char* what) {
    if (ok != 1) {
        throw std::runtime_error(std::string("RSA key generation: ") + what + " failed");
    }
}

// A prime of `bits` bits with its two top bits set (so p*q has 2*bits bits), found by
// stepping from a random odd start; p-1 coprime with e.
Bn prime(std::mt19937_64& rng, int bits, const BIGNUM* e, BN_CTX* ctx) {
    std::vector<unsigned char> bytes(static_cast<std::size_t>(bits) / 8);
    for (auto& b : bytes) {
        b = static_cast<unsigned char>(rng() & 0xff);
    }
    bytes.front() |= 0xc0;
    bytes.back() |= 0x01;
    Bn p(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
    Bn pm1 = bn();
    Bn g = bn();
    for (;;) {
        if (BN_check_prime(p.get(), ctx, nullptr) == 1) {
            check(BN_sub(pm1.get(), p.get(), BN_value_one()), "BN_sub");
            check(BN_gcd(g.get(), pm1.get(), e, ctx), "BN_gcd");
            if (BN_is_one(g.get()) != 0) {
                return p;
            }
        }
        check(BN_add_word(p.get(), 2), "BN_add_word");
    }
}

}  // namespace

std::string rsa_private_pem(std::mt19937_64& rng, int bits) {
    std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_new());
    Bn e = bn();
    check(BN_set_word(e.get(), 65537), "BN_set_word");
    Bn p = prime(rng, bits / 2, e.get(), ctx.get());
    Bn q = prime(rng, bits / 2, e.get(), ctx.get());
    if (BN_cmp(p.get(), q.get()) < 0) {
        std::swap(p, q);
    }
    Bn n = bn(), pm1 = bn(), qm1 = bn(), phi = bn(), d = bn(), dp = bn(), dq = bn(), qinv = bn();
    check(BN_mul(n.get(), p.get(), q.get(), ctx.get()), "BN_mul");
    check(BN_sub(pm1.get(), p.get(), BN_value_one()), "BN_sub");
    check(BN_sub(qm1.get(), q.get(), BN_value_one()), "BN_sub");
    check(BN_mul(phi.get(), pm1.get(), qm1.get(), ctx.get()), "BN_mul");
    if (BN_mod_inverse(d.get(), e.get(), phi.get(), ctx.get()) == nullptr) {
        throw std::runtime_error("RSA key generation: no inverse of e");
    }
    check(BN_mod(dp.get(), d.get(), pm1.get(), ctx.get()), "BN_mod");
    check(BN_mod(dq.get(), d.get(), qm1.get(), ctx.get()), "BN_mod");
    if (BN_mod_inverse(qinv.get(), q.get(), p.get(), ctx.get()) == nullptr) {
        throw std::runtime_error("RSA key generation: no inverse of q");
    }

    std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
    check(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()), "push n");
    check(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()), "push e");
    check(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get()), "push d");
    check(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, p.get()), "push p");
    check(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, q.get()), "push q");
    check(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get()), "push dp");
    check(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get()), "push dq");
    check(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv.get()),
          "push qinv");
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> pctx(
        EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    check(EVP_PKEY_fromdata_init(pctx.get()), "EVP_PKEY_fromdata_init");
    EVP_PKEY* raw = nullptr;
    check(EVP_PKEY_fromdata(pctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()), "EVP_PKEY_fromdata");
    std::unique_ptr<EVP_PKEY, PkeyFree> key(raw);
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
          "PEM_write_bio_PrivateKey");
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(len)};
}

}  // namespace mvcli::bench_corpus
