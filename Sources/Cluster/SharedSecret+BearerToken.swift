extension SharedSecret {
    /// Whether `token`, the credential of an `Authorization: Bearer` header, is this secret as
    /// its file holds it (`qlstm secret generate` writes 64 hex digits), for the inference
    /// server (`qlstm serve --secret-file`).
    ///
    /// The token and the secret are compared through their HMACs under the secret: both are 32
    /// bytes whatever the token's length, and `constantTimeEquals` looks at every byte, so
    /// neither the time taken nor an early length mismatch tells a client how much of its guess
    /// was right, or how long the secret is.
    public func isBearerToken(_ token: [UInt8]) -> Bool {
        Self.constantTimeEquals(authenticationCode(for: token), authenticationCode(for: bytes))
    }
}
