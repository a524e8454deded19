using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace Bench;

/// <summary>
/// A cross-check of the BenchmarkDotNet ratios for a machine whose load drifts: BenchmarkDotNet measures the baseline
/// and the candidate one after the other, minutes apart, so a change in background load shows up as a difference
/// between them. Here both objects are set up in one process (two loopback connections) and measured in alternating
/// rounds (order swapped every round), and the ratio is the median of the per-round ratios. Same benchmark code as
/// <see cref="AttachedThroughput"/> and <see cref="DetachedThroughput"/>.
/// </summary>
public static class Interleaved
{
    private sealed record Pair(string Category, string Param, int PerOperation, string Unit,
        Func<Task> Baseline, Func<Task> Candidate, Action Cleanup);

    public static int Run(int rounds, TextWriter output)
    {
        var pairs = new List<Func<Pair>>();
        foreach (int size in new[] { 16, 1024, 65536 })
        {
            pairs.Add(() => Attached(size, "Receive", b => b.Bcl_Receive, h => h.Handoff_Receive));
            pairs.Add(() => Attached(size, "ReceiveArraySegment", b => b.Bcl_ReceiveArraySegment, h => h.Handoff_ReceiveArraySegment));
            pairs.Add(() => Attached(size, "Send", b => b.Bcl_Send, h => h.Handoff_Send));
        }
        foreach (int buffer in new[] { 4096, 65536 })
        {
            pairs.Add(() => Detached(buffer, "Read", b => b.Bare_Read, d => d.Detached_Read));
            pairs.Add(() => Detached(buffer, "Write", b => b.Bare_Write, d => d.Detached_Write));
        }

        output.WriteLine($"Interleaved: {rounds} rounds per row after 5 warm-up rounds; medians; {Environment.ProcessorCount} logical cores, .NET {Environment.Version}.");
        output.WriteLine();
        output.WriteLine("| Category | Param | Baseline (BCL / bare) | HandoffWebSocket | Time ratio (median of rounds) | Throughput ratio | Rounds where Handoff was faster | Allocated per message / MiB, baseline → Handoff |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (Func<Pair> make in pairs)
        {
            Pair pair = make();
            try
            {
                output.WriteLine(Measure(pair, rounds));
            }
            finally
            {
                pair.Cleanup();
            }
        }
        return 0;
    }

    private static Pair Attached(int size, string category, Func<AttachedThroughput, Func<Task>> baseline, Func<AttachedThroughput, Func<Task>> candidate)
    {
        var bcl = new AttachedThroughput { MessageSize = size };
        bcl.SetupBcl();
        var handoff = new AttachedThroughput { MessageSize = size };
        handoff.SetupHandoff();
        return new Pair(category, size.ToString(CultureInfo.InvariantCulture) + " B", AttachedThroughput.Messages, "message",
            baseline(bcl), candidate(handoff), () => { bcl.Cleanup(); handoff.Cleanup(); });
    }

    private static Pair Detached(int buffer, string category, Func<DetachedThroughput, Func<Task>> baseline, Func<DetachedThroughput, Func<Task>> candidate)
    {
        var bare = new DetachedThroughput { BufferSize = buffer };
        bare.SetupBare();
        var detached = new DetachedThroughput { BufferSize = buffer };
        detached.SetupDetached();
        return new Pair(category, buffer.ToString(CultureInfo.InvariantCulture) + " B I/O", DetachedThroughput.MiBPerOperation, "MiB",
            baseline(bare), candidate(detached), () => { bare.Cleanup(); detached.Cleanup(); });
    }

    private static string Measure(Pair pair, int rounds)
    {
        for (int i = 0; i < 5; i++)
        {
            Time(pair.Baseline);
            Time(pair.Candidate);
        }
        var baseline = new List<double>();
        var candidate = new List<double>();
        var ratios = new List<double>();
        long baselineAllocated = 0, candidateAllocated = 0;
        for (int i = 0; i < rounds; i++)
        {
            double b, c;
            long ba, ca;
            if (i % 2 == 0)
            {
                (b, ba) = Time(pair.Baseline);
                (c, ca) = Time(pair.Candidate);
            }
            else
            {
                (c, ca) = Time(pair.Candidate);
                (b, ba) = Time(pair.Baseline);
            }
            baseline.Add(b);
            candidate.Add(c);
            ratios.Add(c / b);
            baselineAllocated += ba;
            candidateAllocated += ca;
        }
        double ratio = Median(ratios);
        int faster = ratios.Count(r => r < 1);
        return $"| {pair.Category} | {pair.Param} | {Format(Median(baseline) / pair.PerOperation)}/{pair.Unit} | " +
            $"{Format(Median(candidate) / pair.PerOperation)}/{pair.Unit} | {ratio:F3} | {1 / ratio:F3} | {faster}/{rounds} | " +
            $"{PerUnit(baselineAllocated, rounds, pair)} → {PerUnit(candidateAllocated, rounds, pair)} |";
    }

    private static string PerUnit(long allocated, int rounds, Pair pair) =>
        ((double)allocated / rounds / pair.PerOperation).ToString("F2", CultureInfo.InvariantCulture) + " B";

    private static (double Nanoseconds, long Allocated) Time(Func<Task> operation)
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        long start = Stopwatch.GetTimestamp();
        operation().GetAwaiter().GetResult();
        double ns = Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6;
        return (ns, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    private static string Format(double ns) => ns >= 1e6
        ? (ns / 1e6).ToString("F3", CultureInfo.InvariantCulture) + " ms"
        : ns >= 1e3 ? (ns / 1e3).ToString("F2", CultureInfo.InvariantCulture) + " µs" : ns.ToString("F0", CultureInfo.InvariantCulture) + " ns";

    private static double Median(List<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
