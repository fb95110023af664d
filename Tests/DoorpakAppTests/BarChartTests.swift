import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import DoorpakApp

@Suite struct BarChartTests {
    /// Counts elements by name while checking that the text is well-formed XML.
    final class ElementCounter: NSObject, XMLParserDelegate {
        var counts: [String: Int] = [:]
        var attributes: [String: [[String: String]]] = [:]
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            counts[name, default: 0] += 1
            self.attributes[name, default: []].append(attributes)
        }
    }

    static func parse(_ svg: String) throws -> ElementCounter {
        let parser = XMLParser(data: Data(svg.utf8))
        let counter = ElementCounter()
        parser.delegate = counter
        guard parser.parse() else { throw TestFailure("not well-formed: \(parser.parserError.map { "\($0)" } ?? "?")") }
        return counter
    }

    @Test func rendersValidAccessibleSVGWithOneBarPerValue() throws {
        let chart = BarChart(id: "c", title: "Reports <by> category", summary: "Counts & more.",
                             bars: [.init(label: "Geweld", value: 4), .init(label: "Tom & \"Jerry\" <b>", value: 1), .init(label: "Overig", value: 2)])
        let svg = chart.svg()
        let parsed = try Self.parse(svg)
        #expect(parsed.counts["svg"] == 1)
        #expect(parsed.counts["rect"] == 3)
        #expect(parsed.counts["title"] == 1)
        #expect(parsed.counts["desc"] == 1)
        let root = try #require(parsed.attributes["svg"]?.first)
        #expect(root["role"] == "img")
        #expect(root["aria-labelledby"] == "c-title c-desc")
        #expect(root["viewBox"] == "0 0 \(BarChart.width) \(chart.height)")
        #expect(!svg.contains("<b>"))
        #expect(svg.contains("Tom &amp; &quot;Jerry&quot; &lt;b&gt;"))
        // Every value is written as text, so meaning never depends on colour or length alone.
        let texts = parsed.attributes["text"]?.count ?? 0
        #expect(texts == 6)
        #expect(chart.description.contains("Geweld: 4"))
    }

    @Test func barsScaleToTheLargestValue() {
        let chart = BarChart(id: "c", title: "t", summary: "s", bars: [.init(label: "a", value: 10), .init(label: "b", value: 5),
                                                                       .init(label: "c", value: 0)])
        let full = BarChart.width - BarChart.valueSpace
        #expect(chart.barWidth(10) == full)
        #expect(chart.barWidth(5) == full / 2)
        #expect(chart.barWidth(0) == 0)
        let tiny = BarChart(id: "c", title: "t", summary: "s", bars: [.init(label: "a", value: 10_000), .init(label: "b", value: 1)])
        #expect(tiny.barWidth(1) == 2)
    }

    @Test func emptyChartIsStillValid() throws {
        let parsed = try Self.parse(BarChart(id: "e", title: "t", summary: "Nothing.", bars: []).svg())
        #expect(parsed.counts["rect"] == nil)
        #expect(parsed.counts["svg"] == 1)
    }
}
