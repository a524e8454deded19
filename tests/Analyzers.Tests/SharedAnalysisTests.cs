using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers.Flow;
using WebSocketHandoff.Analyzers.Rules;
using WebSocketHandoff.Analyzers.Tests.Rules;

namespace WebSocketHandoff.Analyzers.Tests
{
    /// <summary>The four flow rules share one analysis per type per compilation, and report what each reports alone.</summary>
    public class SharedAnalysisTests
    {
        private const string Creating = WSH001Tests.Usings + @"
class C
{
    async Task Bcl(Stream stream, byte[] data, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
        await stream.WriteAsync(data, ct);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }

    async Task Handoff(Stream stream, byte[] data, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var raw = await ws.DetachAsync(ct);
        await ws.SendAsync(data, WebSocketMessageType.Binary, true, ct);
    }
}";

        private const string Plain = WSH001Tests.Usings + @"
class D
{
    async Task M(Stream stream, byte[] data) => await stream.WriteAsync(data);
}";

        private static DiagnosticAnalyzer[] FlowAnalyzers() => new DiagnosticAnalyzer[]
        {
            new RawTransportUseAnalyzer(),
            new CloseDuringHandoffAnalyzer(),
            new KeepAliveOnHandoffAnalyzer(),
            new UseAfterDetachAnalyzer(),
        };

        [Fact]
        public async Task Four_rules_over_one_creating_type_compute_one_analysis()
        {
            var compilation = await AnalyzerRunner.CompileAsync(Creating, Plain);
            var capture = new CompilationCapture();
            var analyzers = FlowAnalyzers().Append(capture).ToImmutableArray();

            var diagnostics = await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync(CancellationToken.None);

            Assert.NotNull(capture.Compilation);
            Assert.Equal(1, SharedHandoffAnalyses.AnalysesComputed(capture.Compilation!));
            Assert.Equal(
                new[] { "WSH001", "WSH002", "WSH003", "WSH005" },
                diagnostics.Select(d => d.Id).Distinct().OrderBy(id => id, System.StringComparer.Ordinal));
        }

        [Fact]
        public async Task Together_each_rule_reports_what_it_reports_alone()
        {
            var alone = ImmutableArray.CreateBuilder<Diagnostic>();
            foreach (var analyzer in FlowAnalyzers())
            {
                alone.AddRange(await AnalyzerRunner.RunAsync(analyzer, Creating, Plain));
            }

            var compilation = await AnalyzerRunner.CompileAsync(Creating, Plain);
            var together = await compilation.WithAnalyzers(FlowAnalyzers().ToImmutableArray()).GetAnalyzerDiagnosticsAsync(CancellationToken.None);

            Assert.Equal(Describe(alone.ToImmutable()), Describe(together));
        }

        [Theory]
        [InlineData(4096 - 8, "CreateFromStream", true)]
        [InlineData(4096 - 3, "Detach", true)]
        [InlineData(9000, "Detach", true)]
        [InlineData(4096 - 8, "CreateFromStrea", false)]
        [InlineData(100, "Detac", false)]
        public async Task The_shared_text_precheck_finds_a_name_anywhere_in_the_file(int at, string name, bool expected)
        {
            // The pre-check reads the text in chunks of 4096 characters: a name may straddle a boundary.
            var padding = new string('x', at - "class P { } //".Length);
            var source = "class P { } //" + padding + name + "\n" + new string('y', 10000) + "\n";
            Assert.Equal(at, source.IndexOf(name, System.StringComparison.Ordinal));
            var compilation = await AnalyzerRunner.CompileAsync(source);
            var type = compilation.GetTypeByMetadataName("P")!;

            Assert.Equal(expected, new TextPrecheck().TypeMayHandoff(type, CancellationToken.None));
        }

        private static string[] Describe(ImmutableArray<Diagnostic> diagnostics) => diagnostics
            .Select(d => d.Id + " " + d.Location.GetLineSpan() + " " + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)
                + " [" + string.Join(";", d.AdditionalLocations.Select(l => l.GetLineSpan().ToString())) + "]"
                + " {" + string.Join(";", d.Properties.OrderBy(p => p.Key, System.StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value)) + "}")
            .OrderBy(s => s, System.StringComparer.Ordinal)
            .ToArray();

#pragma warning disable RS1036 // test-only analyzer
        [DiagnosticAnalyzer(LanguageNames.CSharp)]
        private sealed class CompilationCapture : DiagnosticAnalyzer
        {
            public Compilation? Compilation { get; private set; }

            // An analyzer with nothing to report is not run.
            public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
                new DiagnosticDescriptor("CAPTURE", "Capture", "Capture", "Test", DiagnosticSeverity.Hidden, isEnabledByDefault: true));

            public override void Initialize(AnalysisContext context)
            {
                context.EnableConcurrentExecution();
                context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
                context.RegisterCompilationAction(end => Compilation = end.Compilation);
            }
        }
#pragma warning restore RS1036
    }
}
