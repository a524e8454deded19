using System;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace Bench;

public static class Program
{
    /// <summary>
    /// Each invocation compiles the whole corpus (seconds), so the Monitoring strategy: no pilot, one invocation per
    /// iteration, 2 warm-up and 10 measured. A job given on the command line (<c>--job dry</c>…) replaces it.
    /// </summary>
    public static readonly Job DefaultJob = Job.Default
        .WithStrategy(RunStrategy.Monitoring)
        .WithLaunchCount(1)
        .WithWarmupCount(2)
        .WithIterationCount(10);

    /// <summary>
    /// <c>dotnet run -c Release -- telemetry [runs] [files]</c> prints the analyzers' own execution time against the compiler's;
    /// anything else goes to BenchmarkDotNet (e.g. <c>--filter '*'</c>).
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "telemetry")
        {
            int runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
            int files = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : CorpusGenerator.DefaultFiles;
            return TelemetryReport.Run(runs, files, Console.Out);
        }
        if (args.Length > 1 && args[0] == "compare")
        {
            // compare BASELINE_DLL [rounds] [kind,kind…] [CURRENT_DLL]: this build's analyzers (or another's) against a
            // baseline build's, alternating rounds in one process.
            int rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10;
            CorpusKind[] kinds = args.Length > 3
                ? Array.ConvertAll(args[3].Split(','), k => Enum.Parse<CorpusKind>(k))
                : new[] { CorpusKind.Sparse, CorpusKind.Mixed, CorpusKind.Spread, CorpusKind.NoCreation };
            return CompareReport.Run(args[1], rounds, kinds, args.Length > 4 ? args[4] : null, Console.Out);
        }
        if (args.Length > 0 && args[0] == "profile")
        {
            // For a sampling profiler (dotnet-trace): compile one corpus with the WSH analyzers, over and over.
            var kind = args.Length > 1 ? Enum.Parse<CorpusKind>(args[1]) : CorpusKind.Spread;
            int runs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10;
            AnalyzerHarness harness = AnalyzerHarness.Create(kind);
            // profile KIND RUNS [ANALYZER_DLL]: another build's analyzers, loaded as the compare mode loads a baseline.
            var analyzers = args.Length > 3 ? CompareReport.LoadBuild(System.IO.Path.GetFullPath(args[3])) : harness.Analyzers;
            for (int i = 0; i < runs; i++)
            {
                harness.WithAnalyzers(analyzers);
            }
            return 0;
        }
        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, JobOptions.ConfigFor(args, DefaultJob));
        return 0;
    }
}
