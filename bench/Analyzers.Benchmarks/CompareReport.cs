using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Bench;

/// <summary>
/// Two builds of the analyzers in one process, measured in alternating rounds on the same corpus: the analyzers of this
/// build, and a baseline <c>WebSocketHandoff.Analyzers.dll</c> loaded into an <see cref="AssemblyLoadContext"/> of its own
/// (Roslyn itself is shared). For comparing a change on a machine that others are using.
/// </summary>
/// <remarks>
/// Each round runs the driver with execution-time logging once per build, the order swapped every round, and records the
/// analyzers' own time as a <b>share of that same run's process CPU time</b>. On a loaded machine a run's wall-clock
/// time swings by several times (the process waits for a core, and its thread-pool work waits for threads) while the
/// callbacks, short and on the analysis thread, stretch far less; CPU time and the own time of the callbacks hold up, so
/// their ratio, paired round by round, is what the comparison reads. The two builds must report the same diagnostics; a
/// difference is printed.
/// </remarks>
public static class CompareReport
{
    public static int Run(string baselinePath, int rounds, IReadOnlyList<CorpusKind> kinds, string? currentPath, TextWriter output)
    {
        ImmutableArray<DiagnosticAnalyzer> baseline = LoadBuild(Path.GetFullPath(baselinePath));
        ImmutableArray<DiagnosticAnalyzer>? other = currentPath is null ? null : LoadBuild(Path.GetFullPath(currentPath));
        output.WriteLine($"Baseline: {baselinePath} ({baseline.Length} analyzers); current: {currentPath ?? "this build"}; {rounds} rounds per corpus, order swapped every round; " +
            $"{Environment.ProcessorCount} logical cores, .NET {Environment.Version}.");
        int status = 0;
        var summary = new List<string>();
        foreach (CorpusKind kind in kinds)
        {
            AnalyzerHarness harness = AnalyzerHarness.Create(kind);
            var current = other ?? harness.Analyzers;

            // Warm-up: JIT of both builds, metadata, the first binding of the reference assemblies.
            harness.CompilerOnly();
            Measure(harness, baseline);
            Measure(harness, current);

            var before = new List<Sample>();
            var after = new List<Sample>();
            for (int round = 0; round < rounds; round++)
            {
                bool baselineFirst = round % 2 == 0;
                Sample first = Measure(harness, baselineFirst ? baseline : current);
                Sample second = Measure(harness, baselineFirst ? current : baseline);
                before.Add(baselineFirst ? first : second);
                after.Add(baselineFirst ? second : first);
                output.WriteLine($"  {kind} round {round + 1}: baseline {Describe(before[^1])}; current {Describe(after[^1])}");
            }

            if (!before[^1].Diagnostics.SequenceEqual(after[^1].Diagnostics))
            {
                status = 1;
                output.WriteLine($"  {kind}: THE BUILDS REPORT DIFFERENT DIAGNOSTICS");
                foreach (string d in before[^1].Diagnostics.Except(after[^1].Diagnostics))
                {
                    output.WriteLine("    only baseline: " + d);
                }

                foreach (string d in after[^1].Diagnostics.Except(before[^1].Diagnostics))
                {
                    output.WriteLine("    only current:  " + d);
                }
            }

            double[] ratios = before.Zip(after, (b, a) => a.Share / b.Share).ToArray();
            var (low, high) = BootstrapMedian(ratios);
            int faster = ratios.Count(r => r < 1);
            summary.Add($"| {kind} | {harness.Corpus.Creations} | {Pct(Median(before.Select(s => s.Share)))} | {Pct(Median(after.Select(s => s.Share)))} | " +
                $"{Median(ratios):F3} [{low:F3}, {high:F3}] | {faster}/{rounds} | {Median(before.Select(s => s.Own)):F1} → {Median(after.Select(s => s.Own)):F1} | " +
                $"{PerAnalyzer(before, baseline)} → {PerAnalyzer(after, current)} | {after[^1].Diagnostics.Length} |");
        }

        output.WriteLine();
        output.WriteLine("Share = the analyzers' own execution time (driver telemetry) / the process CPU time of the same run (compiler + driver + analyzers); medians.");
        output.WriteLine("Ratio = current share / baseline share per round: median [95% bootstrap interval]. Own = the analyzers' own time (ms), median.");
        output.WriteLine();
        output.WriteLine("| Corpus | Creating methods | Share, baseline | Share, current | Ratio [95% CI] | Rounds current lower | Own (ms), baseline → current | Per analyzer (own ms, sorted by name), baseline → current | Diagnostics |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (string line in summary)
        {
            output.WriteLine(line);
        }

        return status;
    }

    private sealed record Sample(double Own, double Wall, double Cpu, double[] PerAnalyzer, string[] Diagnostics)
    {
        public double Share => Own / Cpu;
    }

    private static Sample Measure(AnalyzerHarness harness, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var (result, exceptions) = harness.RunWithTelemetry(analyzers);
        double wall = watch.Elapsed.TotalMilliseconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
        double[] perAnalyzer = analyzers
            .OrderBy(a => a.GetType().Name, StringComparer.Ordinal)
            .Select(a => result.AnalyzerTelemetryInfo[a].ExecutionTime.TotalMilliseconds)
            .ToArray();
        string[] diagnostics = result.GetAllDiagnostics()
            .Select(d => $"{d.Id} {d.Location.SourceTree?.FilePath}{d.Location.SourceSpan} {d.GetMessage(CultureInfo.InvariantCulture)}")
            .Concat(Enumerable.Repeat("analyzer exception", exceptions))
            .OrderBy(s => s, StringComparer.Ordinal)
            .ToArray();
        return new Sample(perAnalyzer.Sum(), wall, cpu, perAnalyzer, diagnostics);
    }

    private static string Describe(Sample s) =>
        $"own {s.Own:F1} ms / CPU {s.Cpu:F0} ms = {Pct(s.Share)} (wall {s.Wall:F0} ms)";

    private static string PerAnalyzer(List<Sample> samples, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var parts = new List<string>();
        for (int i = 0; i < analyzers.Length; i++)
        {
            parts.Add(Median(samples.Select(s => s.PerAnalyzer[i])).ToString("F1", CultureInfo.InvariantCulture));
        }

        return string.Join(" / ", parts);
    }

    /// <summary>The analyzers of another build of WebSocketHandoff.Analyzers, in a load context of their own.</summary>
    internal static ImmutableArray<DiagnosticAnalyzer> LoadBuild(string path)
    {
        var context = new BaselineLoadContext(path);
        Assembly assembly = context.LoadFromAssemblyPath(path);
        return AnalyzerHarness.LoadAnalyzers(assembly);
    }

    private sealed class BaselineLoadContext : AssemblyLoadContext
    {
        private readonly string _path;

        public BaselineLoadContext(string path)
            : base("baseline analyzers")
        {
            _path = path;
        }

        // Everything but the analyzer assembly itself (Roslyn, System.Collections.Immutable…) comes from the default context.
        protected override Assembly? Load(AssemblyName assemblyName) =>
            assemblyName.Name == AnalyzerHarness.AnalyzerAssemblyName ? LoadFromAssemblyPath(_path) : null;
    }

    private static string Pct(double ratio) => (ratio * 100).ToString("F2", CultureInfo.InvariantCulture) + " %";

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static (double Low, double High) BootstrapMedian(double[] values)
    {
        var random = new Random(20261127);
        var medians = new double[2000];
        var sample = new double[values.Length];
        for (int i = 0; i < medians.Length; i++)
        {
            for (int j = 0; j < sample.Length; j++)
            {
                sample[j] = values[random.Next(values.Length)];
            }

            medians[i] = Median(sample);
        }

        Array.Sort(medians);
        return (medians[(int)(0.025 * medians.Length)], medians[(int)(0.975 * medians.Length) - 1]);
    }
}
