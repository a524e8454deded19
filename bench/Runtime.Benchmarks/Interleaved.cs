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
/// between them. Here both sides of a pair are measured in one process in alternating rounds (order swapped every
/// round), with the same benchmark code as <see cref="AttachedThroughput"/> and <see cref="DetachedThroughput"/>; the
/// ratio is the median of the per-round time ratios, with its spread.
/// <para>
/// Interleaving removes drift, not the difference between two connections. On a loopback connection the kernel's state
/// (socket buffer sizes, which core takes the softirq, where the buffers sit in the cache) differs from one connection to
/// the next by several percent and stays for the connection's life, so a pair measured on one connection per side reads
/// that difference in every round, and the median reports it as a gap that the spread cannot reveal (the rounds are not
/// independent). The two kinds of pair remove it differently:
/// </para>
/// <list type="bullet">
/// <item>Detached: the bare <see cref="System.Net.Sockets.NetworkStream"/> and the detached stream wrap the same socket,
/// so both are measured on one connection with one peer; only the code path differs.</item>
/// <item>Attached: a BCL WebSocket and a HandoffWebSocket cannot share a connection, so by default every round opens
/// fresh connections for both (set-up and a few warm-up round trips, not timed) and closes them after. A connection's luck
/// then affects one round, not all of them: it becomes round-to-round noise, which the median discounts and the interval
/// shows. A pool of connections per side (<c>--connections pool:N</c>, a random one per round) does the same only as far
/// as N connections average out, and <c>--connections single</c> is the old set-up, kept to show the bias.</item>
/// </list>
/// </summary>
public static class Interleaved
{
    private const int WarmUpRounds = 5;

    /// <summary>What is timed in one round, and what to do after it (close a fresh connection, or nothing).</summary>
    private sealed record Lease(Func<Task> Run, Action Release);

    private sealed record Pair(string Category, string Param, int PerOperation, string Unit,
        Func<Lease> Baseline, Func<Lease> Candidate, Action Cleanup)
    {
        public string Name => Category + " " + Param;
    }

    /// <summary>How the attached rows get their connections: fresh every round (PoolSize 0), or a pool per side.</summary>
    private sealed record Connections(int PoolSize)
    {
        public override string ToString() => PoolSize switch
        {
            0 => "fresh loopback connections for both sides every round",
            1 => "one loopback connection per side for all rounds",
            _ => $"a pool of {PoolSize} loopback connections per side, a random one per round",
        };
    }

