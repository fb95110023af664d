import Foundation

/// A QR code (ISO/IEC 18004) for short texts such as an `otpauth://` URI: byte mode, error
/// correction level M, versions 1–10 (up to 213 bytes), the mask chosen by the standard's penalty
/// rules. Drawn as inline SVG by the server, so the enrolment page needs no script and no image
/// request. Tested against segno's output and decoded by zxing-cpp in the browser tests.
struct QRCode: Sendable {
    /// `modules[y][x]`: true is dark.
    let modules: [[Bool]]
    let version: Int
    let mask: Int
    var size: Int { modules.count }

    enum Failure: Error { case tooLong }

    /// Level M blocks per version 1–10: (EC codewords per block, blocks in group 1, data codewords
    /// per block in group 1, blocks in group 2); group 2 blocks hold one data codeword more.
    static let blocks: [(ec: Int, g1: Int, d1: Int, g2: Int)] = [
        (10, 1, 16, 0), (16, 1, 28, 0), (26, 1, 44, 0), (18, 2, 32, 0), (24, 2, 43, 0),
        (16, 4, 27, 0), (18, 4, 31, 0), (22, 2, 38, 2), (22, 3, 36, 2), (26, 4, 43, 1),
    ]

    static func dataCapacity(version: Int) -> Int {
        let b = blocks[version - 1]
        return b.g1 * b.d1 + b.g2 * (b.d1 + 1)
    }

    /// Encodes the bytes in the smallest version that holds them; `mask` forces a mask (tests).
    init(_ data: [UInt8], mask forcedMask: Int? = nil, minimumVersion: Int = 1) throws {
        guard let version = (max(1, minimumVersion)...10).first(where: { v in
            4 + (v < 10 ? 8 : 16) + 8 * data.count <= 8 * Self.dataCapacity(version: v)
        }) else { throw Failure.tooLong }
        self.version = version
        let codewords = Self.interleave(Self.dataCodewords(data, version: version), version: version)
        var matrix = Matrix(version: version)
        matrix.drawFunctionPatterns()
        matrix.drawCodewords(codewords)
        var best = (mask: 0, penalty: Int.max, modules: [[Bool]]())
        for mask in forcedMask.map({ [$0] }) ?? Array(0..<8) {
            var candidate = matrix
            candidate.apply(mask: mask)
            candidate.drawFormatBits(mask: mask)
            let penalty = forcedMask == nil ? Self.penalty(candidate.modules) : 0
            if penalty < best.penalty { best = (mask, penalty, candidate.modules) }
        }
        self.mask = best.mask
        modules = best.modules
    }

    init(text: String) throws { try self.init(Array(text.utf8)) }

    // MARK: Data

