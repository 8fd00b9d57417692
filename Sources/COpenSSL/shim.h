// The system OpenSSL, for HMAC (peer authentication) and TLS only.
#ifndef QLSTM_COPENSSL_SHIM_H
#define QLSTM_COPENSSL_SHIM_H
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#endif