    /// <summary><c>interleaved [rounds] [--connections fresh|single|pool:N] [--rows Receive,Send 16]</c>.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        int rounds = 60;
        var connections = new Connections(0);
        string[] rowFilters = Array.Empty<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--connections" && i + 1 < args.Length)
            {
                string value = args[++i];
                connections = value switch
                {
                    "fresh" => new Connections(0),
                    "single" => new Connections(1),
                    _ when value.StartsWith("pool:", StringComparison.Ordinal) => new Connections(int.Parse(value.AsSpan(5), CultureInfo.InvariantCulture)),
                    _ => throw new ArgumentException($"--connections {value}: expected fresh, single or pool:N"),
                };
            }
            else if (args[i] == "--rows" && i + 1 < args.Length)
            {
                rowFilters = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            }
            else
            {
                rounds = int.Parse(args[i], CultureInfo.InvariantCulture);
            }
        }

        var pairs = new List<(string Name, Func<Pair> Make)>();
        foreach (int size in new[] { 16, 1024, 65536 })
        {
            AddAttached(pairs, size, "Receive", b => b.Bcl_Receive, h => h.Handoff_Receive, connections);
            AddAttached(pairs, size, "ReceiveArraySegment", b => b.Bcl_ReceiveArraySegment, h => h.Handoff_ReceiveArraySegment, connections);
            AddAttached(pairs, size, "Send", b => b.Bcl_Send, h => h.Handoff_Send, connections);
        }
        foreach (int size in new[] { 16, 1024 })
        {
            // Controls, only with --rows naming them (e.g. --rows control): the BCL WebSocket against itself over a
            // pass-through stream (the candidate column), for the floor that one more stream layer sets on this machine;
            // the BCL WebSocket against itself (A/A), which must read 1.00 — anything else is the method's own bias; and the
            // helper's two layers one at a time (its transport stream under the BCL WebSocket; a WebSocket that only
            // forwards, around it), to tell their shares of the helper's cost apart.
            AddAttached(pairs, size, "Receive (pass-through control)", b => b.Bcl_Receive, p => p.Bcl_Receive, connections, Control.PassThrough);
            AddAttached(pairs, size, "Send (pass-through control)", b => b.Bcl_Send, p => p.Bcl_Send, connections, Control.PassThrough);
            AddAttached(pairs, size, "Receive (A/A control)", b => b.Bcl_Receive, p => p.Bcl_Receive, connections, Control.Same);
            AddAttached(pairs, size, "Send (A/A control)", b => b.Bcl_Send, p => p.Bcl_Send, connections, Control.Same);
            AddAttached(pairs, size, "Send (helper stream control)", b => b.Bcl_Send, p => p.Bcl_Send, connections, Control.HelperStream);
            AddAttached(pairs, size, "Send (wrapper control)", b => b.Bcl_Send, p => p.Bcl_Send, connections, Control.Wrapper);
        }
        foreach (int buffer in new[] { 4096, 65536 })
        {
            AddDetached(pairs, buffer, "Read", d => d.Bare_Read, d => d.Detached_Read);
            AddDetached(pairs, buffer, "Write", d => d.Bare_Write, d => d.Detached_Write);
        }

        output.WriteLine($"Interleaved: {rounds} rounds per row after {WarmUpRounds} warm-up rounds, order swapped every round; {Environment.ProcessorCount} logical cores, .NET {Environment.Version}.");
        output.WriteLine($"Attached rows: {connections}. Detached rows: the bare stream and the detached stream over one socket.");
        output.WriteLine("Time ratio = HandoffWebSocket time / baseline time per round (lower is faster); median of the rounds, its 95% bootstrap interval, and the middle half (Q1–Q3) of the per-round ratios.");
        output.WriteLine();
        output.WriteLine("| Category | Param | Baseline (BCL / bare) | HandoffWebSocket | Time ratio (median) | 95% CI of median | Q1–Q3 of rounds | Throughput ratio [95% CI] | Rounds where Handoff was faster | Allocated per message / MiB, baseline → Handoff |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach ((string name, Func<Pair> make) in pairs)
        {
            if (rowFilters.Length > 0 && !rowFilters.Any(f => name.Contains(f, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (name.Contains("control", StringComparison.Ordinal) && !rowFilters.Any(f => f.Contains("control", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

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

    /// <summary>What the candidate column of an attached row runs: the helper, or one of the two controls.</summary>
    private enum Control
    {
        None,
        PassThrough,
        Same,

        /// <summary>The BCL WebSocket over the helper's own transport stream, without HandoffWebSocket around it.</summary>
        HelperStream,

        /// <summary>The BCL WebSocket inside a WebSocket that only forwards each call (HandoffWebSocket's shape without its work).</summary>
        Wrapper,
    }

    private static void AddAttached(List<(string, Func<Pair>)> pairs, int size, string category,
        Func<AttachedThroughput, Func<Task>> baseline, Func<AttachedThroughput, Func<Task>> candidate, Connections connections,
        Control control = Control.None)
    {
        string param = size.ToString(CultureInfo.InvariantCulture) + " B";
        pairs.Add((category + " " + param, () =>
        {
            (Func<Lease> bcl, Action bclCleanup) = Source(connections, () =>
            {
                var b = new AttachedThroughput { MessageSize = size };
                b.SetupBcl();
                return b;
            }, baseline, seed: 1);
            (Func<Lease> handoff, Action handoffCleanup) = Source(connections, () =>
            {
                var h = new AttachedThroughput { MessageSize = size };
                switch (control)
                {
                    case Control.PassThrough:
                        h.SetupPassThrough();
                        break;
                    case Control.HelperStream:
                        h.SetupHelperStream();
                        break;
                    case Control.Wrapper:
                        h.SetupWrapper();
                        break;
                    case Control.Same:
                        h.SetupBcl();
                        break;
                    default:
                        h.SetupHandoff();
                        break;
                }

                return h;
            }, candidate, seed: 2);
            return new Pair(category, param, AttachedThroughput.Messages, "message", bcl, handoff, () =>
            {
                bclCleanup();
                handoffCleanup();
            });
        }));
    }

    /// <summary>Where one side of an attached pair gets its connection each round.</summary>
    private static (Func<Lease> Take, Action Cleanup) Source(Connections connections, Func<AttachedThroughput> open,
        Func<AttachedThroughput, Func<Task>> method, int seed)
    {
        if (connections.PoolSize == 0)
        {
            return (() =>
            {
                AttachedThroughput fresh = open();
                return new Lease(method(fresh), fresh.Cleanup);
            }, () => { });
        }

        AttachedThroughput[] pool = Enumerable.Range(0, connections.PoolSize).Select(_ => open()).ToArray();
        var random = new Random(seed);
        return (() => new Lease(method(pool[random.Next(pool.Length)]), () => { }), () =>
        {
            foreach (AttachedThroughput pooled in pool)
            {
                pooled.Cleanup();
            }
        });
    }

    private static void AddDetached(List<(string, Func<Pair>)> pairs, int buffer, string category,
        Func<DetachedThroughput, Func<Task>> baseline, Func<DetachedThroughput, Func<Task>> candidate)
    {
        string param = buffer.ToString(CultureInfo.InvariantCulture) + " B I/O";
        pairs.Add((category + " " + param, () =>
        {
            // One set-up for both sides, as in BenchmarkDotNet: the same socket and peer under both code paths.
            var detached = new DetachedThroughput { BufferSize = buffer };
            detached.Setup();
            Lease bare = new(baseline(detached), () => { });
            Lease viaHelper = new(candidate(detached), () => { });
            return new Pair(category, param, DetachedThroughput.MiBPerOperation, "MiB", () => bare, () => viaHelper, detached.Cleanup);
        }));
    }

    private static string Measure(Pair pair, int rounds)
    {
        for (int i = 0; i < WarmUpRounds; i++)
        {
            Round(pair, i);
        }

        var baseline = new List<double>();
        var candidate = new List<double>();
        var ratios = new List<double>();
        long baselineAllocated = 0, candidateAllocated = 0;
        for (int i = 0; i < rounds; i++)
        {
            ((double b, long ba), (double c, long ca)) = Round(pair, i);
            baseline.Add(b);
            candidate.Add(c);
            ratios.Add(c / b);
            baselineAllocated += ba;
            candidateAllocated += ca;
        }

        RoundStatistics s = RoundStatistics.Of(ratios);
        return $"| {pair.Category} | {pair.Param} | {Format(Median(baseline) / pair.PerOperation)}/{pair.Unit} | " +
            $"{Format(Median(candidate) / pair.PerOperation)}/{pair.Unit} | {s.Median:F3} | {s.Low95:F3}–{s.High95:F3} | " +
            $"{s.Q1:F3}–{s.Q3:F3} | {1 / s.Median:F3} [{1 / s.High95:F3}, {1 / s.Low95:F3}] | {s.CandidateFaster}/{s.Rounds} | " +
            $"{PerUnit(baselineAllocated, rounds, pair)} → {PerUnit(candidateAllocated, rounds, pair)} |";
    }

    /// <summary>
    /// One round: both sides' connections are taken (opened, for fresh ones) before either is timed, so no set-up runs
    /// between the two timings; they are released after both. Which side is timed first alternates every round, and which
    /// side's connection is opened first every second round, so each of the four orders comes up equally often (a side
    /// whose connection is always the older one, or always timed first, would carry that into every round).
    /// </summary>
    private static ((double, long) Baseline, (double, long) Candidate) Round(Pair pair, int round)
    {
        bool baselineFirst = round % 2 == 0;
        bool baselineOpenedFirst = round / 2 % 2 == 0;
        Lease baseline, candidate;
        if (baselineOpenedFirst)
        {
            baseline = pair.Baseline();
            candidate = pair.Candidate();
        }
        else
        {
            candidate = pair.Candidate();
            baseline = pair.Baseline();
        }

        try
        {
            if (baselineFirst)
            {
                var b = Time(baseline.Run);
                return (b, Time(candidate.Run));
            }

            var c = Time(candidate.Run);
            return (Time(baseline.Run), c);
        }
        finally
        {
            baseline.Release();
            candidate.Release();
        }
    }

    private static string PerUnit(long allocated, int rounds, Pair pair) =>
        ((double)allocated / rounds / pair.PerOperation).ToString("F2", CultureInfo.InvariantCulture) + " B";

    internal static (double Nanoseconds, long Allocated) Time(Func<Task> operation)
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        long start = Stopwatch.GetTimestamp();
        operation().GetAwaiter().GetResult();
        double ns = Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6;
        return (ns, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    internal static string Format(double ns) => ns >= 1e6
        ? (ns / 1e6).ToString("F3", CultureInfo.InvariantCulture) + " ms"
        : ns >= 1e3 ? (ns / 1e3).ToString("F2", CultureInfo.InvariantCulture) + " µs" : ns.ToString("F0", CultureInfo.InvariantCulture) + " ns";

    internal static double Median(List<double> values) => RoundStatistics.Quantile(values.OrderBy(v => v).ToArray(), 0.5);
}
