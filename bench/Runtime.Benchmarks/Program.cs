using BenchmarkDotNet.Jobs;

namespace Bench;

public static class Program
{
    /// <summary>
    /// The default job: one process per case, 3 warm-up and 20 measured iterations (all 26 cases take about 8 minutes).
    /// A job given on the command line (<c>--job dry</c>, <c>--job short</c>, <c>--iterationCount 5</c>…) replaces it.
    /// </summary>
    public static readonly Job DefaultJob = Job.Default
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(20);

    public static void Main(string[] args) =>
        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, JobOptions.ConfigFor(args, DefaultJob));
}
