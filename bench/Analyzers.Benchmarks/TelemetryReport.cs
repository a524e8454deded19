using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Diagnostics.Telemetry;

namespace Bench;

/// <summary>
/// The analyzers' own execution time, as the analyzer driver measures it around each callback
/// (<c>logAnalyzerExecutionTime: true</c>, <see cref="CompilationWithAnalyzers.GetAnalyzerTelemetryInfoAsync"/>), set
/// against the compiler's time for the same corpus. Medians over several runs after a warm-up.
/// </summary>
public static class TelemetryReport
{
    public static int Run(int runs, int files, TextWriter output)
    {
        var rows = new List<Row>();
        foreach (CorpusKind kind in new[] { CorpusKind.Sparse, CorpusKind.Mixed, CorpusKind.Spread, CorpusKind.NoCreation })
        {
            rows.Add(Measure(kind, runs, files, output));
        }

        output.WriteLine();
        output.WriteLine($"Medians of {runs} runs; single-threaded compilation and analysis; {Environment.ProcessorCount} logical cores, .NET {Environment.Version}.");
        output.WriteLine();
        output.WriteLine("| Corpus | Lines | Methods | With creation | Compiler A (ms) | + controls C (ms) | + WSH B (ms) | (B − C) / A | same on CPU time | WSH own time (ms) | WSH own time / A | WSH own time per method | WSH diagnostics |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (Row r in rows)
        {
            output.WriteLine($"| {r.Corpus.Kind} | {r.Corpus.Lines:N0} | {r.Corpus.Methods:N0} | {r.Corpus.Creations:N0} | {r.Compiler:F0} | {r.Controls:F0} | {r.Wsh:F0} | " +
                $"{Pct((r.Wsh - r.Controls) / r.Compiler)} | {Pct((r.WshCpu - r.ControlsCpu) / r.CompilerCpu)} | {r.Own:F1} | {Pct(r.Own / r.Compiler)} | {Micro(r.Own / r.Corpus.Methods)} | {r.DiagnosticSummary} |");
        }

        Row none = rows[rows.Count - 1];
        output.WriteLine();
        double perOrdinary = none.Own / none.Corpus.Methods;
        output.WriteLine($"- Per method without a creation (NoCreation corpus): {Micro(perOrdinary)} of WSH time.");
        foreach (Row mixed in rows.Where(r => r.Corpus.Creations > 0))
        {
            // The corpus's other methods charged at the NoCreation rate; the rest is the creating methods' share.
            double perCreating = (mixed.Own - perOrdinary * (mixed.Corpus.Methods - mixed.Corpus.Creations)) / mixed.Corpus.Creations;
            output.WriteLine($"- Per method with a creation ({mixed.Corpus.Kind} corpus, the other methods charged at that rate): {Micro(perCreating)}.");
        }

        output.WriteLine();
        output.WriteLine("| Corpus | Analyzer | Own time (ms) | / compiler A | Actions registered |");
        output.WriteLine("|---|---|---:|---:|---|");
        foreach (Row r in rows)
        {
            foreach (var (name, ms, actions) in r.PerAnalyzer)
            {
                output.WriteLine($"| {r.Corpus.Kind} | {name} | {ms:F1} | {Pct(ms / r.Compiler)} | {actions} |");
            }
        }
        return rows.Any(r => r.AnalyzerExceptions > 0) ? 1 : 0;
    }

    private static string Pct(double ratio) => (ratio * 100).ToString("F2", CultureInfo.InvariantCulture) + " %";

    private static string Micro(double ms) => (ms * 1000).ToString("F1", CultureInfo.InvariantCulture) + " µs";

    private sealed record Row(Corpus Corpus, double Compiler, double Controls, double Wsh,
        double CompilerCpu, double ControlsCpu, double WshCpu, double Own,
        IReadOnlyList<(string Name, double Ms, string Actions)> PerAnalyzer, string DiagnosticSummary, int AnalyzerExceptions);

    private static Row Measure(CorpusKind kind, int runs, int files, TextWriter output)
    {
        AnalyzerHarness harness = AnalyzerHarness.Create(kind, files);
        output.WriteLine($"{kind}: {harness.Corpus.Files.Count} files, {harness.Corpus.Lines:N0} lines, {harness.Corpus.Methods:N0} methods, " +
            $"{harness.Corpus.Creations:N0} with a creation; {harness.Analyzers.Length} analyzers");
        if (harness.Analyzers.IsEmpty)
        {
            output.WriteLine($"  no DiagnosticAnalyzer in {AnalyzerHarness.AnalyzerAssemblyName} yet: the WSH columns measure an analyzer that registers nothing");
        }

        // Warm-up: JIT, metadata, the first binding of the reference assemblies.
        harness.CompilerOnly();
        harness.WithAnalyzers(harness.Controls);
        harness.WithAnalyzers(harness.Analyzers);

        var compiler = new List<double>();
        var controls = new List<double>();
        var wsh = new List<double>();
        var compilerCpu = new List<double>();
        var controlsCpu = new List<double>();
        var wshCpu = new List<double>();
        var own = new List<double>();
        var perAnalyzer = harness.Analyzers.ToDictionary(a => a, _ => new List<double>());
        ImmutableArray<Diagnostic> lastDiagnostics = ImmutableArray<Diagnostic>.Empty;
        int exceptions = 0;
        for (int i = 0; i < runs; i++)
        {
            Time(() => harness.CompilerOnly(), compiler, compilerCpu);
            Time(() => harness.WithAnalyzers(harness.Controls), controls, controlsCpu);
            Time(() => harness.WithAnalyzers(harness.Analyzers), wsh, wshCpu);

            var (result, thrown) = harness.RunWithTelemetry(harness.Analyzers);
            lastDiagnostics = result.GetAllDiagnostics();
            exceptions += thrown;
            double total = 0;
            foreach (DiagnosticAnalyzer analyzer in harness.Analyzers)
            {
                AnalyzerTelemetryInfo info = result.AnalyzerTelemetryInfo[analyzer];
                perAnalyzer[analyzer].Add(info.ExecutionTime.TotalMilliseconds);
                total += info.ExecutionTime.TotalMilliseconds;
            }
            own.Add(total);
            output.WriteLine($"  run {i + 1}: A {compiler[^1]:F0} ms (CPU {compilerCpu[^1]:F0}), C {controls[^1]:F0} ms (CPU {controlsCpu[^1]:F0}), " +
                $"B {wsh[^1]:F0} ms (CPU {wshCpu[^1]:F0}), WSH own {total:F1} ms");
        }

        var ids = lastDiagnostics
            .Where(d => d.Id.StartsWith("WSH", StringComparison.Ordinal) || d.Id == "AD0001")
            .GroupBy(d => d.Id)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}×{g.Count()}");
        string summary = string.Join(", ", ids);
        if (exceptions > 0)
        {
            summary += $" ({exceptions} analyzer exceptions!)";
        }
        var rows = harness.Analyzers
            .Select((a, i) => (a.GetType().Name, Median(perAnalyzer[a]), harness.Registrations[i].Substring(harness.Registrations[i].IndexOf(':') + 2)))
            .ToList();
        return new Row(harness.Corpus, Median(compiler), Median(controls), Median(wsh),
            Median(compilerCpu), Median(controlsCpu), Median(wshCpu), Median(own), rows,
            summary.Length == 0 ? "none" : summary, exceptions);
    }

    /// <summary>
    /// Wall-clock and process CPU time of <paramref name="action"/>. Everything runs on one thread, so CPU time is the
    /// work itself, and holds up better than wall-clock time when other processes compete for the cores.
    /// </summary>
    private static void Time(Action action, List<double> wall, List<double> cpu)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        action();
        wall.Add(watch.Elapsed.TotalMilliseconds);
        cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        double[] sorted = values.OrderBy(v => v).ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