    /// Mode indicator, count, bytes, terminator and padding, as codewords.
    static func dataCodewords(_ data: [UInt8], version: Int) -> [UInt8] {
        let capacity = dataCapacity(version: version)
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) { for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) } }
        append(0b0100, 4)
        append(data.count, version < 10 ? 8 : 16)
        for byte in data { append(Int(byte), 8) }
        append(0, min(4, capacity * 8 - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var bytes = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { ($0 << 1) | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while bytes.count < capacity { bytes.append(pad); pad = pad == 0xEC ? 0x11 : 0xEC }
        return bytes
    }

    /// Splits into blocks, adds Reed–Solomon codewords, and interleaves.
    static func interleave(_ data: [UInt8], version: Int) -> [UInt8] {
        let b = blocks[version - 1]
        var dataBlocks: [[UInt8]] = []
        var offset = 0
        for index in 0..<(b.g1 + b.g2) {
            let length = b.d1 + (index < b.g1 ? 0 : 1)
            dataBlocks.append(Array(data[offset..<offset + length]))
            offset += length
        }
        let generator = ReedSolomon.generator(degree: b.ec)
        let ecBlocks = dataBlocks.map { ReedSolomon.remainder($0, generator: generator) }
        var out: [UInt8] = []
        for i in 0...(b.d1) {
            for block in dataBlocks where i < block.count { out.append(block[i]) }
        }
        for i in 0..<b.ec {
            for block in ecBlocks { out.append(block[i]) }
        }
        return out
    }

    // MARK: Penalty (ISO/IEC 18004 § 7.8.3)

    static func penalty(_ m: [[Bool]]) -> Int {
        let n = m.count
        var score = 0
        let lines = m + (0..<n).map { x in (0..<n).map { y in m[y][x] } }
        for line in lines {
            // N1: runs of five or more of one colour.
            var run = 1
            for i in 1..<n {
                if line[i] == line[i - 1] { run += 1 } else { if run >= 5 { score += run - 2 }; run = 1 }
            }
            if run >= 5 { score += run - 2 }
            // N3: 1:1:3:1:1 finder-like patterns with four light modules on one side (outside counts as light).
            let padded = [Bool](repeating: false, count: 4) + line + [Bool](repeating: false, count: 4)
            let pattern: [Bool] = [true, false, true, true, true, false, true]
            let light = [Bool](repeating: false, count: 4)
            if padded.count >= 11 {
                for i in 0...(padded.count - 11) {
                    let window = Array(padded[i..<i + 11])
                    if Array(window[0..<4]) == light && Array(window[4..<11]) == pattern { score += 40 }
                    if Array(window[0..<7]) == pattern && Array(window[7..<11]) == light { score += 40 }
                }
            }
        }
        // N2: 2×2 blocks of one colour.
        for y in 0..<(n - 1) {
            for x in 0..<(n - 1) where m[y][x] == m[y][x + 1] && m[y][x] == m[y + 1][x] && m[y][x] == m[y + 1][x + 1] { score += 3 }
        }
        // N4: distance of the dark share from 50 %, in steps of 5 %.
        let dark = m.reduce(0) { $0 + $1.filter { $0 }.count }
        let total = n * n
        score += ((abs(dark * 20 - total * 10) + total - 1) / total - 1) * 10
        return score
    }

    // MARK: SVG

    /// The code as an SVG element: one path of dark squares and a four-module quiet zone. `label`
    /// is its accessible name.
    func svg(label: String, pixelsPerModule: Int = 5) -> String {
        let full = size + 8
        var path = ""
        for (y, row) in modules.enumerated() {
            for (x, dark) in row.enumerated() where dark { path += "M\(x + 4) \(y + 4)h1v1h-1z" }
        }
        let side = full * pixelsPerModule
        let escaped = label.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
        return #"<svg xmlns="http://www.w3.org/2000/svg" class="qr-code" role="img" aria-label="\#(escaped)" "#
            + #"width="\#(side)" height="\#(side)" viewBox="0 0 \#(full) \#(full)" shape-rendering="crispEdges">"#
            + ##"<rect width="\##(full)" height="\##(full)" fill="#fff"/><path fill="#000" d="\##(path)"/></svg>"##
    }

    /// Rows of `#` and `.`, for tests.
    var text: String { modules.map { String($0.map { $0 ? "#" : "." }) }.joined(separator: "\n") }
}

/// The symbol being built: modules and which of them are function patterns.
private struct Matrix {
    let version: Int
    let size: Int
    var modules: [[Bool]]
    var isFunction: [[Bool]]

    init(version: Int) {
        self.version = version
        size = version * 4 + 17
        modules = Array(repeating: Array(repeating: false, count: size), count: size)
        isFunction = modules
    }

    mutating func set(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y][x] = dark
        isFunction[y][x] = true
    }

    mutating func drawFunctionPatterns() {
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = cx + dx, y = cy + dy
                    guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                    let distance = max(abs(dx), abs(dy))
                    set(x, y, distance != 2 && distance != 4)
                }
            }
        }
        let positions = alignmentPositions
        let last = positions.count - 1
        for (i, cx) in positions.enumerated() {
            for (j, cy) in positions.enumerated() {
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 { for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) } }
            }
        }
        drawFormatBits(mask: 0)  // reserves the areas; drawn for real once the mask is chosen
        if version >= 7 {
            var remainder = version
            for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
            let bits = version << 12 | remainder
            for i in 0..<18 {
                let dark = (bits >> i) & 1 == 1
                let a = size - 11 + i % 3, b = i / 3
                set(a, b, dark)
                set(b, a, dark)
            }
        }
    }

    var alignmentPositions: [Int] {
        guard version > 1 else { return [] }
        let count = version / 7 + 2
        let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        var result = [6]
        var position = size - 7
        var tail: [Int] = []
        for _ in 0..<(count - 1) { tail.insert(position, at: 0); position -= step }
        result += tail
        return result
    }

    /// Level M (bits 00) and the mask, BCH-protected, in both copies; plus the dark module.
    mutating func drawFormatBits(mask: Int) {
        let data = (0b00 << 3) | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = (data << 10 | remainder) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    /// The zig-zag placement, two columns at a time from the bottom right, skipping the timing column.
    mutating func drawCodewords(_ codewords: [UInt8]) {
        var i = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    if !isFunction[y][x] && i < codewords.count * 8 {
                        modules[y][x] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 == 1
                        i += 1
                    }
                }
            }
            right -= 2
        }
    }

    mutating func apply(mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y][x] {
                let flip: Bool
                switch mask {
                case 0: flip = (x + y) % 2 == 0
                case 1: flip = y % 2 == 0
                case 2: flip = x % 3 == 0
                case 3: flip = (x + y) % 3 == 0
                case 4: flip = (x / 3 + y / 2) % 2 == 0
                case 5: flip = x * y % 2 + x * y % 3 == 0
                case 6: flip = (x * y % 2 + x * y % 3) % 2 == 0
                default: flip = ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if flip { modules[y][x].toggle() }
            }
        }
    }
}

/// Reed–Solomon error correction over GF(256) with the QR polynomial x⁸ + x⁴ + x³ + x² + 1.
enum ReedSolomon {
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= ((Int(y) >> i) & 1) * Int(x)
        }
        return UInt8(z)
    }

    /// The generator polynomial (x − α⁰)…(x − α^(degree−1)), highest coefficient (1) left out.
    static func generator(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func remainder(_ data: [UInt8], generator: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: generator.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for i in 0..<result.count { result[i] ^= multiply(generator[i], factor) }
        }
        return result
    }
}
