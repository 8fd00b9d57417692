/// An sRGB colour for a chart series.
public struct Colour: Equatable, Hashable, Sendable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Creates a colour from `"#RRGGBB"` or `"RRGGBB"`; nil for anything else.
    public init?(hex: String) {
        let digits = hex.hasPrefix("#") ? hex.dropFirst() : Substring(hex)
        guard digits.count == 6, let packed = UInt32(digits, radix: 16) else { return nil }
        self.init(red: UInt8(packed >> 16 & 0xFF), green: UInt8(packed >> 8 & 0xFF), blue: UInt8(packed & 0xFF))
    }

    /// `"#rrggbb"`, the form SVG and CSS both accept.
    public var hex: String {
        "#" + [red, green, blue].map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    /// The Okabe-Ito palette, ordered for white backgrounds.
    ///
    /// Its colours stay distinct under the common colour-vision deficiencies; yellow comes
    /// last because it is faint on white.
    public static let palette: [Colour] = [
        Colour(red: 0x00, green: 0x72, blue: 0xB2),  // blue
        Colour(red: 0xD5, green: 0x5E, blue: 0x00),  // vermillion
        Colour(red: 0x00, green: 0x9E, blue: 0x73),  // bluish green
        Colour(red: 0xE6, green: 0x9F, blue: 0x00),  // orange
        Colour(red: 0xCC, green: 0x79, blue: 0xA7),  // reddish purple
        Colour(red: 0x56, green: 0xB4, blue: 0xE9),  // sky blue
        Colour(red: 0x00, green: 0x00, blue: 0x00),  // black
        Colour(red: 0xF0, green: 0xE4, blue: 0x42),  // yellow
    ]
}
