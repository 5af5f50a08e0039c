import FleetModel

/// Prints a plan handed over instance by instance, in one `PlanFormat`, to stdout in chunks; ends with a newline.
struct PlanPrinter {
    // One of these is set. Optionals rather than an enum with payloads: mutating a payload copies it (and the markdown
    // renderer's name lists) on every instance.
    private var text: PlanTextRenderer?
    private var json: PlanJSONWriter?
    private var markdown: PlanMarkdownRenderer?
    private var output: ChunkedOutput
    private let diagnostics: [Diagnostic]

    /// `inputs` seals the `--json` plan (`PlanSeal`).
    init(
        _ format: PlanFormat, fleet: String, inputs: String? = nil, diagnostics: [Diagnostic],
        text renderer: PlanTextRenderer, markdown markdownRenderer: PlanMarkdownRenderer = PlanMarkdownRenderer(),
        console: Console
    ) {
        output = ChunkedOutput(console)
        self.diagnostics = diagnostics
        switch format {
        case .text: text = renderer
        case .markdown: markdown = markdownRenderer
        case .json:
            json = PlanJSONWriter()
            json!.begin(fleet: fleet, inputs: inputs, to: &output)
        }
    }

    mutating func add(_ instance: InstancePlan) {
        text?.write(instance, to: &output)
        json?.write(instance, to: &output)
        markdown?.add(instance)
    }

    /// `selection` is written into `--json` output, which apply accepts as a saved plan.
    mutating func finish(summary: PlanSummary, toolVersion: String, selection: PlanSelection? = nil) {
        if let text { output.write(text.summary(summary)) }
        json?.finish(summary: summary, toolVersion: toolVersion, selection: selection, to: &output)
        markdown?.write(summary: summary, diagnostics: diagnostics, to: &output)
        output.write("\n")
        output.flush()
    }

    /// A whole plan, e.g. one read back from a file.
    static func print(
        _ plan: Plan, _ format: PlanFormat, diagnostics: [Diagnostic], text renderer: PlanTextRenderer,
        console: Console
    ) {
        var printer = PlanPrinter(
            format, fleet: plan.fleet, diagnostics: diagnostics, text: renderer, console: console)
        for instance in plan.instances { printer.add(instance) }
        printer.finish(summary: plan.summary, toolVersion: plan.toolVersion)
    }
}
