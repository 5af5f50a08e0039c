/// The inline SVG chart: per channel, one bar of desired and one of running versions, split by version.
enum VersionChart {
    private static let width = 900
    private static let labelWidth = 150
    private static let barHeight = 18
    /// Okabe–Ito's colour-blind-friendly colours, then darker and lighter shades, cycled by version order; "none" is
    /// grey.
    private static let palette = [
        "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#004A75", "#8C6100", "#00604A",
        "#7E4A66", "#A3D8F5",
    ]
    private static let noneColor = "#BBBBBB"

    static func svg(_ channels: [ChannelVersions]) -> String {
        let versions = allVersions(channels)
        let colors = Dictionary(
            uniqueKeysWithValues: versions.enumerated().map { index, version in
                (version, version == ChannelVersions.none ? noneColor : palette[index % palette.count])
            })
        let rowHeight = barHeight * 2 + 22
        let legendHeight = 28
        let height = max(1, channels.count) * rowHeight + legendHeight
        var svg =
            "<svg id=\"versions-chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
            + "viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" "
            + "aria-label=\"Desired and running versions by channel\">"
        if channels.isEmpty {
            svg += "<text x=\"0\" y=\"20\">No instances with a file.</text>"
        }
        // Room on the right for "120 · 95 at desired".
        let barWidth = width - labelWidth - 180
        for (row, channel) in channels.enumerated() {
            let top = row * rowHeight
            svg += "<text class=\"ch\" x=\"0\" y=\"\(top + 14)\">\(HTMLEscaper.text(channel.channel))"
            svg += " (\(channel.total))</text>"
            for (line, (label, counts)) in [("desired", channel.desired), ("running", channel.running)].enumerated() {
                let y = top + 20 + line * barHeight
                svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 13)\" text-anchor=\"end\">\(label)</text>"
                var x = Double(labelWidth)
                for version in channel.versions {
                    guard let count = counts[version], count > 0 else { continue }
                    let w = Double(barWidth) * Double(count) / Double(max(1, channel.total))
                    let title = "\(channel.channel) \(label) \(version): \(count)"
                    svg += "<rect x=\"\(format(x))\" y=\"\(y)\" width=\"\(format(w))\" height=\"\(barHeight - 2)\" "
                    svg += "fill=\"\(colors[version] ?? noneColor)\"><title>\(HTMLEscaper.text(title))</title></rect>"
                    x += w
                }
                let upToDate = label == "running" ? " · \(channel.upToDate) at desired" : ""
                svg += "<text x=\"\(labelWidth + barWidth + 6)\" y=\"\(y + 13)\">\(counts.values.reduce(0, +))"
                svg += "\(upToDate)</text>"
            }
        }
        var x = 0
        let legendTop = channels.count * rowHeight + 6
        for version in versions {
            svg += "<rect x=\"\(x)\" y=\"\(legendTop)\" width=\"12\" height=\"12\" fill=\"\(colors[version]!)\"/>"
            svg += "<text x=\"\(x + 16)\" y=\"\(legendTop + 11)\">\(HTMLEscaper.text(version))</text>"
            x += 24 + 8 * version.count
        }
        return svg + "</svg>"
    }

    private static func allVersions(_ channels: [ChannelVersions]) -> [String] {
        var merged = ChannelVersions(channel: "")
        for channel in channels {
            for key in channel.desired.keys { merged.desired[key] = 1 }
            for key in channel.running.keys { merged.running[key] = 1 }
        }
        return merged.versions
    }

    private static func format(_ value: Double) -> String {
        String(Double((value * 10).rounded()) / 10)
    }
}
