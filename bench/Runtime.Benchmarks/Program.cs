using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Bench;

public static class Program
{
    /// <summary>
    /// The default job: one process per case, 3 warm-up and 20 measured iterations (about 4 minutes for every case).
    /// Marked as default, so a job given on the command line (<c>--job dry</c>, <c>--job short</c>) replaces it.
    /// </summary>
    public static readonly Job DefaultJob = Job.Default
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(20)
        .AsDefault();

    public static void Main(string[] args) =>
        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, DefaultConfig.Instance.AddJob(DefaultJob));
}
