import Foundation

/// A horizontal bar chart drawn on the server as inline SVG: no script, no external file, so it
/// works under the strict content security policy and prints as it shows.
///
/// Accessible by construction: `role="img"` named by its `<title>` and described by its `<desc>`
/// (which lists every value), each bar labelled with its name and its number in text, so nothing
/// depends on colour. Pages show the same numbers in a table next to it.
struct BarChart: Sendable {
    struct Bar: Sendable, Equatable {
        let label: String
        let value: Int
    }

    /// Prefix for the element ids, unique within the page.
    let id: String
    let title: String
    /// A sentence introducing the values; the values themselves are appended.
    let summary: String
    let bars: [Bar]

    // Geometry in viewBox units; the SVG scales to its container.
    static let width = 420
    static let labelHeight = 20
    static let barHeight = 18
    static let rowGap = 12
    static let valueSpace = 40

    var rowHeight: Int { Self.labelHeight + Self.barHeight + Self.rowGap }
    var height: Int { max(1, bars.count) * rowHeight }

    /// The width of a bar for a value, at least 2 units for any value above zero so it stays visible.
    func barWidth(_ value: Int) -> Int {
        let maximum = bars.map(\.value).max() ?? 0
        guard maximum > 0, value > 0 else { return 0 }
        let available = Double(Self.width - Self.valueSpace)
        return max(2, Int((Double(value) / Double(maximum) * available).rounded()))
    }

    /// The description read out for the chart: the summary and every bar's value.
    var description: String {
        let values = bars.map { "\($0.label): \($0.value)" }.joined(separator: "; ")
        return values.isEmpty ? summary : "\(summary) \(values)."
    }

    /// The chart as an `<svg>` element, every text escaped.
    func svg() -> String {
        let titleID = "\(id)-title", descID = "\(id)-desc"
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" id="\(Self.escape(id))" role="img" \
            aria-labelledby="\(Self.escape(titleID)) \(Self.escape(descID))" viewBox="0 0 \(Self.width) \(height)" \
            width="\(Self.width)" height="\(height)" preserveAspectRatio="xMinYMin meet">
            <title id="\(Self.escape(titleID))">\(Self.escape(title))</title>
            <desc id="\(Self.escape(descID))">\(Self.escape(description))</desc>

            """
        for (index, bar) in bars.enumerated() {
            let top = index * rowHeight
            let barTop = top + Self.labelHeight
            let width = barWidth(bar.value)
            out += """
                <g class="bar-row">\
                <text class="bar-label" x="0" y="\(top + 15)" font-size="15" fill="currentColor">\(Self.escape(bar.label))</text>\
                <rect class="bar" x="0" y="\(barTop)" width="\(width)" height="\(Self.barHeight)" fill="#154273"></rect>\
                <text class="bar-value" x="\(width + 6)" y="\(barTop + 14)" font-size="15" font-weight="bold" fill="currentColor">\(bar.value)</text>\
                </g>

                """
        }
        out += "</svg>"
        return out
    }

    /// Escapes text for XML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
