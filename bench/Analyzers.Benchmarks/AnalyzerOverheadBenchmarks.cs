using BenchmarkDotNet.Attributes;

namespace Bench;

/// <summary>
/// What WSH001–WSH006 add to a compilation of a large generated corpus (see <see cref="CorpusGenerator"/>):
/// <list type="bullet">
/// <item><c>Compiler</c> (baseline): <c>GetDiagnostics()</c> on a fresh compilation, which binds every method body.</item>
/// <item><c>CompilerWithControls</c>: the same through <c>CompilationWithAnalyzers</c> with one do-nothing control per
/// analyzer, registering the same actions (<see cref="ControlAnalyzer"/>): the analyzer driver's own price.</item>
/// <item><c>CompilerWithWsh</c>: the same with the real analyzers of WebSocketHandoff.Analyzers.</item>
/// </list>
/// <c>CompilerWithWsh − CompilerWithControls</c> is the analyzers' own work; divided by <c>Compiler</c> it answers the
/// "at most 1% of binding time" question. <c>telemetry</c> mode (Program) measures the same figure from the driver's
/// per-analyzer execution times, which is far less noisy than a difference of two wall-clock times.
/// Each invocation takes seconds, so Program runs it with the Monitoring strategy: no pilot, one invocation per iteration.
/// </summary>
[MemoryDiagnoser]
public class AnalyzerOverheadBenchmarks
{
    private AnalyzerHarness _harness = null!;

    [Params(CorpusKind.Sparse, CorpusKind.Mixed, CorpusKind.Spread, CorpusKind.NoCreation)]
    public CorpusKind Corpus { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _harness = AnalyzerHarness.Create(Corpus);
        System.Console.WriteLine($"// Corpus {Corpus}: {_harness.Corpus.Files.Count} files, {_harness.Corpus.Lines} lines, " +
            $"{_harness.Corpus.Methods} methods, {_harness.Corpus.Creations} with a WebSocket creation; " +
            $"{_harness.Analyzers.Length} analyzers in {AnalyzerHarness.AnalyzerAssemblyName}");
        foreach (string registration in _harness.Registrations)
        {
            System.Console.WriteLine("//   " + registration);
        }
    }

    [Benchmark(Baseline = true)]
    public int Compiler() => _harness.CompilerOnly();

    [Benchmark]
    public int CompilerWithControls() => _harness.WithAnalyzers(_harness.Controls);

    [Benchmark]
    public int CompilerWithWsh() => _harness.WithAnalyzers(_harness.Analyzers);
}
