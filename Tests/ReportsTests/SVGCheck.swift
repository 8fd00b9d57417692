import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses an SVG with Foundation's XML parser and collects what tests look at.
final class SVGCheck: NSObject, XMLParserDelegate {
    private(set) var rootName: String?
    private(set) var rootAttributes: [String: String] = [:]
    private(set) var texts: [String] = []
    private(set) var elements: [(name: String, attributes: [String: String])] = []
    private var currentText = ""
    private var depth = 0

    /// Parses `svg`; nil when it is not well-formed XML.
    static func parse(_ svg: String) -> SVGCheck? {
        let check = SVGCheck()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = check
        return parser.parse() ? check : nil
    }

    func parser(
        _ parser: XMLParser,
        didStartElement elementName: String,
        namespaceURI: String?,
        qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        if depth == 0 {
            rootName = elementName
            rootAttributes = attributeDict
        }
        depth += 1
        elements.append((elementName, attributeDict))
        currentText = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        currentText += string
    }

    func parser(
        _ parser: XMLParser,
        didEndElement elementName: String,
        namespaceURI: String?,
        qualifiedName qName: String?
    ) {
        depth -= 1
        if elementName == "text" || elementName == "title" { texts.append(currentText) }
        currentText = ""
    }
}
