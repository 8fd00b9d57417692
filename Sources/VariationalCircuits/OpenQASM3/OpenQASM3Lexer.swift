/// A token of an OpenQASM program with the position of its first and one past its last scalar.
struct OpenQASM3Token: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case identifier(String)
        /// A decimal literal; `isInteger` when it has neither a point nor an exponent.
        case number(Double, text: String, isInteger: Bool)
        case string(String)
        /// A physical qubit such as `$3`.
        case hardwareQubit(String)
        /// Punctuation and operators: `; , ( ) [ ] = -> + - * ** /`, and any other single
        /// character, which the parser then reports as unexpected.
        case symbol(String)
        case endOfFile
    }

    var kind: Kind
    var line: Int
    var column: Int
    var endLine: Int
    var endColumn: Int

    /// The token as an error message quotes it.
    var quoted: String {
        switch kind {
        case .identifier(let name): "'\(name)'"
        case .number(_, let text, _): "'\(text)'"
        case .string(let text): "string \"\(text)\""
        case .hardwareQubit(let name): "'\(name)'"
        case .symbol(let s):
            s.unicodeScalars.allSatisfy(Self.isVisible)
                ? "'\(s)'"
                : s.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
        case .endOfFile: "the end of the program"
        }
    }

    /// False for characters a message cannot show on their own: controls, marks, separators.
    private static func isVisible(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .nonspacingMark,
            .enclosingMark, .spacingMark, .surrogate, .privateUse, .unassigned:
            false
        default:
            true
        }
    }

    func isSymbol(_ s: String) -> Bool { kind == .symbol(s) }

    var identifier: String? {
        if case .identifier(let name) = kind { return name }
        return nil
    }
}

/// Splits OpenQASM source into tokens on demand, so that the first error reported is the first
/// one in the text whether it is lexical or grammatical.
struct OpenQASM3Lexer: Sendable {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1

    init(_ source: String) {
        var scalars = Array(source.unicodeScalars)
        // A byte-order mark that some editors write first is not part of the program.
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        self.scalars = scalars
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic
    }

    private static func isIdentifierContinue(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || isDigit(c)
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    /// Skips white space and comments.
    /// - Throws: `unterminatedComment` at the `/*` that never closes.
    private mutating func skipTrivia() throws(OpenQASMError) {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}" {
                advance()
            } else if c == "/" && peek(1) == "/" {
                while let d = peek(), d != "\n" { advance() }
            } else if c == "/" && peek(1) == "*" {
                let startLine = line
                let startColumn = column
                advance()
                advance()
                while true {
                    guard let d = peek() else {
                        throw OpenQASMError(line: startLine, column: startColumn, reason: .unterminatedComment)
                    }
                    if d == "*" && peek(1) == "/" {
                        advance()
                        advance()
                        break
                    }
                    advance()
                }
            } else {
                return
            }
        }
    }

    /// The next token, `.endOfFile` forever once the source is exhausted.
    mutating func next() throws(OpenQASMError) -> OpenQASM3Token {
        try skipTrivia()
        let startLine = line
        let startColumn = column
        func token(_ kind: OpenQASM3Token.Kind) -> OpenQASM3Token {
            OpenQASM3Token(kind: kind, line: startLine, column: startColumn, endLine: line, endColumn: column)
        }
        guard let c = peek() else { return token(.endOfFile) }

        if Self.isIdentifierStart(c) {
            var name = String.UnicodeScalarView()
            while let d = peek(), Self.isIdentifierContinue(d) {
                name.append(d)
                advance()
            }
            return token(.identifier(String(name)))
        }

        if Self.isDigit(c) || (c == "." && peek(1).map(Self.isDigit) == true) {
            return try number(startLine: startLine, startColumn: startColumn)
        }

        if c == "\"" || c == "'" {
            advance()
            var text = String.UnicodeScalarView()
            while let d = peek(), d != c {
                if d == "\n" { break }
                text.append(d)
                advance()
            }
            guard peek() == c else {
                throw OpenQASMError(line: startLine, column: startColumn, reason: .unterminatedString)
            }
            advance()
            return token(.string(String(text)))
        }

        if c == "$" {
            var name = String.UnicodeScalarView(["$"])
            advance()
            while let d = peek(), Self.isIdentifierContinue(d) {
                name.append(d)
                advance()
            }
            return token(.hardwareQubit(String(name)))
        }

        advance()
        if c == "*" && peek() == "*" {
            advance()
            return token(.symbol("**"))
        }
        if c == "-" && peek() == ">" {
            advance()
            return token(.symbol("->"))
        }
        if (c == "=" || c == "!" || c == "<" || c == ">") && peek() == "=" {
            advance()
            return token(.symbol(String(c) + "="))
        }
        return token(.symbol(String(c)))
    }

    /// A decimal literal: digits with `_` separators, an optional fraction, an optional exponent.
    /// - Throws: `malformedNumber` when letters or digits run on (`100ns`, `1im`, `0x1f`, `1e`).
    private mutating func number(startLine: Int, startColumn: Int) throws(OpenQASMError) -> OpenQASM3Token {
        var text = String.UnicodeScalarView()
        var digits = String.UnicodeScalarView()
        var isInteger = true
        var wellFormed = true
        func take(_ into: inout String.UnicodeScalarView) {
            // Callers only take after peeking a scalar.
            let c = scalars[index]
            text.append(c)
            if c != "_" { into.append(c) }
            advance()
        }
        func takeDigits() -> Bool {
            var any = false
            while let d = peek(), Self.isDigit(d) || (d == "_" && any && peek(1).map(Self.isDigit) == true) {
                take(&digits)
                any = true
            }
            return any
        }
        let integerPart = takeDigits()
        if peek() == "." {
            isInteger = false
            take(&digits)
            let fraction = takeDigits()
            if !integerPart && !fraction { wellFormed = false }
        }
        if let e = peek(), e == "e" || e == "E" {
            isInteger = false
            take(&digits)
            if let sign = peek(), sign == "+" || sign == "-" { take(&digits) }
            if !takeDigits() { wellFormed = false }
        }
        // Run-on letters, digits or points (`100ns`, `1im`, `0x1f`, `1.2.3`) make one bad literal.
        while let d = peek(), Self.isIdentifierContinue(d) || d == "." {
            wellFormed = false
            take(&digits)
        }
        let literal = String(text)
        guard wellFormed, let value = Double(String(digits)) else {
            throw OpenQASMError(line: startLine, column: startColumn, reason: .malformedNumber(literal))
        }
        return OpenQASM3Token(
            kind: .number(value, text: literal, isInteger: isInteger),
            line: startLine,
            column: startColumn,
            endLine: line,
            endColumn: column
        )
    }
}
