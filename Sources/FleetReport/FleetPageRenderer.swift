import Foundation
import FleetModel
import StateBackend

/// Turns a `FleetPage` into one self-contained HTML document: inline CSS, inline SVG, inline script, and a content
/// security policy that forbids the browser any request at all.
public enum FleetPageRenderer {
    /// How many entries the attention list shows before it counts the rest (the table's filter finds them all).
    public static let attentionLimit = 200

    public static func render(_ page: FleetPage) -> String {
        render(page, dataIsland: dataIsland(page.instances, now: page.generatedAt))
    }

    /// The JSON the page's script reads (what `render` writes into the page for `instances` at `now`): the bulk of
    /// the page, so `cloudctl report` works it out while it evaluates the rollouts.
    public static func dataIsland(_ instances: [ReportInstance], now: Date) -> String {
        PageData.json(instances, flags: AttentionFlags.of(instances, now: now), now: now)
    }

    /// The page with `dataIsland`, which must be `dataIsland(page.instances, now: page.generatedAt)`.
    public static func render(_ page: FleetPage, dataIsland: String) -> String {
        let now = page.generatedAt
        let flags = AttentionFlags.of(page.instances, now: now)
        let glance = FleetGlance(page.instances)
        let fleet = HTMLEscaper.text(page.fleet)
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(PageAssets.contentSecurityPolicy)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Fleet \(fleet) · cloudctl</title>
            <style>\(PageAssets.css)</style></head><body>
            <header><h1>Fleet \(fleet)</h1><p class="meta">\(page.instances.count) instances · generated \
            \(iso(now)) by cloudctl \(HTMLEscaper.text(page.toolVersion))</p>
            <nav><a href="#glance">At a glance</a>
            """
        if page.rollouts != nil { html += " <a href=\"#rollouts\">Rollouts</a>" }
        if page.drift != nil { html += " <a href=\"#drift\">Drift</a>" }
        html += " <a href=\"#instances\">Instances</a></nav></header>\n"
        for notice in page.notices {
            html += "<p class=\"notice\">\(HTMLEscaper.text(notice))</p>\n"
        }
        html += glanceSection(glance, page: page, flags: flags)
        if let rollouts = page.rollouts { html += rolloutSection(rollouts) }
        if let drift = page.drift { html += driftSection(drift) }
        html += """
            <section id="instances"><h2>Instances</h2>
            <p><input id="filter" type="search" placeholder="Filter by name, customer, version, state, holder…" \
            aria-label="Filter instances" autocomplete="off"> <span id="shown"></span></p>
            <noscript><p class="notice">The table and the instance details need JavaScript; \
            `cloudctl status` shows the same.</p></noscript>
            <table id="fleet-table"><thead><tr>
            """
        for (column, title) in PageAssets.columns.enumerated() {
            html += "<th data-col=\"\(column)\" tabindex=\"0\" aria-sort=\"none\">\(title)</th>"
        }
        html += """
            </tr></thead><tbody></tbody></table></section>
            <section id="details"></section>
            <script type="application/json" id="fleet-data">
            """
        html += dataIsland
        html += "</script>\n<script>\(PageAssets.script)</script>\n</body></html>\n"
        return html
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    private static func glanceSection(_ glance: FleetGlance, page: FleetPage, flags: [AttentionFlags]) -> String {
        var html = "<section id=\"glance\"><h2>Fleet at a glance</h2><div class=\"counts\">"
        html += countTable("By state", glance.byState)
        html += countTable("By type", glance.byType)
        html += "</div><h3>Versions by channel: desired and running</h3><figure>"
        html += VersionChart.svg(glance.channels)
        html += "</figure>\n<h3>Needs attention</h3>"
        let attention = page.instances.indices.filter { !flags[$0].isDisjoint(with: .needsAttention) }
        guard !attention.isEmpty else {
            return html
                + "<p>Nothing: no failed last operation, no lock, no change waiting for a window.</p></section>\n"
        }
        html += "<ul id=\"attention\">"
        for position in attention.prefix(attentionLimit) {
            let instance = page.instances[position]
            var reasons: [String] = []
            if flags[position].contains(.failed), let operation = instance.lastOperation {
                reasons.append("last \(operation.kind) \(operation.result.rawValue) at \(iso(operation.startedAt))")
            }
            if let lock = instance.lock { reasons.append("locked by \(lock.holder)") }
            if flags[position].contains(.outsideWindowPending) {
                reasons.append("changes wait for its maintenance window")
            }
            let name = HTMLEscaper.text(instance.name)
            html += "<li><a href=\"#instance-\(name)\">\(name)</a> "
            html += HTMLEscaper.text(reasons.joined(separator: "; ")) + "</li>"
        }
        html += "</ul>"
        if attention.count > attentionLimit {
            html += "<p>… and \(attention.count - attentionLimit) more: filter the table below.</p>"
        }
        return html + "</section>\n"
    }

    private static func countTable(_ title: String, _ counts: [(label: String, count: Int)]) -> String {
        var html = "<table class=\"count\"><caption>\(title)</caption>"
        for (label, count) in counts {
            html += "<tr><th>\(HTMLEscaper.text(label))</th><td>\(count)</td></tr>"
        }
        return html + "</table>"
    }

    /// The rollout table's columns, one row per wave.
    static let rolloutColumns = [
        "Wave", "Channel", "State", "Progress", "Total", "On release", "Healthy", "Failed", "Waiting for window",
        "Applying", "Not started", "Bake left", "Started", "Finished", "Gate",
    ]

    /// How many failed instances a wave row names before it counts the rest (`rollout status` lists them all).
    static let failedNamesLimit = 5

    private static func rolloutSection(_ rollouts: [RolloutSection]) -> String {
        var html = "<section id=\"rollouts\"><h2>Rollouts</h2>"
        if rollouts.isEmpty { html += "<p>No rollout in progress.</p>" }
        for rollout in rollouts {
            let release = HTMLEscaper.text(rollout.release)
            html += "<h3 id=\"rollout-\(release)\">Release \(release)</h3>"
            html += "<table class=\"rollout\"><tr>"
            for column in rolloutColumns { html += "<th>\(column)</th>" }
            html += "</tr>"
            for wave in rollout.waves { html += rolloutRow(wave) }
            html += "</table>"
            if !rollout.skipped.isEmpty {
                html += "<p class=\"skipped\">Not reached: "
                html += HTMLEscaper.text(rollout.skipped.joined(separator: ", ")) + "</p>"
            }
        }
        return html + "</section>\n"
    }

    private static func rolloutRow(_ wave: RolloutWaveRow) -> String {
        let state = wave.state.rawValue
        var html = "<tr class=\"wave \(state.replacingOccurrences(of: " ", with: "-"))\">"
        html += "<td>\(HTMLEscaper.text(wave.name))</td><td>\(HTMLEscaper.text(wave.channel))</td><td>\(state)</td>"
        html += "<td><progress max=\"\(max(wave.total, 1))\" value=\"\(wave.healthy)\"></progress></td>"
        let counts = [wave.total, wave.onVersion, wave.healthy, wave.failed, wave.waiting, wave.applying]
        for count in counts { html += "<td>\(count)</td>" }
        html += "<td>\(wave.notStarted)</td><td>\(HTMLEscaper.text(wave.bakeLeft ?? "-"))</td>"
        html += "<td>\(wave.startedAt.map(iso) ?? "-")</td><td>\(wave.finishedAt.map(iso) ?? "-")</td><td>"
        if wave.gate.isEmpty {
            html += "<span class=\"gate open\">open</span>"
        } else {
            html += wave.gate.map { "<span class=\"gate \($0.kind.rawValue)\">\(HTMLEscaper.text($0.text))</span>" }
                .joined(separator: "<br>")
        }
        if !wave.failedInstances.isEmpty {
            var names = wave.failedInstances.prefix(failedNamesLimit).map(HTMLEscaper.text).joined(separator: ", ")
            if wave.failedInstances.count > failedNamesLimit {
                names += " and \(wave.failedInstances.count - failedNamesLimit) more"
            }
            html += "<br><span class=\"failed-names\">failed: \(names)</span>"
        }
        return html + "</td></tr>"
    }

    private static func driftSection(_ drift: [DriftSection]) -> String {
        var html = "<section id=\"drift\"><h2>Drift</h2>"
        let drifted = drift.filter { !$0.findings.isEmpty }
        if drifted.isEmpty { html += "<p>No drift: every checked resource matches its record.</p>" }
        for section in drifted {
            let name = HTMLEscaper.text(section.instance)
            html += "<h3><a href=\"#instance-\(name)\">\(name)</a></h3><ul>"
            for finding in section.findings {
                let what = "\(finding.drift.rawValue) \(finding.resource?.rawValue ?? "instance")"
                html += "<li><b>\(HTMLEscaper.text(what))</b>"
                if let cloudId = finding.cloudId { html += " <code>\(HTMLEscaper.text(cloudId))</code>" }
                html += ": \(HTMLEscaper.text(finding.summary))</li>"
            }
            html += "</ul>"
        }
        return html + "</section>\n"
    }
}
