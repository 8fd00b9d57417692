// The system OpenSSL, for HMAC (peer authentication) and TLS only.
#ifndef QLSTM_COPENSSL_SHIM_H
#define QLSTM_COPENSSL_SHIM_H
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

// Function-like macros do not import into Swift; these wrap the few the TLS layer needs.

static inline int qlstm_SSL_CTX_set_tls13_only(SSL_CTX *context) {
    return SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION)
        && SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION);
}

static inline int qlstm_SSL_set_server_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// The peer's own certificate from the chain it sent, even when verifying it failed (the
/// client's `SSL_get0_peer_certificate` is set only after a successful verification).
static inline X509 *qlstm_SSL_peer_chain_leaf(const SSL *ssl) {
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    return chain != NULL && sk_X509_num(chain) > 0 ? sk_X509_value(chain, 0) : NULL;
}

/// Prints `name` as RFC 2253 text (`CN=qpu-a,O=Lab`).
static inline int qlstm_X509_NAME_print_rfc2253(BIO *bio, const X509_NAME *name) {
    return X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
}

#endif
